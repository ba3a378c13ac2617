"""Pilot: money taken on the Sales screen is never lost; the cart survives F1 and a restart."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Input, Static

from hallterm.services import cash, sales
from hallterm.services.sales import carts
from screens.widgets.confirm import ConfirmDialog
from tests.conftest import STAFF_PIN
from tests.pilot import PostHost, pilot_test, settle
from tests.sales_fixtures import stock_hall

SIZE = (120, 40)


async def wait_for(pilot, predicate, tries: int = 60) -> None:
    """Dialogs wait in workers: poll instead of waiting for every worker."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    assert predicate()


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def sales_screen(app):
    from screens.posts.sales import SalesScreen

    return next(s for s in reversed(app.screen_stack) if isinstance(s, SalesScreen))


def cart_of(app):
    return sales_screen(app).query_one("#sales-cart")


def at_counter(hall):
    stock_hall(hall)  # counter 1 open, kept by 8004
    return replace(hall.sales, counter=1)


def post_host(hall, tmp_path):
    from screens.posts.sales import SalesScreen

    ctx = at_counter(hall)
    settings = hall.settings.model_copy(update={"receipts_dir": tmp_path / "receipts"})
    return PostHost(ctx, SalesScreen, settings), ctx


def shell(hall, tmp_path):
    """The whole app on terminal T-test at counter 1 (a fresh process on the same store)."""
    from screens.app import HallTermApp

    settings = hall.settings.model_copy(update={"counter": 1,
                                                "receipts_dir": tmp_path / "receipts"})
    return HallTermApp(settings, None, ctx=replace(hall.ctx, counter=1))


async def sign_in(pilot, empno: str = "8004") -> None:
    await settle(pilot)
    screen = pilot.app.screen
    screen.query_one("#empno", Input).value = empno
    screen.query_one("#pin", Input).value = STAFF_PIN
    screen.set_focus(screen.query_one("#pin", Input))
    await pilot.press("enter")
    await settle(pilot)


async def open_sales(pilot) -> None:
    """Sign in as the sales clerk and go to the Sales post (F3)."""
    await sign_in(pilot)
    await pilot.press("f3")
    await settle(pilot)


async def scan(pilot, code: str) -> None:
    await pilot.press(*code, "enter")
    await settle(pilot)


async def fill_form(pilot, **values: str) -> None:
    """Fill the open FormDialog and confirm with Enter on its last field."""
    from screens.widgets.form_dialog import FormDialog

    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormDialog))
    form = pilot.app.screen
    for name, value in values.items():
        form.query_one(f"#field-{name}", Input).value = value
    form.set_focus(list(form.query(Input))[-1])
    await pilot.press("enter")
    await pilot.pause(0.05)


async def pay_qr(pilot, method: str, amount: str, reference: str) -> None:
    await pilot.press("ctrl+y")
    await fill_form(pilot, method=method, amount=amount, reference=reference)
    await settle(pilot)


@pilot_test
async def test_ctrl_l_after_a_wechat_payment_asks_and_the_payment_stays_recorded(hall, tmp_path):
    app, ctx = post_host(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "ACC-CASE")
        await pay_qr(pilot, "wechat", "10", "WX-10")
        assert "WeChat Pay ¥10.00 (WX-10)" in shown(app, "#cart-paid")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "WeChat Pay ¥10.00" in str(app.screen.query_one("#confirm-text").render())
        await pilot.press("n")
        await settle(pilot)
        assert [x.sku for x in cart_of(app).lines] == ["ACC-CASE"]
        assert [p.reference for p in cart_of(app).payments] == ["WX-10"]
    [cart] = carts.open_carts(ctx, counter=1)
    assert [(p.method, p.amount_fen, p.reference) for p in cart.taken] == [
        ("wechat", 1000, "WX-10")]
    assert [x.sku for x in cart.lines] == ["ACC-CASE"]


@pilot_test
async def test_ctrl_l_asks_before_clearing_a_cart_without_payments(hall, tmp_path):
    app, _ctx = post_host(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "ACC-CASE")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await settle(pilot)
        assert len(cart_of(app).lines) == 1
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(pilot)
        assert cart_of(app).lines == []
        assert "Cart cleared" in shown(app, "#sales-message")


@pilot_test
@pytest.mark.slow
async def test_giving_taken_money_back_with_the_duty_managers_pin(hall, tmp_path):
    app, ctx = post_host(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "ACC-CASE")
        await pay_qr(pilot, "wechat", "10", "WX-10")
        await pilot.press("ctrl+l")  # asks; Y gives the money back, then clears
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await fill_form(pilot, reference="WXR-10", reason="customer changed their mind")
        await wait_for(pilot, lambda: app.screen.query("#dialog-empno"))
        await pilot.press(*"8002", "enter", *STAFF_PIN, "enter")
        await wait_for(pilot, lambda: "Cart cleared" in shown(app, "#sales-message"))
        await settle(pilot)
        assert cart_of(app).lines == [] and cart_of(app).payments == []
    assert carts.open_carts(ctx, counter=1) == []
    assert cash.expected_cash(ctx, counter=1).expected_fen == 0
    assert sales.list_sales(ctx) == []


