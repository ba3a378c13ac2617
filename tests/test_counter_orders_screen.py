"""Pilot: service orders at the counter, on the Sales screen (one visit holds sales and orders).

A new line with its first payment (唱收唱付, the receipt says when it starts), the
一证五号 cap on screen with the count, a plan change told when it takes effect, a SIM
swap paid and the old SIM retired, a cancellation only after the retention offer,
and a port-out never blocked (an offer only when the customer agrees to hear it).
Every wrong value keeps its form open with a clear message.
"""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Checkbox, Input, Select, Static

from hallterm.services import customers, orders, sales
from tests.orders_fixtures import ADULT_ID, NUMBERS, SIMS, open_line, order_hall
from tests.pilot import PostHost, pilot_test, settle

SIZE = (120, 40)


def host(hall, tmp_path, ctx=None):
    from screens.posts.sales import SalesScreen

    order_hall(hall)
    ctx = replace(ctx or hall.clerk, counter=1)
    settings = hall.settings.model_copy(update={"receipts_dir": tmp_path / "receipts"})
    return PostHost(ctx, SalesScreen, settings), ctx


async def wait_for(pilot, predicate, tries: int = 80) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    assert predicate()


def sales_screen(app):
    from screens.posts.sales import SalesScreen

    return next(s for s in reversed(app.screen_stack) if isinstance(s, SalesScreen))


def dialog_title(app) -> str:
    found = app.screen.query("#entry-title")
    return str(found.first().render()) if found else ""


async def in_form(pilot, title: str) -> None:
    """Wait for the form titled ``title``, all its fields mounted (its message line last)."""
    await wait_for(pilot, lambda: title in dialog_title(pilot.app)
                   and bool(pilot.app.screen.query("#entry-error")))
    await pilot.pause()


async def fill(pilot, **values) -> None:
    """Set fields of the open form (text, choice or tick box) by name."""
    for name, value in values.items():
        field = pilot.app.screen.query_one(f"#field-{name}")
        if isinstance(field, Checkbox):
            field.value = bool(value)
        elif isinstance(field, Select):
            field.value = value
        else:
            assert isinstance(field, Input)
            field.value = value
        await pilot.pause()


def form_error(app) -> str:
    return str(app.screen.query_one("#entry-error", Static).render())


async def confirm_and_wait(pilot, title: str | None = None) -> None:
    """Ctrl+S; wait until the form's check has answered (it closed, or it said why)."""
    before = pilot.app.screen
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: pilot.app.screen is not before
                   or form_error(pilot.app) not in ("", "Checking…"))


def said(app) -> str:
    return str(sales_screen(app).query_one("#sales-message", Static).render())


async def identify(pilot, number: str = ADULT_ID, name: str = "张三",
                   phone: str = "13912345678") -> None:
    await in_form(pilot, "Customer identity")
    await fill(pilot, number=number, name=name, phone=phone)
    await confirm_and_wait(pilot)


async def order(pilot, key: str, title: str) -> None:
    await pilot.press("ctrl+w")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ in ("OrderMenu",
                                                                       "IdentityDialog"))
    if type(pilot.app.screen).__name__ == "IdentityDialog":
        await identify(pilot)
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "OrderMenu")
    await pilot.press(key)
    await in_form(pilot, title)


