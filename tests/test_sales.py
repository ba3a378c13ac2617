"""Sales services: totals, change, split payment, overrides, holds, voids, refunds, drawer."""

from __future__ import annotations

import pytest

from hallterm.errors import ApprovalRequired, BadInput, Forbidden, Refused
from hallterm.services import cash, sales, stock
from hallterm.services.sales import PaymentIn, receipts, reversals
from hallterm.services.sales.reversals import RefundLine
from tests.sales_fixtures import HANDSETS, SIMS, approver, item_line, stock_hall


@pytest.fixture
def shop(hall):
    return stock_hall(hall)


def custody_of(ctx, sku):
    lines = {x.sku: x for x in stock.custody(ctx, counter=1).lines}
    return lines.get(sku)


# -- pure arithmetic ---------------------------------------------------------------------
def test_change_and_too_little_tendered():
    assert sales.change_for(18800, 20000) == 1200
    with pytest.raises(BadInput, match="less than"):
        sales.change_for(18800, 18799)
    s = sales.settle(18800, [PaymentIn("cash", 18800, 20000)])
    assert (s.tendered_fen, s.change_fen) == (20000, 1200)
    assert receipts.received_change(20000, 1200, "zh_CN") == "收您 ¥200.00，找您 ¥12.00"
    assert receipts.received_change(20000, 1200, "en") == "Received ¥200.00, change ¥12.00"


def test_split_payment_and_references():
    pays = sales.split_cash_rest(560_000, [PaymentIn("card", 540_000, reference="T123")], 20_000)
    s = sales.settle(560_000, pays)
    assert [p.method for p in s.payments] == ["card", "cash"]
    assert s.change_fen == 0
    with pytest.raises(BadInput, match="reference"):
        sales.settle(100, [PaymentIn("wechat", 100)])
    with pytest.raises(BadInput, match="do not match"):
        sales.settle(100, [PaymentIn("alipay", 50, reference="A1")])


def test_totals_with_override_and_discount(shop):
    a = item_line(shop.sales, "ACC-CABLE-C", quantity=2)
    boss = approver(shop.sales, "sale.price_override")
    b = sales.with_override(item_line(shop.sales, "ACC-CASE"), discount_fen=900, approver=boss,
                            reason="scratched box")
    assert sales.cart_total([a, b]) == 2 * 3900 + 4900 - 900
    assert b.overridden and b.list_price_fen == 4900


# -- completing a sale -------------------------------------------------------------------
def test_sale_moves_stock_numbers_receipt_and_drawer(shop):
    ctx = shop.sales
    cart = "cart-1"
    held = sales.hold_serial(ctx, counter=1, code="6901443512345", serial=HANDSETS[0],
                             cart_id=cart)
    lines = [held.line, item_line(ctx, "ACC-CABLE-C", quantity=2)]
    total = sales.cart_total(lines)
    done = sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines, cart_id=cart,
                               payments=[PaymentIn("cash", total, 560_000)], command_id="s1")
    assert done.receipt_no == "R20261125-0001"
    assert done.walk_up and done.change_fen == 560_000 - total
    assert HANDSETS[0] not in custody_of(ctx, "HS-HW-M60").serials
    assert custody_of(ctx, "ACC-CABLE-C").quantity == 8
    drawer = cash.expected_cash(ctx, counter=1)
    assert drawer.cash_sales_fen == total and drawer.expected_fen == total
    again = sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines,
                                payments=[PaymentIn("cash", total, 560_000)], command_id="s1")
    assert again.receipt_no == done.receipt_no  # idempotent
    view = sales.get_sale(ctx, receipt_no=done.receipt_no)
    assert sum(x.total_fen for x in view.lines) == sum(p.amount_fen for p in view.payments)


