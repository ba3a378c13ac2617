"""Money taken is never lost: card/QR payments recorded when taken, carts kept in the store."""

from __future__ import annotations

import json

import pytest

from hallterm.errors import ApprovalRequired, BadInput, Refused
from hallterm.services import cash, sales
from hallterm.services.day import closing
from hallterm.services.sales import PaymentIn, carts
from hallterm.store import execute
from tests.sales_fixtures import approver, item_line, stock_hall


@pytest.fixture
def shop(hall):
    return stock_hall(hall)


def audit_rows(hall, action):
    with hall.ctx.store.read() as session:
        return [json.loads(r[0]) for r in execute(
            session, "SELECT payload FROM audit_log WHERE action = :a ORDER BY seq",
            {"a": action}).all()]


def take(shop, cart_id="cart-1", *, method="wechat", amount=1000, reference="WX-0001",
         lines=None):
    ctx = shop.sales
    lines = lines if lines is not None else [item_line(ctx, "ACC-CASE")]
    return carts.take_payment(ctx, cart_id=cart_id, counter=1, visit_id=None, lines=lines,
                              method=method, amount_fen=amount, reference=reference)


def test_a_taken_payment_is_recorded_with_its_cart_lines_and_audited(shop):
    cart = take(shop, amount=1000)
    assert cart.state == "open" and cart.counter == 1 and cart.clerk == "8004"
    assert [x.sku for x in cart.lines] == ["ACC-CASE"]
    [p] = cart.taken
    assert (p.method, p.amount_fen, p.reference, p.state) == ("wechat", 1000, "WX-0001", "taken")
    [row] = audit_rows(shop, "sale.payment_taken")
    assert row["method"] == "wechat" and row["amount_fen"] == 1000
    assert row["reference"] == "WX-0001" and row["counter"] == 1 and row["terminal"] == "T-test"
    # Another process (a restarted app) finds it at the counter.
    [found] = carts.open_carts(shop.sales, counter=1)
    assert found.id == "cart-1" and found.taken_fen == 1000
    assert carts.open_carts(shop.sales, counter=2) == []


def test_taking_refuses_cash_no_reference_more_than_due_and_a_repeat(shop):
    with pytest.raises(BadInput, match="cash is taken when the sale completes"):
        take(shop, method="cash")
    with pytest.raises(BadInput, match="reference"):
        take(shop, reference=" ")
    with pytest.raises(BadInput, match="more than"):
        take(shop, amount=4901)  # a case is ¥49
    take(shop, amount=2000)
    with pytest.raises(BadInput, match="already recorded"):
        take(shop, amount=1000)
    with pytest.raises(BadInput, match="more than"):
        take(shop, amount=3001, reference="WX-0002")
    assert carts.get_cart(shop.sales, cart_id="cart-1").taken_fen == 2000


def test_completing_uses_the_taken_payments_once(shop):
    ctx = shop.sales
    lines = [item_line(ctx, "ACC-CASE")]
    take(shop, amount=1000, lines=lines)
    take(shop, method="alipay", amount=2000, reference="ALI-9", lines=lines)
    # The screen passes the taken payments again with the cash for the rest: entered once.
    pays = sales.split_cash_rest(4900, [PaymentIn("wechat", 1000, reference="WX-0001"),
                                        PaymentIn("alipay", 2000, reference="ALI-9")], 2000)
    done = sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines, payments=pays,
                               cart_id="cart-1")
    sale = sales.get_sale(ctx, receipt_no=done.receipt_no)
    assert sorted((p.method, p.amount_fen) for p in sale.payments) == [
        ("alipay", 2000), ("cash", 1900), ("wechat", 1000)]
    cart = carts.get_cart(ctx, cart_id="cart-1")
    assert cart.state == "sold" and cart.receipt_no == done.receipt_no
    assert {p.state for p in cart.payments} == {"used"}
    assert carts.open_carts(ctx, counter=1) == []
    assert cash.expected_cash(ctx, counter=1).cash_sales_fen == 1900


