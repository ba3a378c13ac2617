"""Service orders: a new line end to end (number, SIM, plan, first payment, visit), the
一证五号 cap, 代办, minors, gapless numbers, open orders, withdrawal."""

from __future__ import annotations

import pytest

from hallterm.errors import BadInput, NotFound, Refused
from hallterm.services import customers, orders, sales, stock
from hallterm.store import execute
from tests.orders_fixtures import (
    ADULT_ID,
    AGENT_ID,
    CHILD_ID,
    FIRST_MONTH_FEN,
    MINOR_ID,
    NUMBERS,
    OTHER_ID,
    SIMS,
    cash,
    open_line,
    order_hall,
    person,
)


def _rows(hall, sql, **params):
    with hall.ctx.store.read() as session:
        return execute(session, sql, params).all()


def test_a_new_line_takes_number_sim_plan_and_first_payment_in_one_visit(hall):
    order_hall(hall)
    done = open_line(hall, number=NUMBERS[3])
    assert done.order_no == "O20261125-0001" and done.state == "completed"
    assert done.number == NUMBERS[3] and done.iccid == SIMS[0]
    assert done.total_fen == FIRST_MONTH_FEN and done.change_fen == 10000 - FIRST_MONTH_FEN
    assert (done.box_no, done.position) == ("A20261125-01", 1)
    # The sale is the order's: same visit, the SIM left counter 1 in its stock document.
    sale = sales.get_sale(hall.clerk, receipt_no=done.receipt_no)
    assert sale.visit_id == done.visit_id
    assert [x.sku for x in sale.lines] == ["SIM-5G", "PLAN-5G-59"]
    assert sale.lines[0].serial == SIMS[0]
    with hall.ctx.store.read() as session:
        assert stock.serial_place(session, SIMS[0]).place == stock.SOLD
    text = sales.receipts.render(sale, language="zh_CN", hall_name="营业厅")
    assert "新号码开通即生效" in text  # the receipt says when the plan starts
    view = orders.get_order(hall.clerk, order_no=done.order_no)
    assert view.visit_id == done.visit_id and view.receipt_no == done.receipt_no
    assert orders.get_line(hall.clerk, number=NUMBERS[3]).now.plan_sku == "PLAN-5G-59"
    assert NUMBERS[3] not in orders.free_numbers(hall.clerk, limit=50)


def test_the_next_free_number_is_taken_when_none_is_chosen(hall):
    order_hall(hall)
    assert open_line(hall).number == NUMBERS[0]
    assert open_line(hall, sim=1, holder=person(OTHER_ID, "李四")).number == NUMBERS[1]


def test_a_number_not_free_or_not_in_the_pool_is_refused(hall):
    order_hall(hall)
    open_line(hall, number=NUMBERS[0])
    with pytest.raises(Refused, match="not free"):
        open_line(hall, sim=1, number=NUMBERS[0])
    with pytest.raises(NotFound, match="not in the hall's number pool"):
        open_line(hall, sim=1, number="13999999999")
    with pytest.raises(BadInput, match="11 digits"):
        open_line(hall, sim=1, number="12345")


def test_the_sim_must_be_in_the_counters_custody(hall):
    order_hall(hall)
    with pytest.raises(Refused, match="not in counter 1's custody"):
        open_line(hall, sim=9)  # still in the warehouse
    open_line(hall, sim=0)
    with pytest.raises(Refused, match="was sold"):
        open_line(hall, sim=0, holder=person(OTHER_ID, "李四"))


def test_only_the_counters_keeper_opens_a_line(hall):
    order_hall(hall)
    other = hall.add("8012", "acceptance")
    with pytest.raises(Refused):
        orders.new_line(other, counter=1, holder=person(), iccid=SIMS[0], plan="PLAN-5G-59",
                        payments=cash())
    assert _rows(hall, "SELECT id FROM service_order") == []


def test_the_cap_refuses_the_sixth_line_with_the_count(hall):
    order_hall(hall)
    for i in range(5):
        open_line(hall, sim=i)
    with pytest.raises(Refused, match=r"already holds 5 lines.*limit is 5") as exc:
        open_line(hall, sim=5)
    assert exc.value.exit_code == 3
    # Another person is not counted against it.
    assert open_line(hall, sim=5, holder=person(OTHER_ID, "李四")).lines_held == 1