def test_serial_checks_at_scan(shop):
    ctx = shop.sales
    with pytest.raises(Refused, match="not in this counter's custody"):
        sales.hold_serial(ctx, counter=1, code="HS-HW-M60", serial=HANDSETS[3], cart_id="c1")
    sales.hold_serial(ctx, counter=1, code="HS-HW-M60", serial=HANDSETS[1], cart_id="c1")
    # The keeper's second terminal (another clerk is refused at counter 1 at all).
    other = shop.sales.__class__(**{**shop.sales.__dict__, "terminal": "T-other"})
    with pytest.raises(Refused, match="unfinished sale on terminal T-test"):
        sales.hold_serial(other, counter=1, code="HS-HW-M60", serial=HANDSETS[1], cart_id="c2")
    with pytest.raises(BadInput):
        sales.hold_serial(ctx, counter=1, code="HS-HW-M60", serial="123", cart_id="c1")
    sales.release_holds(ctx, cart_id="c1")
    sales.hold_serial(other, counter=1, code="HS-HW-M60", serial=HANDSETS[1], cart_id="c2")
    shop.clock.advance(minutes=sales.HOLD_MINUTES + 1)  # an abandoned hold expires
    sales.hold_serial(ctx, counter=1, code="HS-HW-M60", serial=HANDSETS[1], cart_id="c1")


def test_sold_serial_cannot_be_sold_again(shop):
    ctx = shop.sales
    line = item_line(ctx, "SIM-5G", serial=SIMS[0])
    sales.complete_sale(ctx, counter=1, visit_id=None, lines=[line],
                        payments=[PaymentIn("cash", 1000, 1000)])
    with pytest.raises(Refused, match="already sold"):
        sales.hold_serial(ctx, counter=1, code="SIM-5G", serial=SIMS[0], cart_id="x")


def test_override_needs_a_manager_and_is_recorded(shop):
    ctx = shop.sales
    line = item_line(ctx, "ACC-CASE")
    cheap = sales.with_override(line, unit_price_fen=3000, approver=shop.other.actor,
                                reason="promo")
    with pytest.raises(Forbidden):
        sales.complete_sale(ctx, counter=1, visit_id=None, lines=[cheap],
                            payments=[PaymentIn("cash", 3000)])
    boss = approver(ctx, "sale.price_override")
    cheap = sales.with_override(line, unit_price_fen=3000, approver=boss, reason="promo")
    done = sales.complete_sale(ctx, counter=1, visit_id=None, lines=[cheap],
                               payments=[PaymentIn("alipay", 3000, reference="AP-9")])
    view = sales.get_sale(ctx, receipt_no=done.receipt_no)
    assert (view.lines[0].list_price_fen, view.lines[0].unit_price_fen,
            view.lines[0].approver) == (4900, 3000, "8002")
    text = receipts.render(view, language="en", hall_name="Hall")
    assert "approved by 8002" in text and "ref AP-9" in text


def test_not_offered_is_refused(shop):
    ctx = shop.sales
    line = item_line(ctx, "SVC-FTTR")
    with pytest.raises(Refused, match="not offered"):
        sales.complete_sale(ctx, counter=1, visit_id=None, lines=[line],
                            payments=[PaymentIn("cash", 29900)])


def test_payments_must_match_and_nothing_is_half_written(shop):
    ctx = shop.sales
    line = item_line(ctx, "ACC-CABLE-C")
    with pytest.raises(BadInput, match="less than"):
        sales.complete_sale(ctx, counter=1, visit_id=None, lines=[line],
                            payments=[PaymentIn("cash", 3900, 3000)])
    assert sales.list_sales(ctx) == []
    assert custody_of(ctx, "ACC-CABLE-C").quantity == 10
    done = sales.complete_sale(ctx, counter=1, visit_id=None, lines=[line],
                               payments=[PaymentIn("cash", 3900)])
    assert done.receipt_no == "R20261125-0001"  # the failed attempt used no number