def test_completing_without_passing_them_again_also_uses_them(shop):
    ctx = shop.sales
    lines = [item_line(ctx, "ACC-CASE")]
    take(shop, amount=4900, lines=lines)
    done = sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines, payments=[],
                               cart_id="cart-1")
    assert [(p.method, p.amount_fen) for p in sales.get_sale(
        ctx, receipt_no=done.receipt_no).payments] == [("wechat", 4900)]
    with pytest.raises(Refused, match="already sold"):
        take(shop, amount=100, reference="WX-2")


def test_refund_back_needs_a_manager_changes_no_drawer_and_settles_the_cart(shop):
    ctx = shop.sales
    [p] = take(shop, amount=1000).taken
    with pytest.raises(ApprovalRequired):
        carts.refund_taken(ctx, cart_id="cart-1", payment_id=p.id, refund_reference="WXR-1",
                           reason="customer left", approver=None)
    boss = approver(ctx, "sale.refund")
    with pytest.raises(BadInput, match="reference"):
        carts.refund_taken(ctx, cart_id="cart-1", payment_id=p.id, refund_reference="",
                           reason="customer left", approver=boss)
    cart = carts.refund_taken(ctx, cart_id="cart-1", payment_id=p.id, refund_reference="WXR-1",
                              reason="customer left", approver=boss)
    assert cart.state == "settled" and cart.taken == ()
    assert cart.payments[0].state == "refunded" and cart.payments[0].approver == "8002"
    assert carts.open_carts(ctx, counter=1) == []
    assert cash.expected_cash(ctx, counter=1).expected_fen == 0
    [row] = audit_rows(shop, "sale.payment_refunded")
    assert row["refund_reference"] == "WXR-1" and row["reference"] == "WX-0001"
    with pytest.raises(Refused, match="no longer taken"):
        carts.refund_taken(ctx, cart_id="cart-1", payment_id=p.id, refund_reference="WXR-2",
                           reason="again", approver=boss)


def test_lines_changed_after_a_payment_are_kept(shop):
    ctx = shop.sales
    take(shop, amount=1000)
    lines = [item_line(ctx, "ACC-CASE"), item_line(ctx, "ACC-CABLE-C", quantity=2)]
    carts.save_lines(ctx, cart_id="cart-1", lines=lines)
    assert [(x.sku, x.quantity) for x in carts.get_cart(ctx, cart_id="cart-1").lines] == [
        ("ACC-CASE", 1), ("ACC-CABLE-C", 2)]
    assert carts.save_lines(ctx, cart_id="never-paid", lines=lines) is None
    assert carts.get_cart(ctx, cart_id="never-paid") is None


def test_an_overridden_line_survives_the_store(shop):
    ctx = shop.sales
    boss = approver(ctx, "sale.price_override")
    line = sales.with_override(item_line(ctx, "ACC-CASE"), discount_fen=500, approver=boss,
                               reason="scratched")
    cart = take(shop, amount=1000, lines=[line])
    assert cart.lines[0] == line and cart.lines[0].approver.roles == boss.roles


def test_day_close_is_blocked_by_taken_money(shop):
    take(shop, amount=1000)
    found = closing.blockers(shop.manager, shop.clock.now().date())
    assert any("WeChat Pay ¥10.00 (WX-0001)" in b and "Counter 1" in b for b in found)


def test_handover_refused_while_the_counter_holds_taken_money(shop):
    from hallterm.services import handover, queue

    clerk = shop.sales  # stock_hall opened counter 1 with 8004, its keeper
    assert queue.queue_status(shop.manager).counters[0].state == "open"
    take(shop, amount=1000)
    with pytest.raises(Refused, match="WeChat Pay"):
        handover.start(clerk, counter=1, outgoing=clerk.actor)


