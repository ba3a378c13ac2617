"""Pilot: the customer's identity at the counter (实名登记) — checked as typed, 代办, guardian,
masked on screen, revealed only with a reason (and logged)."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Checkbox, Input, Static

from tests.pilot import PostHost, pilot_test, settle
from tests.sales_fixtures import stock_hall

ADULT = "11010519491231002X"
WRONG_DIGIT = "110105194912310021"
WRONG_DATE = "110105194913310021"  # 13th month, right check digit
MINOR = "440106201503070016"  # born 2015
AGENT = "440106198506120037"
OTHER_MINOR = "110101201202023453"  # fourteen
SIZE = (120, 40)


def host(hall, role: str = "acceptance"):
    from screens.posts.sales import SalesScreen

    stock_hall(hall)
    ctx = replace(hall.add("8011", role), counter=1)
    return PostHost(ctx, SalesScreen, hall.settings), ctx


async def wait_for(pilot, predicate, tries: int = 60) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    assert predicate()


def form(app):
    from screens.widgets.identity import IdentityDialog

    return app.screen if isinstance(app.screen, IdentityDialog) else None


def shown(app, name: str) -> bool:
    field = app.screen.query_one(f"#field-{name}")
    return bool(field.display and field.parent.display)


def note(app, name: str) -> str:
    return str(app.screen.query_one(f"#note-{name}", Static).render())


def error(app) -> str:
    return str(app.screen.query_one("#entry-error", Static).render())


async def type_into(pilot, name: str, text: str) -> None:
    field = pilot.app.screen.query_one(f"#field-{name}", Input)
    field.focus()
    field.value = text
    await pilot.pause()


def visit_text(app) -> str:
    sales = app.screen_stack[1]
    return str(sales.query_one("#visit-customer", Static).render())


async def open_form(pilot) -> None:
    await settle(pilot)
    await pilot.press("ctrl+u")
    await wait_for(pilot, lambda: form(pilot.app) is not None)


@pilot_test
async def test_the_number_is_checked_as_typed_with_the_reason(hall):
    app, _ctx = host(hall)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await type_into(pilot, "number", WRONG_DIGIT)
        assert "Wrong check digit" in note(app, "number")
        await type_into(pilot, "number", WRONG_DATE)
        assert "not a real date" in note(app, "number")
        await type_into(pilot, "number", "11010519")
        assert "17 digits" in note(app, "number")
        await type_into(pilot, "number", ADULT)
        assert "Resident ID card" in note(app, "number") and "1949-12-31" in note(app, "number")


@pilot_test
async def test_a_wrong_value_in_every_field_keeps_the_form_open_and_says_which(hall):
    app, _ctx = host(hall)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await pilot.press("ctrl+s")  # nothing typed
        assert form(app) and "Fill in: Number (type or scan)" in error(app)
        await type_into(pilot, "number", WRONG_DIGIT)
        await type_into(pilot, "name", "张三")
        await pilot.press("ctrl+s")
        assert form(app) and "Wrong check digit" in error(app)
        assert app.screen.query_one("#field-number").has_class("-invalid")
        assert app.screen.focused.id == "field-number"
        await type_into(pilot, "number", ADULT)
        await type_into(pilot, "phone", "12345")
        await pilot.press("ctrl+s")
        assert form(app) and "11 digits" in error(app)
        assert app.screen.focused.id == "field-phone"
        await type_into(pilot, "phone", "13800001234")
        await type_into(pilot, "name", "")
        await pilot.press("ctrl+s")
        assert form(app) and "Fill in: Name on the document" in error(app)
        await type_into(pilot, "name", "张三")
        # An agent ticked: the agent's document is needed, and checked too.
        app.screen.query_one("#field-agent", Checkbox).value = True
        await pilot.pause()
        assert shown(app, "agent_number")
        await type_into(pilot, "agent_number", ADULT)
        await type_into(pilot, "agent_name", "李四")
        await pilot.press("ctrl+s")
        assert form(app) and "the customer's own" in error(app)
        await type_into(pilot, "agent_number", "44010619850612003")
        await pilot.press("ctrl+s")
        assert form(app) and "17 digits and a digit or X (17" in error(app)
        await type_into(pilot, "agent_number", AGENT)
        await pilot.press("ctrl+s")
        await settle(pilot, waiting_groups=("sales-dialog",))
        await wait_for(pilot, lambda: form(app) is None)
        await settle(pilot)
        panel = visit_text(app)
        assert "110***********002X" in panel and "138****1234" in panel
        assert ADULT not in panel and "13800001234" not in panel
        assert "440***********0037" in panel and "李四" in panel
        assert app.errors == []


@pilot_test
async def test_a_minor_needs_the_guardians_identity(hall):
    app, _ctx = host(hall)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        assert not shown(app, "guardian_number")
        await type_into(pilot, "number", MINOR)
        await type_into(pilot, "name", "小明")
        assert shown(app, "guardian_number")  # shown at once
        await pilot.press("ctrl+s")
        assert form(app) and "Fill in: Number (type or scan)" in error(app)
        assert app.screen.focused.id == "field-guardian_number"
        await type_into(pilot, "guardian_number", MINOR)
        await type_into(pilot, "guardian_name", "小明")
        await pilot.press("ctrl+s")
        assert form(app) and "the customer's own" in error(app)
        await type_into(pilot, "guardian_number", OTHER_MINOR)
        await pilot.press("ctrl+s")
        assert form(app) and "a guardian is an adult" in error(app)
        await type_into(pilot, "guardian_number", AGENT)
        await type_into(pilot, "guardian_name", "王母")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: form(app) is None)
        await settle(pilot)
        assert "Guardian (minor): 王母  440***********0037" in visit_text(app)


@pilot_test
async def test_enter_moves_through_the_form_and_esc_cancels(hall):
    app, _ctx = host(hall)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        assert app.screen.focused.id == "field-doc_type"
        await pilot.press("enter")
        assert app.screen.focused.id == "field-number"
        await pilot.press(*ADULT, "enter")
        assert app.screen.focused.id == "field-name"
        await pilot.press("escape")
        await wait_for(pilot, lambda: form(app) is None)
        await settle(pilot)
        assert app.screen.identity is None
