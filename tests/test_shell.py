"""The app shell with Textual's Pilot: sign-in, lockout, idle lock, unlock, palette, language."""

from __future__ import annotations

import asyncio
import functools
import io

import pytest
from textual.widgets import Input, Static

from hallterm.i18n import _, get_language
from hallterm.permissions import allowed
from hallterm.store import execute
from screens import registry
from screens.base import PostScreen
from screens.home import HomeScreen
from screens.lock import LockScreen
from screens.palette import ShellCommands
from screens.signin import SignInScreen
from tests.conftest import MANAGER_PIN, STAFF_PIN
from tests.pilot import settle, sign_in

pytestmark = pytest.mark.sqlite_only  # screens (the shell, sign-in, lock): nothing of the engine

SIZE = (120, 40)


def run_async(test):
    """Run an async test on a fresh event loop (no pytest async plugin needed)."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper


class _FrontDesk(PostScreen):
    """A stand-in post screen (no customer data of its own)."""

    def compose(self):
        yield Static("front desk", id="front-desk")


@pytest.fixture
def test_posts():
    """Two posts only some roles may open; removed again afterwards."""
    added = [
        registry.register(registry.Post(id="zz_front", title="Front desk test", key="ctrl+t",
                                        permission="screen.reception", factory=_FrontDesk,
                                        order=990)),
        registry.register(registry.Post(id="zz_back", title="Back office test", key="ctrl+y",
                                        permission="screen.audit", factory=_FrontDesk,
                                        order=991)),
    ]
    yield added
    for post in added:
        registry._POSTS.pop(post.id, None)


def make_app(hall):
    from screens.app import HallTermApp

    return HallTermApp(hall.settings, None, ctx=hall.ctx)


async def type_pin(pilot, pin: str) -> None:
    """Fill the focused PIN field and press Enter."""
    pilot.app.screen.focused.value = pin
    await pilot.press("enter")
    await settle(pilot)


def text(widget) -> str:
    """What a Static shows, as plain text (strings, Text, tables)."""
    from rich.console import Console

    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.export_text()


def message(app) -> str:
    return text(app.screen.query_one("#signin-message", Static))


def audit_actions(hall) -> list[str]:
    with hall.ctx.store.read() as session:
        return [r[0] for r in execute(session, "SELECT action FROM audit_log ORDER BY seq")]


@run_async
async def test_sign_in_shows_home_with_person_day_and_posts(hall, test_posts):
    hall.add("7001", "guide", name="Guide Gu")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.actor is None
        await sign_in(pilot, "7001", STAFF_PIN, typed=True)
        assert isinstance(app.screen, HomeScreen)
        assert app.hctx.actor.empno == "7001"
        assert app.hctx.store is hall.ctx.store
        who = text(app.screen.query_one("#home-who", Static))
        assert "Guide Gu" in who and "7001" in who
        assert "2026-11-25" in text(app.screen.query_one("#home-day", Static))
        posts = text(app.screen.query_one("#home-posts", Static))
        # A guide may open reception, not audit; a guide sees no figures.
        assert "Front desk test" in posts and "Back office test" not in posts
        assert not app.screen.query_one("#home-figures", Static).display
        # The post's key opens it, with the shell header, and F1 comes home.
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, _FrontDesk)
        assert app.screen.query("ShellHeader")
        await pilot.press("ctrl+y")  # not this person's post: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, _FrontDesk)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert "auth.signin" in audit_actions(hall)


@run_async
async def test_manager_sees_headline_figures(hall):
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "9001", MANAGER_PIN)
        figures = app.screen.query_one("#home-figures", Static)
        assert figures.display
        assert _("Audit records today") in text(figures)


@run_async
async def test_wrong_pin_answers_like_an_unknown_number_and_clears_the_pin(hall):
    hall.add("7002", "sales")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "7002", "999999")
        assert isinstance(app.screen, SignInScreen)
        assert message(app).strip() == "Unknown employee number or wrong PIN."
        assert app.screen.query_one("#pin", Input).value == ""
        await pilot.press(*"424242")  # the focus is back on the PIN
        assert app.screen.query_one("#pin", Input).value == "424242"
    assert "auth.signin.failed" in audit_actions(hall)


@run_async
async def test_lockout_names_the_minutes_left(hall):
    hall.add("7003", "sales")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "7003", "111111")
        for _attempt in range(4):
            await type_pin(pilot, "111111")
        assert "locked for 15 minute(s)" in message(app)
        hall.clock.advance(minutes=5)
        await type_pin(pilot, STAFF_PIN)  # the right PIN, still locked
        assert "locked for 10 more minute(s)" in message(app)
        assert isinstance(app.screen, SignInScreen)


@run_async
async def test_idle_lock_by_the_clock_then_the_same_pin_returns_where_they_were(hall,
                                                                              test_posts):
    hall.add("7004", "guide")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "7004", STAFF_PIN)
        await pilot.press("ctrl+t")
        await settle(pilot)
        post = app.screen
        hall.clock.advance(minutes=4, seconds=59)
        assert app.check_idle_lock() is False
        await pilot.press("x")  # a key press restarts the idle time
        hall.clock.advance(minutes=4)
        assert app.check_idle_lock() is False
        hall.clock.advance(minutes=1)
        assert app.check_idle_lock() is True
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        # No customer data: nothing of the post is on the lock screen.
        assert not app.screen.query("#front-desk")
        assert app.check_action("open_post", ("zz_front",)) is False
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        await type_pin(pilot, "000000")
        assert isinstance(app.screen, LockScreen)
        assert "wrong PIN" in text(app.screen.query_one("#lock-message", Static))
        await pilot.press(*STAFF_PIN, "enter")  # typed: the PIN field had the focus
        await settle(pilot)
        assert app.screen is post
        assert app.actor.empno == "7004"
    actions = audit_actions(hall)
    assert "auth.idle_lock" in actions and "auth.unlock" in actions


@run_async
async def test_another_person_signs_in_at_the_lock_and_the_first_is_signed_out(hall):
    hall.add("7005", "sales")
    hall.add("7006", "warehouse")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "7005", STAFF_PIN)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        app.screen.query_one("#lock-empno", Input).value = "7006"
        await type_pin(pilot, STAFF_PIN)
        assert isinstance(app.screen, HomeScreen)
        assert app.actor.empno == "7006"
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["SignInScreen",
                                                                   "HomeScreen"]
    actions = audit_actions(hall)
    assert actions[-4:] == ["auth.signin", "auth.lock", "auth.signin", "auth.signout"] or (
        "auth.signout" in actions and "auth.lock" in actions)


@run_async
async def test_sign_out_key_returns_to_an_empty_sign_in(hall):
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "9001", MANAGER_PIN)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.actor is None
        assert app.screen.query_one("#empno", Input).value == ""
    assert "auth.signout" in audit_actions(hall)


@run_async
async def test_palette_lists_only_what_the_person_may_use(hall, test_posts):
    hall.add("7007", "guide")
    hall.add("7008", "sales")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        signed_out = [h.text async for h in ShellCommands(app.screen).discover()]
        assert signed_out == [_("Language"), _("Quit")]
        for empno, roles in (("7007", {"guide"}), ("7008", {"sales"})):
            await sign_in(pilot, empno, STAFF_PIN)
            titles = [h.text async for h in ShellCommands(app.screen).discover()]
            expected = [p.title for p in registry.posts() if allowed(roles, p.permission)]
            assert titles[:len(expected)] == expected
            assert ("Front desk test" in titles) == ("guide" in roles)
            assert "Back office test" not in titles
            # Keys: home has a key of its own (R: rectify a review exception)
            assert titles[len(expected):] == [_("Home"), _("Lock"), _("Language"),
                                              _("Sign out"), _("Quit"), _("Keys")]
            await pilot.press("ctrl+p")
            await settle(pilot)
            assert app.screen.query_one("CommandInput").placeholder == _(
                "Search for a screen or action…")
            await pilot.press("escape", "f10")
            await settle(pilot)


@run_async
async def test_language_switch_translates_the_screen_and_is_remembered(hall):
    from hallterm.services.staff import get_staff

    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "9001", MANAGER_PIN)
        assert get_language() == "en"
        await pilot.press("f9")
        await settle(pilot)
        assert get_language() == "zh_CN"
        footer = {a.binding.description for a in app.screen.active_bindings.values()}
        assert _("Sign out") in footer and "Sign out" not in footer
        assert _("Sign out") != "Sign out"
        assert _("Your posts") in text(app.screen.query_one("#home-posts-title",
                                                           Static))
        assert get_staff(hall.manager, empno="9001").language == "zh_CN"
        await pilot.press("f10")  # signing out returns to the terminal's language
        await settle(pilot)
        assert get_language() == "en"
        assert app.screen.query_one("#empno-label").render().plain == "Employee number"
        await sign_in(pilot, "9001", MANAGER_PIN)  # the person's choice comes back
        assert get_language() == "zh_CN"


@run_async
async def test_approval_dialog_returns_the_approver_or_says_why_not(hall):
    from screens.widgets.approval import ApprovalDialog

    hall.add("7009", "sales")
    hall.add("7010", "duty_manager")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "7009", STAFF_PIN)
        results = []
        app.push_screen(ApprovalDialog("test.approve", "Void receipt 12"), results.append)
        await settle(pilot)
        await pilot.press(*"7009", "enter", *STAFF_PIN, "enter")
        await settle(pilot)
        refused = text(app.screen.query_one("#dialog-message", Static))
        assert "own action" in refused and results == []
        app.screen.query_one("#dialog-empno", Input).value = "7010"
        await type_pin(pilot, STAFF_PIN)
        assert [a.empno for a in results] == ["7010"]
        assert isinstance(app.screen, HomeScreen)


@run_async
async def test_person_dialog_cancel_returns_none(hall):
    from screens.widgets.person import PersonDialog

    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "9001", MANAGER_PIN)
        results = []
        app.push_screen(PersonDialog("confirm", "The receiving clerk confirms"),
                        results.append)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert results == [None]


@run_async
async def test_unexpected_error_is_logged_with_a_short_apology(hall, tmp_path):
    app = make_app(hall)
    app.settings = hall.settings.model_copy(update={"log_file": tmp_path / "err.log"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError as exc:
            log = app.report_unexpected(exc)
        await pilot.pause()
    assert "ZeroDivisionError: boom" in log.read_text()


@run_async
async def test_home_tells_the_manager_of_wrong_approval_pins_under_their_number(hall):
    from hallterm.errors import AuthFailed
    from hallterm.services.staff import approve

    clerk = hall.add("7002", "sales")
    hall.add("7003", "duty_manager")
    for _n in range(5):
        with pytest.raises(AuthFailed):
            approve(clerk, action="sale.void", empno="7003", pin="000000")
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "7003", STAFF_PIN)  # their own sign-in still works
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        alerts = text(app.screen.query_one("#home-alerts", Static))
        assert "5 on terminal T-test" in alerts and "7002" in alerts
        assert "made to wait" in alerts


@run_async
async def test_header_follows_a_day_closed_on_another_terminal(hall, monkeypatch):
    """No F1 needed: the header (and home) see the day closed elsewhere."""
    from hallterm.bootstrap import open_ctx
    from hallterm.services.day import close_day
    from hallterm.services.staff import authenticate
    from screens.widgets import header as header_module
    from screens.widgets.header import ShellHeader

    monkeypatch.setattr(header_module, "DAY_POLL_SECONDS", 0.05)
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "9001", MANAGER_PIN)
        assert isinstance(app.screen, HomeScreen)
        header = app.screen.query_one(ShellHeader)
        assert "open" in str(header.render())
        # "Another terminal": its own context on the same store closes the day.
        other = open_ctx(hall.settings.model_copy(update={"terminal": "T-other"}), None,
                         clock=hall.clock)
        boss = other.as_actor(authenticate(other, empno="9001", pin=MANAGER_PIN))
        close_day(boss, force=True, reason="test: closed elsewhere",
                  reports_dir=hall.path.parent / "reports")
        for _tick in range(40):
            await pilot.pause(0.05)
            if "closed" in str(header.render()):
                break
        await settle(pilot)
        assert "closed" in str(header.render())
        assert app.day_state == "closed"
        assert "closed" in text(app.screen.query_one("#home-day", Static))
        other.store.dispose()


@run_async
async def test_a_sign_in_typed_while_the_store_opens_goes_through_when_it_is_open(hall):
    """On a loaded machine opening took ~20 s: Enter said "still opening" and the
    clerk had to press Enter again once it was open; now the sign-in goes on by itself."""
    import threading

    from screens.app import HallTermApp

    gate = threading.Event()

    def prepare(settings, clock):  # the store opening slowly
        gate.wait(30)
        return type("Prepared", (), {"settings": settings, "config_file": None})()

    app = HallTermApp(hall.settings, None, ctx=hall.ctx, prepare=prepare)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        assert not app.ready
        screen = app.screen
        screen.query_one("#empno", Input).value = "9001"
        screen.query_one("#pin", Input).value = MANAGER_PIN
        screen.set_focus(screen.query_one("#pin", Input))
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert "still opening" in str(screen.query_one("#signin-message", Static).render())
        gate.set()
        await settle(pilot, waiting_groups=("store",))
        for _i in range(50):
            if app.actor is not None:
                break
            await pilot.pause(0.1)
        assert app.actor is not None and app.actor.empno == "9001"
        assert isinstance(app.screen, HomeScreen)
