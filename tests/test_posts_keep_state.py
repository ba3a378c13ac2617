"""Pilot: every post is found as it was left after Home (F1) and back — what was typed,
the selected row, the Sales cart — and nobody finds another person's."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import DataTable, Input

from hallterm.i18n import get_language
from screens.home import HomeScreen
from screens.lock import LockScreen
from tests.conftest import MANAGER_PIN, STAFF_PIN
from tests.pilot import pilot_test, settle, sign_in
from tests.sales_fixtures import stock_hall

pytestmark = pytest.mark.slow  # the whole app, several posts each

SIZE = (120, 40)

MANAGERS_POSTS = [("reception", "f2"), ("warehouse", "f5"), ("audit", "f6"),
                  ("handover", "f7"), ("day", "f11"), ("counter", "f12")]


def shell(hall):
    """The whole app on a terminal at counter 1 (8004 keeps it, with stock there)."""
    from screens.app import HallTermApp

    stock_hall(hall)
    settings = hall.settings.model_copy(update={"counter": 1})
    return HallTermApp(settings, None, ctx=replace(hall.ctx, counter=1))


async def home_and_back(pilot, key: str) -> None:
    await pilot.press("f1")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)
    await pilot.press(key)
    await settle(pilot)


def leave_marks(screen) -> dict:
    """Type into the screen's first input and move its first table down a row."""
    marks: dict = {}
    fields = [f for f in screen.query(Input) if f.display]
    if fields:
        fields[0].value = "half typed"
        marks["input"] = fields[0].id
    tables = [t for t in screen.query(DataTable) if t.row_count > 1]
    if tables:
        tables[0].move_cursor(row=1)
        marks["table"] = (tables[0].id, 1)
    return marks


def found_marks(screen, marks: dict) -> None:
    if "input" in marks:
        assert screen.query_one(f"#{marks['input']}", Input).value == "half typed"
    if "table" in marks:
        table_id, row = marks["table"]
        assert screen.query_one(f"#{table_id}", DataTable).cursor_row == row


@pilot_test
async def test_each_managers_post_is_found_as_left_after_home(hall):
    app = shell(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "9001", MANAGER_PIN)
        for post_id, key in MANAGERS_POSTS:
            await pilot.press(key)
            await settle(pilot)
            screen = app.screen
            assert not isinstance(screen, HomeScreen), post_id
            marks = leave_marks(screen)
            await settle(pilot)
            await home_and_back(pilot, key)
            assert app.screen is screen, post_id
            found_marks(screen, marks)
        # Going from one post to another keeps the first as well.
        await pilot.press("f2")
        await settle(pilot)
        reception = app.screen
        await pilot.press("f1", "f6")
        await settle(pilot)
        await pilot.press("f1", "f2")
        await settle(pilot)
        assert app.screen is reception


@pilot_test
async def test_f1_keeps_the_sales_cart_the_typed_code_and_the_selected_line(hall):
    app = shell(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "8004", STAFF_PIN)
        await pilot.press("f3")
        await settle(pilot)
        for code in ("ACC-CASE", "ACC-CABLE-C"):
            await pilot.press(*code, "enter")
            await settle(pilot)
        sales = app.screen
        cart = sales.query_one("#sales-cart")
        cart.show(cart.lines, cart.payments, 0)  # the first line selected
        sales.query_one("#sales-scan", Input).value = "ACC-"
        await home_and_back(pilot, "f3")
        assert app.screen is sales
        assert [x.sku for x in cart.lines] == ["ACC-CASE", "ACC-CABLE-C"]
        assert cart.selected == 0
        assert sales.query_one("#sales-scan", Input).value == "ACC-"


@pilot_test
async def test_a_language_switch_at_home_reaches_the_kept_post(hall):
    app = shell(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "9001", MANAGER_PIN)
        start = get_language()
        await pilot.press("f6")
        await settle(pilot)
        audit = app.screen
        before = [b.description for b in audit._bindings.key_to_bindings.get("f5", [])]
        await pilot.press("f1", "f9")
        await settle(pilot)
        assert get_language() != start
        await pilot.press("f6")
        await settle(pilot)
        assert app.screen is audit
        after = [b.description for b in audit._bindings.key_to_bindings.get("f5", [])]
        assert before != after or not before
        await pilot.press("f9")  # back, for the other tests
        await settle(pilot)


@pilot_test
async def test_sign_out_forgets_the_posts(hall):
    app = shell(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "9001", MANAGER_PIN)
        await pilot.press("f2")
        await settle(pilot)
        reception = app.screen
        marks = leave_marks(reception)
        await pilot.press("f10")
        await settle(pilot)
        assert app.actor is None and app.kept_posts == {}
        assert not reception.is_attached
        await sign_in(pilot, "9001", MANAGER_PIN)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is not reception
        if "input" in marks:
            assert app.screen.query_one(f"#{marks['input']}", Input).value == ""


@pilot_test
async def test_another_person_at_the_lock_finds_no_cart_of_the_first(hall):
    app = shell(hall)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "8004", STAFF_PIN)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press(*"ACC-CASE", "enter")
        await settle(pilot)
        first = app.screen
        assert len(first.query_one("#sales-cart").lines) == 1
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        app.screen.query_one("#lock-empno", Input).value = "8005"
        app.screen.focused.value = STAFF_PIN
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.actor.empno == "8005"
        assert app.kept_posts == {} and not first.is_attached
        await pilot.press("f3")
        await settle(pilot)
        assert app.screen is not first
        assert "ACC-CASE" not in [x.sku for x in app.screen.query_one("#sales-cart").lines]


@pilot_test
async def test_a_take_over_ends_the_session_and_its_kept_posts(tmp_path):
    from tests.keeper_fixtures import PIN, hand_over, make_demo
    from tests.test_keeper_screen import counter_app

    demo = make_demo(tmp_path)
    app = counter_app(demo, 1)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot, "8004", PIN)
            await pilot.press("f3")
            await settle(pilot)
            first = app.screen
            first.query_one("#sales-scan", Input).value = "ACC-"
            await pilot.press("f1")
            await settle(pilot)
            assert app.kept_posts
            hand_over(demo, 1, "8004", "8007")
            app.check_keeper()
            await settle(pilot)
            assert isinstance(app.screen, LockScreen)
            app.screen.query_one("#lock-pin", Input).value = PIN
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen) and app.actor.empno == "8004"
            assert app.kept_posts == {} and not first.is_attached
    finally:
        demo.ctx.store.dispose()