# -- voids and refunds -------------------------------------------------------------------
def _sale(shop, serial=HANDSETS[0]):
    ctx = shop.sales
    lines = [item_line(ctx, "HS-HW-M60", serial=serial), item_line(ctx, "ACC-CASE", quantity=2),
             item_line(ctx, "SVC-DATA-10G")]
    total = sales.cart_total(lines)
    pays = sales.split_cash_rest(total, [PaymentIn("card", 500_000, reference="C-1")], 100_000)
    return sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines, payments=pays)


def test_void_restores_custody_and_drawer(shop):
    ctx = shop.sales
    before_drawer = cash.expected_cash(ctx, counter=1).expected_fen
    before_cases = custody_of(ctx, "ACC-CASE").quantity
    done = _sale(shop)
    with pytest.raises(ApprovalRequired):
        reversals.void_sale(ctx, receipt_no=done.receipt_no, reason="wrong", approver=None)
    v = reversals.void_sale(ctx, receipt_no=done.receipt_no, reason="customer changed mind",
                        approver=approver(ctx))
    assert v.number == "V20261125-0001" and v.amount_fen == done.total_fen
    assert v.by_method == {"cash": done.total_fen - 500_000, "card": 500_000}
    assert HANDSETS[0] in custody_of(ctx, "HS-HW-M60").serials
    assert custody_of(ctx, "ACC-CASE").quantity == before_cases
    assert cash.expected_cash(ctx, counter=1).expected_fen == before_drawer
    with pytest.raises(Refused, match="already void"):
        reversals.void_sale(ctx, receipt_no=done.receipt_no, reason="again", approver=approver(ctx))
    rows = sales.list_sales(ctx)
    assert [(r.receipt_no, r.state) for r in rows] == [(done.receipt_no, "void")]
    nxt = sales.complete_sale(ctx, counter=1, visit_id=None, lines=[item_line(ctx, "ACC-CASE")],
                              payments=[PaymentIn("cash", 4900)])
    assert nxt.receipt_no == "R20261125-0002"  # the void kept its number
    assert stock.verify(ctx.as_actor(shop.manager.actor)).ok


def test_refund_partial_then_rest_never_more_than_sold(shop):
    ctx = shop.sales
    done = _sale(shop, HANDSETS[1])
    boss = approver(ctx, "sale.refund")
    r1 = reversals.refund_sale(ctx, receipt_no=done.receipt_no, lines=[RefundLine(2, 1)],
                           reason="one case too many", approver=boss)
    assert r1.number == "F20261125-0001" and r1.amount_fen == 4900
    assert r1.by_method == {"cash": 4900}
    assert custody_of(ctx, "ACC-CASE").quantity == 4  # 5 - 2 + 1
    with pytest.raises(Refused, match="only 1 left"):
        reversals.refund_sale(ctx, receipt_no=done.receipt_no, lines=[RefundLine(2, 2)],
                          reason="x", approver=boss)
    with pytest.raises(Refused, match="partly refunded"):
        reversals.void_sale(ctx, receipt_no=done.receipt_no, reason="x", approver=approver(ctx))
    r2 = reversals.refund_sale(ctx, receipt_no=done.receipt_no, lines=None, reason="returns all",
                           approver=boss)
    assert r1.amount_fen + r2.amount_fen == done.total_fen
    assert HANDSETS[1] in custody_of(ctx, "HS-HW-M60").serials
    with pytest.raises(Refused, match="already given back"):
        reversals.refund_sale(ctx, receipt_no=done.receipt_no, lines=None, reason="x",
                          approver=boss)
    view = sales.get_sale(ctx, receipt_no=done.receipt_no)
    assert sum(p.returned_fen for p in view.payments) == done.total_fen


def test_refund_needs_a_manager_not_a_clerk(shop):
    ctx = shop.sales
    done = _sale(shop, HANDSETS[2])
    with pytest.raises(Forbidden):
        reversals.refund_sale(ctx, receipt_no=done.receipt_no, lines=None, reason="x",
                          approver=shop.other.actor)