@pilot_test
async def test_a_new_line_with_its_first_payment_and_the_receipt(hall, tmp_path):
    app, ctx = host(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await order(pilot, "n", "New line for 张三")
        await fill(pilot, number=NUMBERS[3], iccid="8986001234", plan="PLAN-5G-59")
        await confirm_and_wait(pilot)
        assert "New line" in dialog_title(app)  # a SIM not held here: the form stays
        assert "custody" in form_error(app) or "ICCID" in form_error(app)
        assert app.screen.focused.id == "field-iccid"
        await fill(pilot, iccid=SIMS[0], id_copy=True, form_signed=True, photo=True)
        await confirm_and_wait(pilot)
        await in_form(pilot, "First payment of O20261125-0001")
        await fill(pilot, tendered="10")
        await confirm_and_wait(pilot)
        assert "less than" in form_error(app)  # too little cash: still open
        await fill(pilot, tendered="100")
        await confirm_and_wait(pilot)
        await settle(pilot)
        screen = sales_screen(app)
        banner = str(screen.query_one("#banner-text").render())
        assert "Received ¥100.00, change ¥31.00" in banner
        table = screen.query_one("#visit-orders")
        assert table.row_count == 1
        row = table.get_row_at(0)
        assert row[0] == "O20261125-0001" and "138****0003" in str(row[2])
        assert "completed" in str(row[3])
        note = str(screen.query_one("#visit-note", Static).render())
        assert "Lines with us: 1 of 5 (138****0003)" in note
        assert app.errors == []
    done = orders.get_order(ctx, order_no="O20261125-0001")
    assert done.state == "completed" and done.number == NUMBERS[3]
    receipt = (tmp_path / "receipts" / f"{done.receipt_no}.txt").read_text(encoding="utf-8")
    assert "找您 ¥31.00" in receipt and "生效" in receipt


@pilot_test
async def test_the_five_line_cap_is_refused_on_screen_with_the_count(hall, tmp_path):
    app, _ctx = host(hall, tmp_path)
    for n in range(5):
        open_line(hall, sim=n, number=NUMBERS[n])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await order(pilot, "n", "New line for 张三")
        await fill(pilot, iccid=SIMS[6])
        await confirm_and_wait(pilot)
        assert "New line" in dialog_title(app)
        assert "5" in form_error(app)
    assert orders.list_orders(hall.clerk, state="open") == []


@pilot_test
async def test_a_known_document_under_another_name_is_refused_on_screen(hall, tmp_path):
    app, ctx = host(hall, tmp_path)
    open_line(hall, sim=0, number=NUMBERS[0])  # 张三 holds ADULT_ID
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+u")
        await identify(pilot, name="王芳", phone="13700000000")
        await order(pilot, "n", "New line for 王芳")
        await fill(pilot, iccid=SIMS[1])
        await confirm_and_wait(pilot)
        assert "New line" in dialog_title(app)  # the form stays open with the reason
        assert "does not match this document's record (张*)" in form_error(app)
    assert [c.name for c in customers.find(ctx, number=ADULT_ID)] == ["张三"]
    assert orders.list_orders(hall.clerk, state="open") == []


@pilot_test
async def test_a_plan_change_says_when_it_takes_effect(hall, tmp_path):
    app, _ctx = host(hall, tmp_path)
    open_line(hall, sim=0, number=NUMBERS[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await order(pilot, "p", "Plan change for 张三")
        await fill(pilot, plan="PLAN-5G-59")
        await confirm_and_wait(pilot)
        assert "already on" in form_error(app)  # the plan it has: the form stays open
        assert NUMBERS[0] not in form_error(app) and "138****" in form_error(app)
        await fill(pilot, plan="PLAN-5G-129", form_signed=True)
        await confirm_and_wait(pilot)
        await settle(pilot)
        assert "takes effect on 2026-12-01 (next billing month)" in said(app)
        row = sales_screen(app).query_one("#visit-orders").get_row_at(0)
        assert "2026-12-01" in str(row[4])
        await order(pilot, "p", "Plan change for 张三")  # the customer changes their mind
        # the form offers a plan neither in effect (59) nor pending (129)
        assert app.screen.query_one("#field-plan", Select).value == "PLAN-BASIC-8"
        await fill(pilot, plan="PLAN-5G-59", form_signed=True)
        await confirm_and_wait(pilot)
        await settle(pilot)
        assert "Replaces the pending change to" in said(app)
        assert "2026-12-01" in said(app)


@pilot_test
async def test_a_sim_swap_takes_a_sim_from_custody_and_retires_the_old(hall, tmp_path):
    from hallterm.services import stock

    app, ctx = host(hall, tmp_path)
    open_line(hall, sim=0, number=NUMBERS[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await order(pilot, "s", "SIM replacement for 张三")
        await fill(pilot, iccid=SIMS[9])  # in the warehouse, not at this counter
        await confirm_and_wait(pilot)
        assert "not in this counter's custody" in form_error(app)
        await fill(pilot, iccid=SIMS[1], id_copy=True, form_signed=True)
        await confirm_and_wait(pilot)
        await in_form(pilot, "SIM replacement: ¥10.00 due")
        await fill(pilot, method="wechat")
        await confirm_and_wait(pilot)
        assert "reference" in form_error(app).lower()
        await fill(pilot, reference="WX0001")
        await confirm_and_wait(pilot)
        await settle(pilot)
        assert "Paid ¥10.00" in str(sales_screen(app).query_one("#banner-text").render())
    assert orders.get_line(ctx, number=NUMBERS[0]).now.iccid == SIMS[1]
    assert stock.history(hall.manager, serial=SIMS[0]).place == stock.DAMAGED  # retired


@pilot_test
async def test_a_cancellation_records_the_retention_offer_first(hall, tmp_path):
    app, ctx = host(hall, tmp_path)
    open_line(hall, sim=0, number=NUMBERS[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await order(pilot, "c", "Cancellation for 张三")
        await fill(pilot, outcome="left")
        await confirm_and_wait(pilot)
        assert "Fill in: Retention offer" in form_error(app)  # no offer: nothing goes
        await fill(pilot, offer="半价三个月 half price for 3 months", outcome="stayed")
        await confirm_and_wait(pilot)
        await settle(pilot)
        assert "retained" in said(app)
        assert orders.get_line(ctx, number=NUMBERS[0]).state == "active"
        await order(pilot, "c", "Cancellation for 张三")
        await fill(pilot, offer="免月租 no monthly fee", outcome="left", reason="moving abroad")
        await confirm_and_wait(pilot)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        await pilot.press("y")
        await settle(pilot)
        assert "completed" in said(app)
    kinds = [(o.kind, o.state) for o in orders.list_orders(ctx)]
    assert kinds[-2:] == [("cancel", "retained"), ("cancel", "completed")]
    assert orders.get_order(ctx, order_no=orders.list_orders(ctx)[-1].order_no
                            ).retention.offer == "免月租 no monthly fee"


@pilot_test
async def test_a_port_out_is_never_blocked_and_an_offer_needs_the_customers_yes(hall, tmp_path):
    app, ctx = host(hall, tmp_path)
    open_line(hall, sim=0, number=NUMBERS[0])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await order(pilot, "o", "Port-out enquiry")
        offer = app.screen.query_one("#field-offer")
        assert not offer.parent.display  # no offer asked until the customer says yes
        await fill(pilot, heard="yes")
        assert offer.parent.display
        await fill(pilot, heard="no", form_signed=True)
        await confirm_and_wait(pilot)  # no offer, goes ahead: recorded at once
        await settle(pilot)
        assert "Port-out enquiry" in said(app) and "completed" in said(app)
    o = orders.list_orders(ctx)[-1]
    view = orders.get_order(ctx, order_no=o.order_no)
    assert view.retention.heard is False and view.retention.offer is None
    assert view.retention.outcome == "left"


@pilot_test
async def test_an_unpaid_new_line_stays_open_then_is_withdrawn(hall, tmp_path):
    app, ctx = host(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await order(pilot, "n", "New line for 张三")
        await fill(pilot, iccid=SIMS[2])
        await confirm_and_wait(pilot)
        await in_form(pilot, "First payment of")
        await pilot.press("escape")
        await settle(pilot)
        assert "is open" in said(app)
        await order(pilot, "w", "Withdraw an open order")
        await pilot.press("ctrl+s")
        await in_form(pilot, "Withdraw O20261125-0001")
        await confirm_and_wait(pilot)
        assert "Fill in: Reason" in form_error(app)
        await fill(pilot, reason="customer changed their mind")
        await confirm_and_wait(pilot)
        await settle(pilot)
        assert "withdrawn" in said(app)
    assert orders.get_order(ctx, order_no="O20261125-0001").state == "withdrawn"
    assert NUMBERS[0] in orders.free_numbers(ctx)
    assert sales.list_sales(ctx) == []


def audit_rows(ctx, action: str) -> list[str]:
    from hallterm.store import execute

    with ctx.store.read() as session:
        return [r.payload for r in execute(
            session, "SELECT payload FROM audit_log WHERE action = :a", {"a": action}).all()]


@pilot_test
async def test_reveal_asks_why_is_audited_and_esc_masks_again(hall, tmp_path):
    app, ctx = host(hall, tmp_path)
    open_line(hall, sim=0, number=NUMBERS[0])  # 张三 is a customer now
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+u")
        await identify(pilot)
        await settle(pilot)
        panel = sales_screen(app).query_one("#visit-customer", Static)
        assert customers.mask_id(ADULT_ID) in str(panel.render())
        assert ADULT_ID not in str(panel.render()) and "139****5678" in str(panel.render())
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "FormDialog")
        await pilot.press("enter")  # no reason: the dialog stays and says so
        assert type(app.screen).__name__ == "FormDialog"
        await pilot.press(*"verify", "enter")
        await wait_for(pilot, lambda: ADULT_ID in str(panel.render()))
        assert "13912345678" in str(panel.render())
        await pilot.press("escape")
        await settle(pilot)
        assert ADULT_ID not in str(panel.render())
    rows = audit_rows(ctx, "data.reveal")
    assert len(rows) == 1 and "verify" in rows[0] and ADULT_ID not in rows[0]


@pilot_test
async def test_a_sales_clerk_without_data_reveal_has_no_reveal_key(hall, tmp_path):
    from screens.posts.sales import SalesScreen

    order_hall(hall)
    seller = replace(hall.add("8012", "sales"), counter=1)
    app = PostHost(seller, SalesScreen, hall.settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "ctrl+d" not in [k for k, b in app.screen.active_bindings.items()
                                if b.enabled and b.binding.show]
        assert app.screen.check_action("reveal", ()) is False
        assert app.screen.check_action("order", ("cancel",)) is False
        assert app.screen.check_action("orders", ()) is True


@pilot_test
async def test_a_new_ticket_is_a_new_visit_whose_customer_is_identified_again(hall, tmp_path):
    from hallterm.services import queue

    app, _ctx = host(hall, tmp_path)
    guide = hall.add("8013", "guide")
    queue.issue_ticket(guide, service="A")
    queue.issue_ticket(guide, service="A")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e", "n")  # the counter panel calls the first ticket
        await settle(pilot)
        await pilot.press("escape", "ctrl+u")
        await identify(pilot)
        await settle(pilot)
        screen = sales_screen(app)
        assert screen.identity is not None and screen.customer_visit is not None
        await pilot.press("ctrl+e", "f", "n")  # finish, call the next customer
        await settle(pilot)
        assert screen.identity is None
        assert not screen.query_one("#sales-visit").has_class("-shown")


@pilot_test
async def test_the_order_menu_offers_a_sales_clerk_no_cancellation_or_port_out(hall, tmp_path):
    from screens.widgets.order_menu import OrderMenu

    app, _ctx = host(hall, tmp_path)
    sales_only = replace(hall.add("8014", "sales"), counter=1)
    app.hctx = sales_only
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+w")
        await identify(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, OrderMenu))
        menu = app.screen
        assert menu.check_action("choose", ("new_line",)) is True
        assert menu.check_action("choose", ("cancel",)) is False
        assert menu.check_action("choose", ("port_out",)) is False
        await pilot.press("c")  # nothing opens
        await pilot.pause()
        assert app.screen is menu
