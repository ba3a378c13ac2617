"""On screen: a taken-over counter locks its outgoing clerk's terminal; a manager's override."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from hallterm.store import execute
from screens.home import HomeScreen
from screens.lock import LockScreen
from tests.keeper_fixtures import PIN, hand_over, make_demo
from tests.pilot import pilot_test, settle
from tests.test_shell import sign_in, text

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path):
    made = make_demo(tmp_path)
    yield made
    made.ctx.store.dispose()


def counter_app(demo, counter: int):
    """The app on counter ``counter``'s terminal."""
    from hallterm.bootstrap import open_ctx
    from screens.app import HallTermApp

    settings = demo.settings.model_copy(update={"counter": counter})
    return HallTermApp(settings, None, ctx=open_ctx(settings, None, clock=demo.clock))


def actions(demo) -> list[str]:
    with demo.ctx.store.read() as session:
        return [r[0] for r in execute(session, "SELECT action FROM audit_log ORDER BY seq")]


@pilot_test
async def test_a_handover_locks_the_outgoing_clerks_terminal_saying_who_took_over(demo):
    app = counter_app(demo, 1)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "8004", PIN)
        await pilot.press("f12")  # the Counter post
        await settle(pilot)
        assert app._keeping == 1
        hand_over(demo, 1, "8004", "8007")
        app.check_keeper()
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        why = text(app.screen.query_one("#lock-why", Static))
        assert "Counter 1 was taken over by" in why and "(8007)" in why
        assert "session at this counter has ended" in why
        # The same PIN starts a new session from home: not back at the counter.
        app.screen.query_one("#lock-pin", Input).value = PIN
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.actor.empno == "8004" and not app.locked
    assert "auth.signout" in actions(demo)


@pilot_test
async def test_the_new_keeper_is_not_locked_and_nothing_happens_without_a_handover(demo):
    app = counter_app(demo, 2)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "8005", PIN)
        hand_over(demo, 1, "8004", "8007")  # another counter changed hands
        app.check_keeper()
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and not app.locked


@pilot_test
async def test_a_manager_at_another_clerks_counter_is_asked_for_the_override_reason(demo):
    from screens.widgets.form_dialog import FormDialog

    app = counter_app(demo, 5)  # 8006 keeps counter 5 and serves a ticket there
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "8002", PIN)
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("f")  # finish 8006's ticket
        await settle(pilot)
        assert isinstance(app.screen, FormDialog)
        title = str(app.screen.query_one(".title").render())
        assert "Counter 5 is kept by" in title and "(8006)" in title
        app.screen.query_one("#field-reason", Input).value = "8006 taken ill"
        await pilot.press("enter")
        await settle(pilot)
    from hallterm.services import queue

    assert queue.counter_view(demo.as_("8006"), counter=5).current is None
    assert actions(demo).count("counter.override") == 1


@pilot_test
async def test_a_terminal_locked_before_the_take_over_ends_the_session_too(demo):
    app = counter_app(demo, 1)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "8004", PIN)
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("f8")  # 8004 locks the terminal and steps away
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        hand_over(demo, 1, "8004", "8007")
        app.check_keeper()
        await settle(pilot)
        why = text(app.screen.query_one("#lock-why", Static))
        assert "Counter 1 was taken over by" in why and "(8007)" in why
        app.screen.query_one("#lock-pin", Input).value = PIN
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)  # not back at counter 1's panel


@pilot_test
async def test_sales_screen_refuses_a_clerk_at_another_clerks_counter_and_during_a_handover(
        hall, tmp_path):
    from dataclasses import replace

    from hallterm.services import handover
    from tests.sales_fixtures import stock_hall
    from tests.test_sales_screen import SalesHost, scan
    from tests.test_sales_screen import settle as settle_sales

    stock_hall(hall)  # counter 1 is 8004's
    settings = hall.settings.model_copy(update={"receipts_dir": tmp_path / "receipts"})
    liu = replace(hall.other, counter=1)  # 8005 signed in on counter 1's terminal
    app = SalesHost(liu, settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_sales(pilot)
        await scan(pilot, "6941487200028")  # a cable from counter 1's custody
        assert app.screen.query_one("#sales-cart").lines == []
        assert any("Counter 1 is kept by" in n.message and "(8004)" in n.message
                   for n in app._notifications)
    chen = replace(hall.sales, counter=1)
    handover.start(chen, counter=1, outgoing=chen.actor)
    app = SalesHost(chen, settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_sales(pilot)
        await scan(pilot, "6941487200028")
        assert app.screen.query_one("#sales-cart").lines == []
        assert any("being handed over" in n.message for n in app._notifications)