# -- the drawer --------------------------------------------------------------------------
def test_cash_movements_threshold_and_count(shop):
    ctx = shop.sales
    cash.move_cash(ctx, counter=1, kind="float", reason="", amount_fen=50_000)
    with pytest.raises(ApprovalRequired):
        cash.move_cash(ctx, counter=1, kind="in", reason="change_fund", amount_fen=200_000)
    boss = approver(ctx, "cash.move_large")
    cash.move_cash(ctx, counter=1, kind="in", reason="change_fund", amount_fen=200_000,
                   approver=boss)
    moved = cash.move_cash(ctx, counter=1, kind="out", reason="bank_drop", amount_fen=100_000)
    assert moved.expected_fen == 150_000
    with pytest.raises(Refused, match="should hold less than"):
        cash.move_cash(ctx, counter=1, kind="out", reason="bank_drop", amount_fen=160_000,
                       approver=boss)
    with pytest.raises(BadInput, match="reason"):
        cash.move_cash(ctx, counter=1, kind="out", reason="lunch", amount_fen=100)
    from hallterm.services.day import blockers

    assert any("Counter 1" in b for b in blockers(ctx, shop.clock.now().date()))
    # A count differing without a reason is recorded all the same; the day waits for the reason.
    counted = cash.count_cash(ctx, counter=1, counted_fen=149_000, purpose="day_end")
    assert (counted.difference_fen, counted.reason) == (-1000, None)
    assert any(f"Count {counted.id} of counter 1" in b and "without a reason" in b
               for b in blockers(ctx, shop.clock.now().date()))
    cash.give_count_reason(ctx, count_id=counted.id, reason="short ¥10, note missing")
    assert not any("ounter 1" in b for b in blockers(ctx, shop.clock.now().date()))


def test_day_report_section_and_exports(shop):
    ctx = shop.sales
    done = _sale(shop)
    reversals.void_sale(ctx, receipt_no=done.receipt_no, reason="x", approver=approver(ctx))
    _sale(shop, HANDSETS[1])
    from hallterm.services.day import parts as dayparts
    from hallterm.services.sales import day as sales_day

    with ctx.store.read() as session:
        figs = sales_day.compute(session, shop.clock.now().date())
    assert figs["receipts"] == {"first": "R20261125-0001", "last": "R20261125-0002", "count": 2}
    assert figs["totals"]["net_fen"] == done.total_fen
    assert sum(figs["by_method"].values()) == done.total_fen
    assert figs["reversals"][0]["approver"] == "8002"
    assert sales_day.render(figs)
    names = {t.name for t in dayparts.exports()}
    assert {"sales", "sale_lines", "payments", "voids_refunds", "cash_movements",
            "cash_counts"} <= names


def test_scan_not_offered_out_of_stock_and_name_search(shop):
    ctx = shop.sales
    found = sales.scan(ctx, counter=1, code="0194253401234")  # iPhone: not offered
    assert "not offered" in found.problem and found.line is None
    assert [o.line.sku for o in found.options] == ["HS-HW-M60", "HS-XM-14"]
    assert [o.available for o in found.options] == [3, 0]
    found = sales.scan(ctx, counter=1, code="ACC-CABLE-C", in_cart={"ACC-CABLE-C": 10})
    assert "out of stock" in found.problem
    found = sales.scan(ctx, counter=1, code="HS-HW-M60")
    assert found.serialised and set(found.serials) == set(HANDSETS[:3])
    found = sales.scan(ctx, counter=1, code="数据线")
    assert found.line is None and [o.line.sku for o in found.options] == ["ACC-CABLE-C"]


