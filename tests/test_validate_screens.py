"""Pilot tests: a dialog checks the whole request before it asks a second person for a PIN,
and keeps what was typed when one field is wrong (that field marked, a message under it)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Input, Label

from hallterm.services import sales
from hallterm.services.sales import PaymentIn, reversals
from tests.pilot import PostHost, pilot_test
from tests.sales_fixtures import approver, item_line, stock_hall


def sales_host(hall, tmp_path):
    from screens.posts.sales import SalesScreen

    stock_hall(hall)
    ctx = replace(hall.sales, counter=1)
    settings = hall.settings.model_copy(update={"receipts_dir": tmp_path / "receipts"})
    return PostHost(ctx, SalesScreen, settings), ctx


async def wait_for(pilot, ready, tries: int = 40) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if ready():
            return


def screen_name(app) -> str:
    return type(app.screen).__name__


def field(app, name: str) -> Input:
    return app.screen.query_one(f"#field-{name}", Input)


def form_error(app) -> str:
    return str(app.screen.query_one("#form-error", Label).render())


def sold(ctx, *codes):
    lines = [item_line(ctx, c) for c in codes]
    total = sales.cart_total(lines)
    return sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines,
                               payments=[PaymentIn("cash", total, total)])


def approvals(hall) -> int:
    from hallterm.store import execute

    with hall.ctx.store.read() as session:
        return execute(session, "SELECT COUNT(*) FROM audit_log WHERE action = "
                       "'auth.approve'").scalar()


async def open_reverse(pilot, app, *, kind: str, lines: str, reason: str) -> None:
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: screen_name(app) == "FormDialog")
    await pilot.press("enter")  # the receipt, filled in
    await pilot.press("ctrl+u", *kind, "enter")
    await pilot.press("ctrl+u", *lines, "enter")
    await pilot.press(*reason, "enter")
    await wait_for(pilot, lambda: screen_name(app) != "FormDialog"
                   or "Checking" not in form_error(app))


@pilot_test
@pytest.mark.slow
async def test_refund_over_what_was_sold_keeps_the_form_and_asks_no_pin(hall, tmp_path):
    app, ctx = sales_host(hall, tmp_path)
    done = sold(ctx, "ACC-CASE", "ACC-CABLE-C")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        app.screen.last_receipt = done.receipt_no
        await open_reverse(pilot, app, kind="refund", lines="2:5", reason="broken")
        assert screen_name(app) == "FormDialog"  # no PIN dialog for a bad request
        assert "left to give back" in form_error(app)
        assert field(app, "lines").has_class("-invalid")
        assert not field(app, "reason").has_class("-invalid")
        # Everything typed is still there; the clerk fixes the one field.
        assert (field(app, "receipt").value, field(app, "kind").value,
                field(app, "lines").value, field(app, "reason").value) == (
            done.receipt_no, "refund", "2:5", "broken")
        assert app.screen.focused is field(app, "lines")
        await pilot.press("ctrl+u", *"2:1", "enter", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "ApprovalDialog")
        assert screen_name(app) == "ApprovalDialog"
        await pilot.press(*"8002", "enter", *"246810", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "SalesScreen")
        await pilot.pause(0.3)
    view = sales.get_sale(ctx, receipt_no=done.receipt_no)
    assert [x.returned for x in view.lines] == [0, 1]
    assert approvals(hall) == 1


@pilot_test
@pytest.mark.slow
async def test_void_of_a_void_is_refused_in_the_form(hall, tmp_path):
    app, ctx = sales_host(hall, tmp_path)
    done = sold(ctx, "ACC-CASE")
    reversals.void_sale(ctx, receipt_no=done.receipt_no, reason="x", approver=approver(ctx))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        app.screen.last_receipt = done.receipt_no
        await open_reverse(pilot, app, kind="void", lines="all", reason="again")
        assert screen_name(app) == "FormDialog"
        assert "already void" in form_error(app)
        assert field(app, "receipt").has_class("-invalid")
        assert field(app, "reason").value == "again"
        await pilot.press("escape")
    assert approvals(hall) == 1  # only the first, real void's


@pilot_test
@pytest.mark.slow
async def test_a_discount_larger_than_the_line_is_refused_in_the_form(hall, tmp_path):
    app, _ctx = sales_host(hall, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await pilot.press(*"ACC-CASE", "enter")
        await wait_for(pilot, lambda: bool(app.screen.query_one("#sales-cart").lines))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: screen_name(app) == "FormDialog")
        await pilot.press("enter", *"80", "enter", *"scratched", "enter")
        await wait_for(pilot, lambda: "Checking" not in form_error(app))
        assert screen_name(app) == "FormDialog"
        assert "more than the line" in form_error(app)
        assert field(app, "discount").has_class("-invalid")
        assert field(app, "reason").value == "scratched"
        await pilot.press("ctrl+u", *"9", "enter", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "ApprovalDialog")
        assert screen_name(app) == "ApprovalDialog"


# -- the Warehouse screen: the document and the receiving clerk are checked before any PIN -----
def warehouse(hall):
    from pathlib import Path

    from hallterm.services import catalog, queue, stock
    from hallterm.services.stock import LineIn
    from screens.posts.warehouse import WarehouseScreen

    catalog.load_catalog(hall.manager, path=Path(__file__).parent.parent / "data" /
                         "catalog.toml")
    hall.add("8004", "sales")
    hall.add("8005", "sales")
    clerk = hall.add("8008", "warehouse")
    stock.receive(clerk, document_no="DN1", supplier="GD", lines=[LineIn("ACC-CASE", None, 5)])
    queue.set_counter_state(hall.manager, counter=1, state="open", clerk="8004")
    return PostHost(clerk, WarehouseScreen), clerk


def staff_row(hall, empno):
    from hallterm.services.staff import get_staff

    return get_staff(hall.manager, empno=empno)


def auth_actions(hall) -> list[str]:
    from hallterm.store import execute

    with hall.ctx.store.read() as session:
        return [r[0] for r in execute(session, "SELECT action FROM audit_log WHERE action "
                                      "LIKE 'auth.stock%' ORDER BY seq")]


async def open_issue_form(pilot, app) -> None:
    """Press I on the warehouse post and wait for the issue form."""
    await pilot.press("i")
    await wait_for(pilot, lambda: screen_name(app) == "FormDialog")


async def issue_to(pilot, app, counter: str) -> None:
    """Start an issue to ``counter``: the form filled in, the document open."""
    await open_issue_form(pilot, app)
    await pilot.press(*counter, "enter")
    await wait_for(pilot, lambda: screen_name(app) != "FormDialog")


@pilot_test
async def test_issue_to_counter_99_is_refused_in_the_form(hall):
    app, _clerk = warehouse(hall)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await open_issue_form(pilot, app)
        await pilot.press(*"99", "enter")
        await wait_for(pilot, lambda: "Checking" not in form_error(app))
        assert screen_name(app) == "FormDialog"
        assert "no counter 99" in form_error(app)
        assert field(app, "counter").has_class("-invalid")
        assert field(app, "counter").value == "99"
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen.mode == "stock"


@pilot_test
@pytest.mark.slow
async def test_a_counter_under_stocktake_asks_no_one_for_a_pin(hall):
    from hallterm.services.stock import stocktake

    app, clerk = warehouse(hall)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await issue_to(pilot, app, "1")
        await pilot.press(*"ACC-CASE", "enter")  # the item, then how many
        await pilot.pause(0.2)
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: bool(app.screen.draft and app.screen.draft.lines))
        stocktake.start(clerk, place="counter:1")  # begun meanwhile at the back office
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
        assert screen_name(app) == "WarehouseScreen"  # no PIN dialog
        assert any("in progress" in n.message for n in app._notifications)
        assert app.screen.draft is not None and app.screen.draft.lines  # the document stays
        # And a new issue to that counter is refused in its form.
        await pilot.press("escape")
        await open_issue_form(pilot, app)
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: "Checking" not in form_error(app))
        assert "in progress" in form_error(app) and field(app, "counter").has_class("-invalid")


@pilot_test
@pytest.mark.slow
async def test_the_wrong_receiving_clerk_is_refused_before_the_pin(hall):
    from hallterm.services import stock

    app, clerk = warehouse(hall)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await issue_to(pilot, app, "1")
        await pilot.press(*"ACC-CASE", "enter")  # the item, then how many
        await pilot.pause(0.2)
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: bool(app.screen.draft and app.screen.draft.lines))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "PersonDialog")
        await pilot.press(*"8005", "enter", *"246810", "enter")
        await wait_for(pilot, lambda: "only they" in str(
            app.screen.query_one("#dialog-message").render()))
        assert screen_name(app) == "PersonDialog"
        assert "only they" in str(app.screen.query_one("#dialog-message").render())
        empno = app.screen.query_one("#dialog-empno", Input)
        assert empno.value == "8005" and empno.has_class("-invalid")
        assert staff_row(hall, "8005").failed_attempts == 0 and auth_actions(hall) == []
        await pilot.press("ctrl+u", *"8004", "enter", *"246810", "enter")
        await wait_for(pilot, lambda: screen_name(app) == "WarehouseScreen"
                       and app.screen.mode == "stock")
        await pilot.pause(0.3)
    assert stock.custody(clerk, counter=1).quantity == 1
    assert auth_actions(hall) == ["auth.stock.issue"]


# -- the Handover screen: who is named is checked before their PIN ---------------------------
def reviewed_handover(hall):
    from hallterm.services import handover, queue
    from hallterm.services.staff import confirm_person
    from tests.sales_fixtures import HANDSETS, SIMS
    from tests.test_handover import counter_hall

    counter_hall(hall)
    hall.add("8006", "retention")
    queue.set_counter_state(hall.manager, counter=2, state="open", clerk="8006")
    duty = hall.as_("8002")
    view = handover.start(duty, counter=1, outgoing=confirm_person(duty, empno="8004",
                                                                  pin="246810"))
    handover.submit_count(duty, handover_id=view.id, cash_fen=50_000,
                          serials=[*HANDSETS[:3], *SIMS[:2]],
                          counts={"ACC-CABLE-C": 10, "ACC-CASE": 5})
    handover.review(duty, handover_id=view.id)
    return duty


@pilot_test
async def test_an_incoming_clerk_at_another_counter_is_refused_before_the_pin(hall):
    from hallterm.services import handover
    from screens.posts.handover import HandoverScreen

    duty = reviewed_handover(hall)
    app = PostHost(duty, HandoverScreen)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("f")
        await wait_for(pilot, lambda: screen_name(app) == "_NotSelf")
        await pilot.press(*"8006", "enter", *"246810", "enter")
        await wait_for(pilot, lambda: "counter 2" in str(
            app.screen.query_one("#dialog-message").render()))
        assert "already at counter 2" in str(app.screen.query_one("#dialog-message").render())
        empno = app.screen.query_one("#dialog-empno", Input)
        assert empno.value == "8006" and empno.has_class("-invalid")
        await pilot.press("escape")
        await pilot.pause(0.2)
    assert handover.active(duty, counter=1).state == "reviewed"
    assert staff_row(hall, "8006").failed_attempts == 0
    from hallterm.store import execute

    with hall.ctx.store.read() as session:
        assert execute(session, "SELECT COUNT(*) FROM audit_log WHERE entity_id = '8006' AND "
                       "action LIKE 'auth.handover%'").scalar() == 0


@pilot_test
@pytest.mark.slow
async def test_warehouse_forms_keep_what_was_typed_and_mark_the_wrong_field(hall):
    app, _clerk = warehouse(hall)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await pilot.press("r")  # a delivery already received (DN1 of GD)
        await wait_for(pilot, lambda: screen_name(app) == "FormDialog")
        await pilot.press(*"DN1", "enter", *"GD", "enter")
        await wait_for(pilot, lambda: "Checking" not in form_error(app))
        assert screen_name(app) == "FormDialog" and "already received" in form_error(app)
        assert field(app, "document").has_class("-invalid")
        assert (field(app, "document").value, field(app, "supplier").value) == ("DN1", "GD")
        await pilot.press("escape")
        await pilot.pause(0.1)
        await pilot.press("w")  # a write-off to a place that is no write-off
        await wait_for(pilot, lambda: screen_name(app) == "FormDialog")
        await pilot.press("enter", "ctrl+u", *"counter:3", "enter", *"cracked box", "enter")
        await wait_for(pilot, lambda: "Checking" not in form_error(app))
        assert screen_name(app) == "FormDialog" and "goes to damaged" in form_error(app)
        assert field(app, "to").has_class("-invalid")
        assert field(app, "reason").value == "cracked box"
        await pilot.press("ctrl+u", *"damaged", "enter", "enter")
        await wait_for(pilot, lambda: screen_name(app) != "FormDialog")
        assert app.screen.draft is not None and app.screen.draft.to_place == "damaged"
        assert app.screen.draft.reason == "cracked box"