def test_a_new_line_under_another_name_is_refused_and_renames_nobody(hall):
    order_hall(hall)
    done = open_line(hall, sim=0)
    with pytest.raises(Refused, match=r"name does not match this document's record \(张\*\)") \
            as exc:
        open_line(hall, sim=1, holder=person(ADULT_ID, "王芳"))
    assert exc.value.exit_code == 3
    assert [c.name for c in customers.find(hall.clerk, number=ADULT_ID)] == ["张三"]
    assert orders.get_order(hall.clerk, order_no=done.order_no).state == "completed"


def test_a_plan_change_under_a_wrong_name_is_refused(hall):
    order_hall(hall)
    done = open_line(hall, sim=0)
    with pytest.raises(Refused, match="name does not match"):
        orders.plan_change(hall.clerk, counter=1, number=done.number,
                           holder=person(ADULT_ID, "李四"), plan="PLAN-5G-129")


def test_an_open_new_line_counts_against_the_cap(hall):
    order_hall(hall)
    for i in range(4):
        open_line(hall, sim=i)
    orders.new_line(hall.clerk, counter=1, holder=person(), iccid=SIMS[4], plan="PLAN-5G-59")
    with pytest.raises(Refused, match="already holds 5"):
        open_line(hall, sim=5)


def test_the_cap_is_a_hall_setting(hall):
    from hallterm.hallconfig import load_hall_file
    from hallterm.services.hall import write_hall
    from tests.orders_fixtures import ROOT

    order_hall(hall)
    config = load_hall_file(ROOT / "data" / "hall.toml")
    config = config.model_copy(update={"thresholds": config.thresholds.model_copy(
        update={"lines_per_id": 1})})
    from hallterm.context import run_write

    run_write(hall.manager, "hall.load", lambda uow: write_hall(uow, config, source="t"))
    open_line(hall)
    with pytest.raises(Refused, match=r"already holds 1 line with.*limit is 1"):
        open_line(hall, sim=1)


def test_an_agent_is_checked_and_both_identities_recorded(hall):
    order_hall(hall)
    done = open_line(hall, agent=person(AGENT_ID, "王五", phone=None))
    view = orders.get_order(hall.clerk, order_no=done.order_no)
    assert view.agent_id is not None and view.agent_id != view.customer_id
    with pytest.raises(BadInput, match="agent's document is the customer's own"):
        open_line(hall, sim=1, agent=person(ADULT_ID, "张三"))
    with pytest.raises(BadInput):
        open_line(hall, sim=1, agent=person(AGENT_ID[:-1] + "0", "王五"))


def test_a_minor_needs_an_adult_guardian(hall):
    order_hall(hall)
    minor = person(MINOR_ID, "小明", doc_type="household", phone=None)
    with pytest.raises(Refused, match="minor"):
        open_line(hall, holder=minor)
    with pytest.raises(Refused, match="guardian is a minor"):
        open_line(hall, holder=minor, guardian=person(CHILD_ID, "小红", phone=None))
    done = open_line(hall, holder=minor, guardian=person(AGENT_ID, "王五"))
    assert orders.get_order(hall.clerk, order_no=done.order_no).guardian_id is not None


def test_an_adult_household_register_is_refused(hall):
    order_hall(hall)
    with pytest.raises(BadInput, match="minors only"):
        open_line(hall, holder=person(ADULT_ID, "张三", doc_type="household"))


def test_without_a_valid_identity_nothing_is_written(hall):
    order_hall(hall)
    with pytest.raises(BadInput):
        open_line(hall, holder=person(ADULT_ID[:-1] + ("0" if ADULT_ID[-1] != "0" else "1")))
    assert _rows(hall, "SELECT id FROM service_order") == []
    assert _rows(hall, "SELECT number FROM number_pool WHERE state != 'free'") == []


def test_order_numbers_are_gapless_per_day_even_after_a_refusal(hall):
    order_hall(hall)
    first = open_line(hall)
    with pytest.raises(Refused):
        open_line(hall, sim=0, holder=person(OTHER_ID, "李四"))  # SIM sold: rolled back
    second = open_line(hall, sim=1, holder=person(OTHER_ID, "李四"))
    assert [first.order_no, second.order_no] == ["O20261125-0001", "O20261125-0002"]


def test_without_payment_the_order_stays_open_then_pay_completes_it(hall):
    order_hall(hall)
    done = orders.new_line(hall.clerk, counter=1, holder=person(), iccid=SIMS[0],
                           plan="PLAN-5G-59", number=NUMBERS[5])
    assert done.state == "open" and done.receipt_no is None and done.box_no is None
    assert [o.order_no for o in orders.list_orders(hall.clerk, state="open")] == [done.order_no]
    with pytest.raises(Refused, match="held for order"):
        open_line(hall, sim=0, holder=person(OTHER_ID, "李四"))
    paid = orders.pay(hall.clerk, order_no=done.order_no, payments=cash())
    assert paid.state == "completed" and paid.receipt_no and paid.box_no == "A20261125-01"
    with pytest.raises(Refused, match="not open"):
        orders.pay(hall.clerk, order_no=done.order_no, payments=cash())


