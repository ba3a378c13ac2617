"""Pilot tests: the counter panel, the Reception screen and the hall display."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from hallterm.services import queue
from tests.pilot import PostHost, pilot_test, settle

HostApp = PostHost


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


@pilot_test
async def test_counter_panel_calls_serves_and_reminds(hall):
    from screens.posts.counter import CounterScreen
    from screens.widgets.counter_panel import CounterPanel

    clerk = replace(hall.add("8004", "sales"), counter=1)
    queue.set_counter_state(clerk, counter=1, state="open")
    queue.issue_ticket(hall.ctx, service="A", priority="vip")
    hall.clock.advance(minutes=25)
    app = HostApp(clerk, CounterScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "1 waiting" in text(app, "#cp-counter")
        await pilot.press("n")
        await settle(pilot)
        assert "A001" in text(app, "#cp-ticket")
        assert "VIP" in text(app, "#cp-ticket")
        assert "25 min" in text(app, "#cp-apology") and "说明原因并表示歉意" in text(app, "#cp-apology")
        assert "its class goes first" in text(app, "#cp-why") or "first in line" in text(app, "#cp-why")
        panel = app.screen.query_one(CounterPanel)
        assert panel.current_visit == queue.counter_view(clerk).current.visit
        await pilot.press("s")
        await settle(pilot)
        assert "serving" in text(app, "#cp-ticket")
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("enter")  # an empty reason is refused: the dialog stays
        await settle(pilot)
        assert app.screen.__class__.__name__ == "FormDialog"
        await pilot.press(*"ID card", "enter")
        await settle(pilot)
        assert "A001" in text(app, "#cp-parked")
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert "No current ticket" in text(app, "#cp-ticket")
        assert panel.current_visit is None
        # a ticket called at another terminal shows up without a key press
        queue.issue_ticket(hall.ctx, service="A")
        panel.poll()
        await settle(pilot)
        assert "1 waiting" in text(app, "#cp-counter")


@pilot_test
async def test_reception_issues_in_two_keys_and_runs_counters(hall):
    from textual.widgets import DataTable

    from screens.posts.reception import ReceptionScreen

    guide = hall.add("8003", "guide")
    hall.add("8004", "sales")
    queue.issue_ticket(hall.ctx, service="A")
    hall.clock.advance(minutes=30)
    app = HostApp(guide, ReceptionScreen)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        board = app.screen.query_one("#rc-board", DataTable)
        first = [str(c) for c in board.get_row_at(0)]
        assert first[2] == "1" and "A001" in first[5]  # flagged: waited 30 min
        assert "Line A: A001 30′" in text(app, "#rc-line")
        await pilot.press("1")  # normal ticket, one key
        await settle(pilot)
        assert "A002" in text(app, "#rc-slip") and "People ahead: 1" in text(app, "#rc-slip")
        await pilot.press("v", "2")  # VIP ticket for service 2 (B), two keys
        await settle(pilot)
        slip = text(app, "#rc-slip")
        assert "B001" in slip and "VIP" in slip
        assert app.screen.priority == "normal"
        app.settings = hall.settings  # the slip prints to the receipts folder beside the store
        await pilot.press("s")
        await settle(pilot)
        printed = list(hall.settings.resolved_receipts_dir().glob("ticket-*B001*.txt"))
        assert len(printed) == 1 and "VIP" in printed[0].read_text(encoding="utf-8")
        # open counter 1 for clerk 8004 from the keyboard
        await pilot.press("o")
        await settle(pilot)
        app.screen.query_one("#field-counter").value = "1"
        await pilot.press("enter")
        for ch in "8004":
            await pilot.press(ch)
        await pilot.press("enter", "enter")
        await settle(pilot)
        counters = app.screen.query_one("#rc-counters", DataTable)
        row = [str(c) for c in counters.get_row_at(0)]
        assert row[1] == "open" and "8004" in row[2]
        # a call made at another terminal shows on the board at the next poll
        clerk = replace(hall.as_("8004"), counter=1)
        queue.call_next(clerk)
        app.screen.poll()
        await settle(pilot)
        row = [str(c) for c in counters.get_row_at(0)]
        assert row[3] == "A001"
        # cancel a waiting ticket
        await pilot.press("x")
        await settle(pilot)
        for ch in "A002":
            await pilot.press(ch)
        await pilot.press("enter")
        for ch in "left":
            await pilot.press(ch)
        await pilot.press("enter")
        await settle(pilot)
        assert [t.number for t in queue.waiting_tickets(guide, service="A")] == []


@pilot_test
async def test_display_shows_calls_made_elsewhere_without_customer_data(hall):
    from screens.display import DisplayApp, big

    clerk = replace(hall.add("8004", "sales"), counter=3)
    queue.set_counter_state(hall.manager, counter=3, state="open", clerk="8004")
    for _ in range(12):
        queue.issue_ticket(hall.ctx, service="B")
    app = DisplayApp(hall.ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "欢迎光临 / Welcome" in str(app.query_one("#dp-line", Static).render())
        assert next(s for s in app.board.services if s.code == "B").waiting == 12
        for _ in range(12):
            queue.call_next(clerk)
            queue.finish(clerk)
        app.poll()
        await settle(pilot)
        line = str(app.query_one("#dp-line", Static).render())
        assert line == "B012 → 3号窗口 / Counter 3"
        assert str(app.query_one("#dp-big", Static).render()) == big("B012 → 3")
        assert "B011" in str(app.query_one("#dp-calls", Static).render())
    assert big("A1").splitlines()[0] == "┏━┓ ╺┓"


@pilot_test
async def test_a_cancelled_appointment_ticket_leaves_the_next_ticket_normal(hall):
    """Esc on the appointment code used to leave the reception in appointment mode: the
    next service key asked for a code again (the trial issued an appointment by it)."""
    from screens.posts.reception import ReceptionScreen

    guide = hall.add("8003", "guide")
    app = HostApp(guide, ReceptionScreen)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.press("1")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "FormDialog"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.priority == "normal"
        await pilot.press("1")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ReceptionScreen"
        assert app.screen.slip is not None and app.screen.slip.priority == "normal"