def test_giving_back_is_checked_before_the_manager_is_asked(shop):
    ctx = shop.sales
    [p] = take(shop, amount=1000).taken
    with pytest.raises(BadInput, match="reference"):
        carts.check_refund_taken(ctx, cart_id="cart-1", payment_id=p.id, refund_reference="",
                                 reason="left")
    with pytest.raises(BadInput, match="reason"):
        carts.check_refund_taken(ctx, cart_id="cart-1", payment_id=p.id,
                                 refund_reference="WXR-1", reason=" ")
    assert carts.check_refund_taken(ctx, cart_id="cart-1", payment_id=p.id,
                                    refund_reference="WXR-1", reason="left") == 1000
    boss = approver(ctx, "sale.refund")
    carts.refund_taken(ctx, cart_id="cart-1", payment_id=p.id, refund_reference="WXR-1",
                       reason="left", approver=boss)
    with pytest.raises(Refused, match="no longer taken"):
        carts.check_refund_taken(ctx, cart_id="cart-1", payment_id=p.id,
                                 refund_reference="WXR-2", reason="again")
    # The approval is recorded with the action it approved, once.
    approvals = [r for r in audit_rows(shop, "auth.approve")]
    assert len(approvals) == 1


def test_cli_lists_open_carts_and_gives_money_back_with_an_approver(shop):
    from tests.test_sales_cli import run

    [p] = take(shop, amount=1000).taken
    r = run(shop, "sales", "carts", "--as", "8004")
    assert r.exit_code == 0, r.output
    assert "cart-1" in r.stdout and f"--payment {p.id}" in r.stdout
    assert "WeChat Pay ¥10.00 (WX-0001)" in r.stdout
    r = run(shop, "sales", "carts", "--json", "--as", "8004")
    assert json.loads(r.stdout)[0]["payments"][0]["reference"] == "WX-0001"
    # Checked before the approver's PIN: a missing reference asks no one.
    r = run(shop, "sales", "give-back", "cart-1", "--payment", str(p.id),
            "--refund-reference", " ", "--reason", "left", "--as", "8004")
    assert r.exit_code == 2 and "reference" in r.stderr and "PIN" not in r.output
    r = run(shop, "sales", "give-back", "cart-1", "--payment", str(p.id),
            "--refund-reference", "WXR-1", "--reason", "customer left", "--as", "8004",
            "--approver", "8002", approver_pin="246810")
    assert r.exit_code == 0, r.output
    assert "given back (refund WXR-1), approved by 8002" in r.stdout
    r = run(shop, "sales", "carts", "--as", "8004")
    assert "No unfinished sale holds money taken." in r.stdout
    r = run(shop, "sales", "give-back", "cart-1", "--payment", str(p.id),
            "--refund-reference", "WXR-2", "--reason", "again", "--as", "8004",
            "--approver", "8002", approver_pin="246810")
    assert r.exit_code == 3 and "no longer taken" in r.stderr


def test_only_the_counters_keeper_takes_money_there(shop):
    from hallterm.errors import Refused as Refusal

    other = shop.other  # 8005, a sales clerk who does not keep counter 1
    with pytest.raises(Refusal, match="kept by"):
        carts.take_payment(other, cart_id="cart-x", counter=1, visit_id=None,
                           lines=[item_line(other, "ACC-CASE")], method="card",
                           amount_fen=100, reference="C-1")
    assert carts.get_cart(shop.sales, cart_id="cart-x") is None


def test_taken_payments_are_exported_for_hq_with_what_became_of_them(shop):
    from hallterm.services.day import parts as dayparts

    ctx = shop.sales
    lines = [item_line(ctx, "ACC-CASE")]
    take(shop, amount=4900, lines=lines)
    sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines, payments=[],
                        cart_id="cart-1")
    [p] = take(shop, "cart-2", amount=1000, reference="WX-2").taken
    carts.refund_taken(ctx, cart_id="cart-2", payment_id=p.id, refund_reference="WXR-2",
                       reason="left", approver=approver(ctx, "sale.refund"))
    table = next(t for t in dayparts.exports() if t.name == "taken_payments")
    with ctx.store.read() as session:
        rows = execute(session, table.query, {"day": "2026-11-25", "after": 0,
                                              "limit": 10}).all()
    assert [len(r) for r in rows] == [len(table.fields)] * 2
    assert [(r[8], r[9], r[11], r[14]) for r in rows] == [
        ("wechat", 4900, "used", None), ("wechat", 1000, "refunded", "WXR-2")]
    assert rows[0][13] is not None  # the sale's payment row it became
