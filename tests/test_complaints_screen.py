"""The Complaints post (F4) with Textual's Pilot: my complaints by deadline, every action
from the keyboard, and a wrong value in every field keeping the form open and marked."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable, Input, Static

from hallterm.services import complaints
from tests.complaint_fixtures import a_receipt, make_desk, open_one, to_stage
from tests.conftest import MANAGER_PIN, STAFF_PIN
from tests.pilot import PostHost, pilot_test
from tests.pilot import settle as _settle

SIZE = (80, 24)


def ComplaintsApp(ctx):
    from screens.posts.complaints import ComplaintsScreen

    return PostHost(ctx, ComplaintsScreen)


async def settle(pilot) -> None:
    """Let service calls finish (not a worker waiting on a dialog: it waits for us)."""
    await _settle(pilot, waiting_groups=("complaints-dialog",))


def rows(app) -> list[list[str]]:
    table = app.screen.query_one("#cp-list", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def detail(app) -> str:
    return str(app.screen.query_one("#cp-text", Static).render())


async def fill(pilot, **values: str) -> None:
    """Put values into the open form's fields, then Enter on the last field."""
    form = pilot.app.screen
    for name, value in values.items():
        form.query_one(f"#field-{name}", Input).value = value
    last = list(form.query(Input))[-1]
    last.focus()
    await pilot.press("enter")
    await settle(pilot)


def marked(pilot, name: str) -> bool:
    """The form is still open with field ``name`` marked wrong, and the cursor in it."""
    field = pilot.app.screen.query(f"#field-{name}")
    return bool(field) and field.first(Input).has_class("-invalid") and field.first(
        Input).has_focus


def message(pilot) -> str:
    return str(pilot.app.screen.query_one("#form-error").render())


@pilot_test
async def test_my_complaints_by_deadline_and_one_in_full(hall):
    desk = make_desk(hall)
    first = open_one(desk.zhao)
    to_stage(desk.zhao, first, 2)  # its next deadline is the resolution, 48 h on
    hall.clock.set(hall.clock.now() + timedelta(hours=1))
    second = open_one(desk.zhao, phone="13900001111", category="network", text="No signal")
    open_one(desk.sun, phone="13900002222", text="Someone else's")  # not mine
    app = ComplaintsApp(desk.zhao)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        got = rows(app)
        assert [r[0].split()[0] for r in got] == [second, first]  # the nearest deadline first
        assert got[0][1] == "0/4" and got[0][2] == "11-27 17:00" and got[0][3] == "24h 00m"
        assert "My complaints by deadline: 2 open, 0 overdue" in str(
            app.screen.query_one("#cp-title", Static).render())
        text = detail(app)
        assert "Contact (explain): due 11-27 17:00, 24h 00m left" in text
        assert "139****1111" in text and "13900001111" not in text
        await pilot.press("down")
        await settle(pilot)
        assert f"{first}  Billing and charges" in detail(app)
        assert "✓ 2. Explain and clarify" in detail(app)


@pilot_test
async def test_a_new_complaint_with_a_wrong_value_in_every_field(hall):
    desk = make_desk(hall)
    receipt = a_receipt(hall)
    app = ComplaintsApp(desk.zhao)
    good = {"phone": "13812345678", "category": "billing", "channel": "counter",
            "text": "Charged twice", "receipt": "", "order": "", "ticket": ""}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "N takes a new one" in detail(app)
        await pilot.press("n")
        await settle(pilot)
        for name, wrong in (("phone", "12345"), ("category", "bills"), ("channel", "fax"),
                            ("receipt", "R 1"), ("order", "O#2"), ("ticket", "T?3"),
                            ("receipt", "R999"), ("order", "O999"), ("ticket", "Z")):
            await fill(pilot, **{**good, name: wrong})
            assert marked(pilot, name), (name, message(pilot))
            assert wrong in message(pilot) or name in ("phone", "category", "channel")
        await fill(pilot, **{**good, "text": ""})
        assert "Fill in: The complaint" in message(pilot)
        assert pilot.app.screen.query_one("#field-phone", Input).value == "13812345678"
        await fill(pilot, **{**good, "receipt": receipt})
        assert len(rows(app)) == 1
        number = rows(app)[0][0]
        assert receipt in detail(app) and "138****5678" in detail(app)
    assert complaints.get_complaint(desk.zhao, number=number).owner == "7001"