def test_only_the_drawers_keeper_or_a_manager_moves_its_cash(hall):
    """A clerk who is not at the counter (e.g. handed it over) cannot move its cash; a
    manager only with an override reason."""
    from hallterm.services import cash
    from hallterm.services.queue import OverrideNeeded
    from tests.sales_fixtures import stock_hall

    stock_hall(hall)  # counter 1 open with 8004
    with pytest.raises(Refused, match=r"kept by .*\(8004\)"):
        cash.move_cash(hall.other, counter=1, kind="in", reason="change_fund", amount_fen=100)
    with pytest.raises(OverrideNeeded):
        cash.move_cash(hall.manager, counter=1, kind="in", reason="change_fund", amount_fen=100)
    assert cash.move_cash(hall.manager, counter=1, kind="in", reason="change_fund",
                          amount_fen=100, override_reason="change for 8004").amount_fen == 100
    assert cash.move_cash(hall.sales, counter=1, kind="in", reason="change_fund",
                          amount_fen=100).amount_fen == 100


# -- the receipt's language ---------------------------------------------------------------
def test_receipt_prints_in_the_hall_language_not_the_clerks(shop, tmp_path):
    """The clerk works in English; the customer gets the hall's receipt language (zh_CN),
    or the other one when they ask; a language we cannot print is refused, not English."""
    ctx = shop.sales
    assert ctx.language == "en"
    done = sales.complete_sale(ctx, counter=1, visit_id=None, lines=[item_line(ctx, "ACC-CASE")],
                               payments=[PaymentIn("cash", 4900, 5000)])
    printer = receipts.Printer("folder", tmp_path)
    default = receipts.print_receipt(ctx, receipt_no=done.receipt_no, printer=printer)
    assert "销售小票" in default.text and "收您 ¥50.00，找您 ¥1.00" in default.text
    asked = receipts.print_receipt(ctx, receipt_no=done.receipt_no, printer=printer,
                                   language="en", reprint=True)
    assert "SALES RECEIPT" in asked.text and "Received ¥50.00, change ¥1.00" in asked.text
    with pytest.raises(BadInput, match="zh_CN or en"):
        receipts.print_receipt(ctx, receipt_no=done.receipt_no, printer=printer,
                               language="fr", reprint=True)
    with pytest.raises(BadInput, match="zh_CN or en"):
        receipts.render(sales.get_sale(ctx, receipt_no=done.receipt_no), language="fr",
                        hall_name="Hall")
    # The refused reprint wrote nothing: still one copy.
    assert sales.get_sale(ctx, receipt_no=done.receipt_no).reprints == 1


def test_the_hall_chooses_its_receipt_language(shop, tmp_path):
    from pathlib import Path

    from hallterm.services.hall import load_hall

    text = (Path(__file__).parent.parent / "data" / "hall.toml").read_text(encoding="utf-8")
    assert 'receipt_language = "zh_CN"' in text
    english = tmp_path / "hall-en.toml"
    english.write_text(text.replace('receipt_language = "zh_CN"', 'receipt_language = "en"'),
                       encoding="utf-8")
    load_hall(shop.manager, path=english)
    assert receipts.receipt_language(shop.sales) == "en"
    bad = tmp_path / "hall-fr.toml"
    bad.write_text(text.replace('receipt_language = "zh_CN"', 'receipt_language = "fr"'),
                   encoding="utf-8")
    from hallterm.errors import ConfigError

    with pytest.raises(ConfigError, match="receipt_language"):
        load_hall(shop.manager, path=bad)


def test_a_receipt_cut_short_by_a_crash_leaves_no_temp_file_for_long(shop, tmp_path):
    """A ``.tmp`` left in the receipts folder by a crash is removed by the next print."""
    import os
    import time

    ctx = shop.sales
    done = sales.complete_sale(ctx, counter=1, visit_id=None, lines=[item_line(ctx, "ACC-CASE")],
                               payments=[PaymentIn("cash", 4900, 5000)])
    folder = tmp_path / "receipts"
    folder.mkdir()
    left = folder / "R-crashed.tmp"
    left.write_text("half a recei")
    hour_ago = time.time() - 3600
    os.utime(left, (hour_ago, hour_ago))
    receipts.print_receipt(ctx, receipt_no=done.receipt_no, printer=receipts.Printer("folder",
                                                                                     folder))
    assert [p.suffix for p in folder.iterdir()] == [".txt"]
