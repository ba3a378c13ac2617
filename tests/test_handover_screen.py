"""The Handover screen (F7) with Textual's Pilot: start, blind count, reasons, witness, take over."""

from __future__ import annotations

from textual.widgets import Static

from hallterm.services import cash, handover, queue
from tests.pilot import PostHost, burst, pilot_test
from tests.pilot import settle as _settle
from tests.sales_fixtures import HANDSETS, PIN, SIMS
from tests.test_handover import counter_hall

SIZE = (120, 40)


run_async = pilot_test


def HandoverApp(ctx):
    from screens.posts.handover import HandoverScreen

    return PostHost(ctx, HandoverScreen)


async def settle(pilot) -> None:
    """Let service calls finish (not a step waiting on a dialog: it waits for us)."""
    await _settle(pilot, waiting_groups=("handover-step",))


async def type_enter(pilot, text: str) -> None:
    if len(text) > 12:  # a scanner's burst: put it in the focused field at once
        pilot.app.focused.value = text
        text = ""
    await pilot.press(*text, "enter")
    await settle(pilot)


async def start_handover(pilot, outgoing: str) -> None:
    """Press S and start the handover of the counter ``outgoing`` keeps (their PIN typed)."""
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    await type_enter(pilot, outgoing)
    await type_enter(pilot, PIN)


def detail(app) -> str:
    return str(app.screen.query_one("#ho-detail", Static).render())


@run_async
async def test_duty_manager_runs_a_handover_with_shortage_and_missing_serial(hall):
    counter_hall(hall)
    duty = hall.as_("8002")
    app = HandoverApp(duty)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Counter 1: no handover today" in detail(app)
        await pilot.press("s")
        await settle(pilot)
        await type_enter(pilot, "8004")
        await type_enter(pilot, PIN)
        text = detail(app)
        assert "Blind count" in text and "expected" not in text.replace("expected amounts", "")
        assert handover.active(duty, counter=1).state == "started"
        await pilot.press("c")
        await settle(pilot)
        await type_enter(pilot, "490")
        # The scanner: one serial per Enter, in one burst, into the list.
        await burst(pilot, *[k for s in [*HANDSETS[1:3], *SIMS[:2]] for k in (*s, "enter")])
        await settle(pilot)
        await pilot.press("tab", "tab")  # past the list to the counted goods
        await type_enter(pilot, "ACC-CABLE-C=10,ACC-CASE=5")
        text = detail(app)
        assert "expected ¥500.00" in text and "-¥10.00" in text
        assert HANDSETS[0] in text and "missing" in text
        await pilot.press("r")
        await settle(pilot)
        await type_enter(pilot, "short change")
        await type_enter(pilot, "handset lent to the demo table")
        await type_enter(pilot, "8002")  # the signed-in duty manager witnesses
        await type_enter(pilot, PIN)
        assert handover.active(duty, counter=1).state == "reviewed"
        await pilot.press("f")
        await settle(pilot)
        await type_enter(pilot, "8005")
        await type_enter(pilot, PIN)
        assert handover.active(duty, counter=1) is None
        assert "done" in detail(app)
        assert not app.bugs
    info = next(c for c in queue.queue_status(duty).counters if c.number == 1)
    assert (info.state, info.clerk) == ("open", "8005")
    assert cash.expected_cash(duty, counter=1).difference_fen == -1000
    done = handover.handovers(duty)[0]
    assert done.witness == "8002" and done.actor == "8002" and done.outgoing == "8004"


@run_async
async def test_reasons_typed_survive_a_cancelled_witness_step(hall):
    counter_hall(hall)
    duty = hall.as_("8002")
    app = HandoverApp(duty)
    async with app.run_test(size=SIZE) as pilot:
        await start_handover(pilot, "8004")
        await pilot.press("c")
        await settle(pilot)
        await type_enter(pilot, "490")
        await burst(pilot, *[k for s in [*HANDSETS, *SIMS[:2]] for k in (*s, "enter")])
        await settle(pilot)
        await pilot.press("tab", "tab")
        await type_enter(pilot, "ACC-CABLE-C=10,ACC-CASE=5")
        await pilot.press("r")
        await settle(pilot)
        await type_enter(pilot, "short change")
        await type_enter(pilot, "a cable lent to the demo table")
        await pilot.press("escape")  # the witness is not there yet
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        from textual.widgets import Input

        assert [i.value for i in app.screen.query(Input)] == [
            "short change", "a cable lent to the demo table"]
        assert not app.bugs