@pilot_test
async def test_stages_pause_and_resume_from_the_keyboard(hall):
    desk = make_desk(hall)
    number = open_one(desk.zhao)
    app = ComplaintsApp(desk.zhao)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.check_action("resume", ())
        await pilot.press("s")
        await settle(pilot)
        await fill(pilot, done="")
        assert "Fill in: What was done" in message(pilot)
        await fill(pilot, done="Listened and logged it")
        assert "✓ 1. Accept the complaint" in detail(app)
        await pilot.press("p")
        await settle(pilot)
        await fill(pilot, waiting_for="\x07")
        assert marked(pilot, "waiting_for")
        await fill(pilot, waiting_for="bring the bill")
        assert "waiting for the customer" in detail(app)
        assert "(paused)" in detail(app)
        assert app.screen.check_action("resume", ()) and not app.screen.check_action("pause", ())
        await pilot.press("r")
        await settle(pilot)
        await fill(pilot, note="")
        assert "in progress, stage 1/4 done" in detail(app)
    view = complaints.get_complaint(desk.zhao, number=number)
    assert [e.kind for e in view.events][-2:] == ["paused", "resumed"]


@pilot_test
async def test_transfer_then_the_colleague_accepts(hall):
    desk = make_desk(hall)
    number = open_one(desk.zhao)
    app = ComplaintsApp(desk.zhao)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await fill(pilot, to="99999", reason="night shift")
        assert marked(pilot, "to") and "No staff member" in message(pilot)
        await fill(pilot, to="7001", reason="night shift")
        assert marked(pilot, "to")  # already theirs
        await fill(pilot, to="7002", reason="\x00")
        assert marked(pilot, "reason")
        await fill(pilot, to="7002", reason="retention knows the plan")
        assert rows(app)[0][4] == "offered to 7002"
        assert not app.screen.check_action("accept", ())  # offered to someone else
    app = ComplaintsApp(desk.sun)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert rows(app)[0][4] == "offered to you"
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "Owner 7002" in detail(app)
    assert complaints.get_complaint(desk.sun, number=number).owner == "7002"