def test_withdrawing_an_open_order_releases_its_number_and_is_audited(hall):
    order_hall(hall)
    done = orders.new_line(hall.clerk, counter=1, holder=person(), iccid=SIMS[0],
                           plan="PLAN-5G-59", number=NUMBERS[5])
    with pytest.raises(Refused, match="reason"):
        orders.withdraw(hall.clerk, order_no=done.order_no, reason=" ")
    out = orders.withdraw(hall.clerk, order_no=done.order_no, reason="customer left")
    assert out.state == "withdrawn"
    assert NUMBERS[5] in orders.free_numbers(hall.clerk, limit=50)
    audit = _rows(hall, "SELECT action, payload FROM audit_log WHERE entity_id = :o",
                  o=done.order_no)
    assert [a.action for a in audit] == ["order.new_line", "order.withdraw"]
    assert ADULT_ID not in "".join(a.payload for a in audit)
    assert NUMBERS[5] not in "".join(a.payload for a in audit)  # masked
    with hall.ctx.store.read() as session:
        assert stock.serial_place(session, SIMS[0]).place == stock.counter_place(1)


def test_a_plan_is_not_sold_on_its_own_at_the_sales_counter(hall):
    order_hall(hall)
    scanned = sales.scan(hall.clerk, counter=1, code="PLAN-5G-59")
    assert scanned.line is None and "service order" in scanned.problem


def test_a_plan_in_the_catalog_says_when_a_change_takes_effect():
    from hallterm.catalog import parse_catalog_text
    from hallterm.errors import ConfigError

    base = '[[items]]\nsku = "P"\nname_zh = "套餐"\nname_en = "Plan"\nkind = "plan"\nprice_fen = 800\n'
    (plan,) = parse_catalog_text(base + 'effective = "immediate"\n')
    assert (plan.plan_effective, plan.effective_zh, plan.effective_en) == (
        "immediate", "立即生效", "immediately")
    with pytest.raises(ConfigError, match="required for plans: next_month or immediate"):
        parse_catalog_text(base)
    with pytest.raises(ConfigError, match="only plans say when"):
        parse_catalog_text(base.replace('"plan"', '"counted"') + 'effective = "immediate"\n')


def test_check_new_line_refuses_what_the_write_would_and_writes_nothing(hall):
    order_hall(hall)
    for i in range(5):
        open_line(hall, sim=i)
    with pytest.raises(Refused, match="already holds 5"):
        orders.check_new_line(hall.clerk, counter=1, holder=person(), iccid=SIMS[5],
                              plan="PLAN-5G-59")
    with pytest.raises(Refused, match="not free"):
        orders.check_new_line(hall.clerk, counter=1, holder=person(OTHER_ID, "李四"),
                              iccid=SIMS[5], plan="PLAN-5G-59", number=NUMBERS[0])
    with pytest.raises(Refused, match="minor"):
        orders.check_new_line(hall.clerk, counter=1, iccid=SIMS[5], plan="PLAN-5G-59",
                              holder=person(MINOR_ID, "小明", doc_type="household"))
    assert orders.check_new_line(hall.clerk, counter=1, holder=person(OTHER_ID, "李四"),
                                 iccid=SIMS[5], plan="PLAN-5G-59") == 0
    assert len(_rows(hall, "SELECT id FROM service_order")) == 5


def test_the_receipt_of_an_order_is_not_voided_or_refunded_on_its_own(hall):
    from tests.sales_fixtures import approver

    order_hall(hall)
    done = open_line(hall)
    with pytest.raises(Refused, match=f"paid for service order {done.order_no}"):
        sales.reversals.check_void(hall.clerk, receipt_no=done.receipt_no, reason="x")
    with pytest.raises(Refused, match="cancel the line"):
        sales.reversals.void_sale(hall.clerk, receipt_no=done.receipt_no, reason="x",
                                  approver=approver(hall.clerk))
    with pytest.raises(Refused, match="paid for service order"):
        sales.reversals.check_refund(hall.clerk, receipt_no=done.receipt_no, lines=None,
                                     reason="x")
    with hall.ctx.store.read() as session:
        assert stock.serial_place(session, SIMS[0]).place == stock.SOLD