@run_async
async def test_screen_cancel_and_refusals(hall):
    counter_hall(hall)
    duty = hall.as_("8002")
    app = HandoverApp(duty)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")  # nothing in progress: a warning, nothing written
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await type_enter(pilot, "8002")  # the signed-in person cannot be the outgoing clerk
        await type_enter(pilot, PIN)
        assert "Another person" in str(app.screen.query_one("#dialog-message").render())
        await pilot.press("escape")
        await start_handover(pilot, "8004")
        assert handover.active(duty, counter=1) is not None
        await pilot.press("x")
        await settle(pilot)
        await type_enter(pilot, "clerk stays")
        assert handover.active(duty, counter=1) is None
        assert not app.bugs
    info = next(c for c in queue.queue_status(duty).counters if c.number == 1)
    assert info.state == "open"


@run_async
async def test_blind_count_takes_one_serial_per_enter_into_a_removable_list(hall):
    """A scanner's serials land in the list, one per Enter, never in the next field; a
    wrong one is removed with Ctrl+D; a counted item's barcode counts one of it."""
    counter_hall(hall)
    duty = hall.as_("8002")
    app = HandoverApp(duty)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_handover(pilot, "8004")
        await pilot.press("c")
        await settle(pilot)
        await type_enter(pilot, "500")
        stray = "351234567890125"  # scanned by mistake
        scans = [*HANDSETS[:3], stray, *SIMS[:2], HANDSETS[0]]
        await burst(pilot, *[k for s in scans for k in (*s, "enter")])
        await settle(pilot)
        dialog = app.screen
        assert dialog.serials == [*HANDSETS[:3], stray, *SIMS[:2]]  # the repeat is refused
        assert "already in the list" in str(dialog.query_one("#count-error").render())
        assert dialog.query_one("#count-counts").value == ""  # nothing went to the next field
        assert dialog.query_one("#count-list").option_count == 6
        dialog.query_one("#count-list").highlighted = 3
        await pilot.press("ctrl+d")
        assert dialog.serials == [*HANDSETS[:3], *SIMS[:2]]
        # Counted goods stay apart: a case's barcode counts one case.
        await burst(pilot, *"6941487200035", "enter", *"ACC-CASE", "enter")
        await settle(pilot)
        assert dialog.scanned_counts == {"ACC-CASE": 2} and len(dialog.serials) == 5
        await pilot.press("tab", "tab")
        await type_enter(pilot, "ACC-CABLE-C=10,ACC-CASE=3")
        view = handover.active(duty, counter=1)
        assert view.state == "counted" and view.difference_fen == 0
        assert not view.stock_differences, view.stock_differences
        assert not app.bugs


@run_async
async def test_blind_count_keeps_the_count_when_a_field_is_wrong(hall):
    counter_hall(hall)
    duty = hall.as_("8002")
    app = HandoverApp(duty)
    async with app.run_test(size=SIZE) as pilot:
        await start_handover(pilot, "8004")
        await pilot.press("c")
        await settle(pilot)
        await type_enter(pilot, "100x4,3x1")  # no ¥3 note
        await burst(pilot, *[k for s in (*HANDSETS[:3], *SIMS[:2]) for k in (*s, "enter")])
        await settle(pilot)
        await pilot.press("ctrl+s")
        dialog = app.screen
        assert "not a Renminbi note" in str(dialog.query_one("#count-error").render())
        cash_field = dialog.query_one("#count-cash")
        assert cash_field.has_class("-invalid") and app.focused is cash_field
        assert len(dialog.serials) == 5  # nothing was lost
        cash_field.value = "100x5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert handover.active(duty, counter=1).state == "counted"


@run_async
async def test_an_unknown_item_in_the_blind_count_keeps_the_count(hall):
    """A typo in the typed items (FOO=2) used to close the dialog with 'Unknown item FOO.'
    and lose the cash and every scanned serial."""
    counter_hall(hall)
    duty = hall.as_("8002")
    app = HandoverApp(duty)
    async with app.run_test(size=SIZE) as pilot:
        await start_handover(pilot, "8004")
        await pilot.press("c")
        await settle(pilot)
        await type_enter(pilot, "100x5")
        await burst(pilot, *[k for s in (*HANDSETS[:3], *SIMS[:2]) for k in (*s, "enter")])
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#count-counts").value = "FOO=2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.pause(0.2)
        assert app.screen is dialog
        assert "Unknown item FOO" in str(dialog.query_one("#count-error").render())
        assert dialog.query_one("#count-counts").has_class("-invalid")
        assert dialog.query_one("#count-cash").value == "100x5" and len(dialog.serials) == 5
        dialog.query_one("#count-counts").value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert handover.active(duty, counter=1).state == "counted"