@pilot_test
async def test_compensation_checked_then_approved_by_the_duty_manager(hall):
    desk = make_desk(hall)
    number = open_one(desk.zhao)
    to_stage(desk.zhao, number, 2)
    app = ComplaintsApp(desk.zhao)
    good = {"kind": "credit", "amount": "20", "description": "Refund the double charge",
            "counter": "5"}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        for name, wrong in (("kind", "coupon"), ("amount", "-5"), ("amount", "abc"),
                            ("description", ""), ("counter", "x")):
            await fill(pilot, **{**good, name: wrong})
            assert marked(pilot, name) or "Fill in" in message(pilot), (name, message(pilot))
        # two wrong (the trial's): the first in field order is named, marked, has the cursor
        await fill(pilot, **{**good, "kind": "money", "amount": "12.345"})
        assert marked(pilot, "kind") and not marked(pilot, "amount"), message(pilot)
        assert "cash, credit" in message(pilot)
        await fill(pilot, **good)
        assert "Approval needed" in str(app.screen.query_one("#dialog-title").render())
        screen = app.screen
        screen.query_one("#dialog-empno", Input).value = "7009"
        screen.query_one("#dialog-pin", Input).value = STAFF_PIN
        screen.query_one("#dialog-pin", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "Compensation: Bill credit ¥20.00, Refund the double charge (approved by 7009" \
            in detail(app)
    assert MANAGER_PIN  # the hall manager is asked only above the hall's limit


@pilot_test
async def test_appeal_and_close_with_the_follow_up_result(hall):
    desk = make_desk(hall)
    number = open_one(desk.zhao)
    to_stage(desk.zhao, number, 3)
    app = ComplaintsApp(desk.zhao)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await fill(pilot, reference="\x01")
        assert marked(pilot, "reference")
        await fill(pilot, reference="GD-MIIT-2026-118")
        assert "Appealed (GD-MIIT-2026-118)" in detail(app)
        assert "the regulator accepts by 12-02 10:00" in detail(app)  # 5 working days
        await pilot.press("c")
        await settle(pilot)
        good = {"result": "satisfied", "attempts": "", "summary": "Refunded; customer happy"}
        await fill(pilot, **{**good, "result": "happy"})
        assert marked(pilot, "result")
        await fill(pilot, **{**good, "result": "unreachable", "attempts": "x"})
        assert marked(pilot, "attempts")
        await fill(pilot, **{**good, "result": "unreachable", "attempts": "1"})
        assert "after 3 follow-up attempts" in message(pilot)
        await fill(pilot, **{**good, "summary": ""})
        assert "Fill in: Summary" in message(pilot)
        await fill(pilot, **good)
        assert rows(app) == []  # closed: no longer among my open complaints
    view = complaints.get_complaint(desk.zhao, number=number)
    assert view.state == "closed" and view.result == "satisfied"


@pilot_test
async def test_the_manager_sees_the_halls_open_and_overdue_complaints(hall):
    desk = make_desk(hall)
    late = open_one(desk.zhao)  # Wed 10:00: contact due Fri 16:00 (8 + 9 + 7 working hours)
    hall.clock.set(hall.clock.now() + timedelta(hours=1))
    fresh = open_one(desk.sun, phone="13900002222")  # due Fri 17:00
    hall.clock.set(hall.clock.now() + timedelta(days=2, hours=5, minutes=30))  # Fri 16:30
    app = ComplaintsApp(desk.duty)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        got = rows(app)
        assert [r[0] for r in got] == [late, fresh]
        assert got[0][4] == "overdue: duty manager" and got[0][3] == "-30m"
        assert got[1][4] == "due soon" and got[1][3] == "30m"
        assert "The hall's open complaints: 2, 1 overdue" in str(
            app.screen.query_one("#cp-title", Static).render())
        await pilot.press("o")
        await settle(pilot)
        assert [r[0] for r in rows(app)] == [late]
        await pilot.press("v")
        await settle(pilot)
        assert rows(app) == []  # the duty manager owns none
        assert not app.screen.check_action("stage", ())


async def home_of(hall, empno: str, pin: str):
    """The full app signed in as ``empno``: its home screen's escalation lines."""
    from screens.app import HallTermApp
    from tests.pilot import sign_in

    app = HallTermApp(hall.settings, None, ctx=hall.ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, empno, pin)
        await _settle(pilot)
        box = app.screen.query_one("#home-escalations", Static)
        return box.display, str(box.render())


@pilot_test
async def test_overdue_complaints_escalate_on_the_managers_home_screens(hall):
    desk = make_desk(hall)
    late = open_one(desk.zhao)  # contact due Fri 16:00
    hall.clock.set(hall.clock.now() + timedelta(days=2, hours=5))  # Fri 15:00: nothing late
    assert await home_of(hall, "7009", STAFF_PIN) == (False, "")
    hall.clock.set(hall.clock.now() + timedelta(hours=2))  # Fri 17:00: 1 h late
    shown, text = await home_of(hall, "7009", STAFF_PIN)
    assert shown and "Overdue complaints (escalated to the duty manager): 1" in text
    assert f"{late} (Billing and charges) owner 7001: Accept stage overdue by 1h 00m" in text
    assert await home_of(hall, "9001", MANAGER_PIN) == (False, "")  # not yet the hall manager's
    assert (await home_of(hall, "7001", STAFF_PIN))[0] is False  # a clerk's home: none
    hall.clock.set(hall.clock.now() + timedelta(days=1))  # Sat 17:00: Fri 2.5 h + Sat 7.5 h late
    shown, text = await home_of(hall, "9001", MANAGER_PIN)
    assert shown and "Complaints escalated to the hall manager: 1" in text
    assert "Accept stage overdue by 10h 00m" in text


@pilot_test
async def test_typing_straight_on_after_enter_goes_into_the_next_field(hall):
    """The trial typed ahead after Enter and the letters landed in the field just left:
    Enter now moves the cursor before the next key is read."""
    from textual import events

    desk = make_desk(hall)
    app = ComplaintsApp(desk.zhao)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        for key in ("1", "3", "8", "enter", "b", "i", "l", "l"):  # one burst, as typed
            event = events.Key(key, key if len(key) == 1 else None)
            event.set_sender(app)
            app._driver.send_message(event)
        await settle(pilot)
        form = pilot.app.screen
        assert form.query_one("#field-phone", Input).value == "138"
        assert form.query_one("#field-category", Input).value == "bill"
        assert form.query_one("#field-category", Input).has_focus