@pilot_test
async def test_sign_out_with_alipay_taken_is_refused_and_nothing_is_lost(hall, tmp_path):
    from screens.signin import SignInScreen

    at_counter(hall)
    app = shell(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_sales(pilot)
        await scan(pilot, "ACC-CASE")
        await pay_qr(pilot, "alipay", "20", "ALI-20")
        await pilot.press("f10")
        await settle(pilot)
        assert app.actor is not None and not isinstance(app.screen, SignInScreen)
        assert [p.reference for p in cart_of(app).payments] == ["ALI-20"]
        await pilot.press("ctrl+q")  # quitting is refused the same way
        await settle(pilot)
        assert app.is_running
    [cart] = carts.open_carts(hall.sales, counter=1)
    assert [(p.method, p.amount_fen) for p in cart.taken] == [("alipay", 2000)]


@pilot_test
async def test_sign_out_with_a_cart_asks_first(hall, tmp_path):
    from screens.signin import SignInScreen

    at_counter(hall)
    app = shell(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_sales(pilot)
        await scan(pilot, "ACC-CASE")
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await settle(pilot)
        assert app.actor is not None and len(cart_of(app).lines) == 1
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.actor is None


@pilot_test
@pytest.mark.slow
async def test_a_restarted_app_finds_the_cart_and_completes_it_without_double_entry(hall,
                                                                                 tmp_path):
    at_counter(hall)
    first = shell(hall, tmp_path)
    async with first.run_test(size=SIZE) as pilot:
        await open_sales(pilot)
        await scan(pilot, "ACC-CASE")
        await scan(pilot, "ACC-CASE")
        await pay_qr(pilot, "alipay", "20", "ALI-20")
    # The first process is gone (as after a crash); a new one on the same store:
    second = shell(hall, tmp_path)
    async with second.run_test(size=SIZE) as pilot:
        await open_sales(pilot)
        assert [(x.sku, x.quantity) for x in cart_of(second).lines] == [("ACC-CASE", 2)]
        assert [p.reference for p in cart_of(second).payments] == ["ALI-20"]
        assert "Unfinished sale" in shown(second, "#sales-message")
        await pilot.press("ctrl+t")
        await settle(pilot)
        await scan(pilot, "100")  # ¥98 total, ¥20 taken: ¥78 due in cash
        assert "change ¥22.00" in shown(second, "#banner-text")
    [row] = sales.list_sales(hall.sales)
    sale = sales.get_sale(hall.sales, receipt_no=row.receipt_no)
    assert sorted((p.method, p.amount_fen) for p in sale.payments) == [
        ("alipay", 2000), ("cash", 7800)]
    assert carts.open_carts(hall.sales, counter=1) == []


@pilot_test
async def test_f1_during_a_sale_and_back_keeps_the_cart(hall, tmp_path):
    from screens.home import HomeScreen

    at_counter(hall)
    app = shell(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_sales(pilot)
        await scan(pilot, "ACC-CASE")
        await scan(pilot, "ACC-CABLE-C")
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f3")
        await settle(pilot)
        assert [x.sku for x in cart_of(app).lines] == ["ACC-CASE", "ACC-CABLE-C"]
        await pilot.press("ctrl+t")
        await settle(pilot)
        await scan(pilot, "100")
        assert "change ¥12.00" in shown(app, "#banner-text")  # ¥49 + ¥39


@pilot_test
async def test_ctrl_b_gives_a_taken_payment_back_and_keeps_the_cart(hall, tmp_path):
    app, ctx = post_host(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "ACC-CASE")
        await pay_qr(pilot, "card", "20", "C-20")
        await pilot.press("ctrl+b")
        await fill_form(pilot, reference="CR-20", reason="wrong card")
        await wait_for(pilot, lambda: app.screen.query("#dialog-empno"))
        await pilot.press(*"8002", "enter", *STAFF_PIN, "enter")
        await wait_for(pilot, lambda: "given back" in shown(app, "#sales-message"))
        await settle(pilot)
        assert cart_of(app).payments == [] and len(cart_of(app).lines) == 1
    assert carts.open_carts(ctx, counter=1) == []


@pilot_test
async def test_card_form_keeps_what_was_typed_and_marks_a_bad_amount(hall, tmp_path):
    from screens.widgets.form_dialog import FormDialog

    app, _ctx = post_host(hall, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scan(pilot, "ACC-CASE")
        await pilot.press("ctrl+y")
        await fill_form(pilot, method="card", amount="abc", reference="REF1")
        form = app.screen
        await wait_for(pilot, lambda: "abc" in str(form.query_one("#form-error").render()))
        assert isinstance(form, FormDialog)
        assert form.values() == {"method": "card", "amount": "abc", "reference": "REF1"}
        assert form.query_one("#field-amount", Input).has_class("-invalid")
        assert "abc" in str(form.query_one("#form-error").render())
        form.query_one("#field-amount", Input).value = "10"
        form.set_focus(form.query_one("#field-reference", Input))
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, FormDialog)
        assert [p.reference for p in cart_of(app).payments] == ["REF1"]
