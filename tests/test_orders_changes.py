"""Orders on a line in service: plan change (when it takes effect), SIM replacement
(the old ICCID retired in the ledger), cancellation with its retention attempt, the
port-out enquiry that is never blocked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hallterm.errors import BadInput, Forbidden, NotFound, Refused
from hallterm.services import orders, stock
from hallterm.store import execute
from tests.orders_fixtures import (
    AGENT_ID,
    NUMBERS,
    OTHER_ID,
    SIMS,
    cash,
    open_line,
    order_hall,
    person,
)


def _place(hall, serial):
    with hall.ctx.store.read() as session:
        return stock.serial_place(session, serial).place


def _keeper(hall, ctx, counter=1):
    from hallterm.services import queue

    queue.set_counter_state(hall.manager, counter=counter, state="open",
                            clerk=ctx.actor.empno)


def test_a_plan_change_takes_effect_next_billing_month(hall):
    order_hall(hall)
    line = open_line(hall)
    done = orders.plan_change(hall.clerk, counter=1, number=line.number, holder=person(),
                              plan="PLAN-5G-129")
    assert done.effective_on == date(2026, 12, 1)
    assert "2026-12-01" in done.effective and "next billing month" in done.effective
    now = orders.get_line(hall.clerk, number=line.number).now
    assert (now.plan_sku, now.next_plan_sku, now.next_plan_on) == (
        "PLAN-5G-59", "PLAN-5G-129", date(2026, 12, 1))
    view = orders.get_order(hall.clerk, order_no=done.order_no)
    assert view.effective == done.effective and view.box_no == "A20261125-01"
    with pytest.raises(BadInput, match=r"138\*\*\*\*\d{4} already changes to .* on 2026-12-01"):
        orders.plan_change(hall.clerk, counter=1, number=line.number, holder=person(),
                           plan="PLAN-5G-129")


def test_a_new_plan_change_replaces_the_pending_one_and_a_change_back_cancels_it(hall):
    order_hall(hall)
    line = open_line(hall)

    def change(plan):
        return orders.plan_change(hall.clerk, counter=1, number=line.number, holder=person(),
                                  plan=plan)

    assert change("PLAN-5G-129").replaced_plan is None
    back = change("PLAN-5G-59")  # the customer changed their mind: stays on 59
    assert (back.replaced_plan, back.replaced_on) == ("PLAN-5G-129", date(2026, 12, 1))
    now = orders.get_line(hall.clerk, number=line.number).now
    assert (now.plan_sku, now.next_plan_sku) == ("PLAN-5G-59", None)
    with pytest.raises(BadInput, match=r"^138\*\*\*\*\d{4} is already on"):
        change("PLAN-5G-59")
    assert change("PLAN-5G-129").replaced_plan is None
    at_once = change("PLAN-BASIC-8")
    assert at_once.replaced_plan == "PLAN-5G-129"
    now = orders.get_line(hall.clerk, number=line.number).now
    assert (now.plan_sku, now.next_plan_sku) == ("PLAN-BASIC-8", None)


def test_a_plan_that_says_immediately_takes_effect_today(hall):
    order_hall(hall)
    line = open_line(hall)
    done = orders.plan_change(hall.clerk, counter=1, number=line.number, holder=person(),
                              plan="PLAN-BASIC-8")
    assert done.effective_on == date(2026, 11, 25) and "immediately" in done.effective
    assert orders.get_line(hall.clerk, number=line.number).now.plan_sku == "PLAN-BASIC-8"


def test_only_the_holder_or_an_agent_for_the_holder_changes_a_line(hall):
    order_hall(hall)
    line = open_line(hall)
    with pytest.raises(Refused, match="does not hold") as exc:
        orders.plan_change(hall.clerk, counter=1, number=line.number,
                           holder=person(OTHER_ID, "李四"), plan="PLAN-5G-129")
    assert line.number not in exc.value.message and "138****" in exc.value.message
    done = orders.plan_change(hall.clerk, counter=1, number=line.number, holder=person(),
                              agent=person(AGENT_ID, "王五", phone=None), plan="PLAN-5G-129")
    assert orders.get_order(hall.clerk, order_no=done.order_no).agent_id is not None
    with pytest.raises(NotFound):
        orders.plan_change(hall.clerk, counter=1, number=NUMBERS[9], holder=person(),
                           plan="PLAN-5G-129")
    with pytest.raises(BadInput, match="not a plan"):
        orders.plan_change(hall.clerk, counter=1, number=line.number, holder=person(),
                           plan="SIM-5G")


def test_a_sim_replacement_retires_the_old_iccid_and_sells_the_new_one(hall):
    order_hall(hall)
    line = open_line(hall, sim=0)
    done = orders.sim_replace(hall.clerk, counter=1, number=line.number, holder=person(),
                              agent=person(AGENT_ID, "王五", phone=None), iccid=SIMS[1],
                              payments=cash(1000, 1000))
    assert (done.iccid, done.old_iccid) == (SIMS[1], SIMS[0])
    assert _place(hall, SIMS[0]) == stock.DAMAGED  # retired in the ledger
    assert _place(hall, SIMS[1]) == stock.SOLD
    assert orders.get_line(hall.clerk, number=line.number).now.iccid == SIMS[1]
    with hall.ctx.store.read() as session:
        kinds = [r.kind for r in execute(session, "SELECT kind FROM stock_document WHERE "
                                         "reference IN (:o, :r) ORDER BY id",
                                         {"o": done.order_no, "r": done.receipt_no}).all()]
    assert kinds == ["sale", "retire"]
    with pytest.raises(Refused, match="custody"):
        orders.sim_replace(hall.clerk, counter=1, number=line.number, holder=person(),
                           iccid=SIMS[9], payments=cash(1000, 1000))
    with pytest.raises(BadInput, match="do not match"):
        orders.sim_replace(hall.clerk, counter=1, number=line.number, holder=person(),
                           iccid=SIMS[2])  # the SIM's price is due
    assert _place(hall, SIMS[2]) == stock.counter_place(1)


def test_a_cancellation_records_its_retention_attempt_first(hall):
    order_hall(hall)
    line = open_line(hall)
    with pytest.raises(BadInput, match="retention offer"):
        orders.cancel_line(hall.clerk, counter=1, number=line.number, holder=person(),
                           retention=orders.Retention("left"))
    stayed = orders.cancel_line(hall.clerk, counter=1, number=line.number, holder=person(),
                                retention=orders.Retention("stayed", offer="20 GB free for "
                                                           "3 months", reason="price"))
    assert stayed.state == "retained" and stayed.box_no is None
    assert orders.get_line(hall.clerk, number=line.number).state == "active"
    left = orders.cancel_line(hall.clerk, counter=1, number=line.number, holder=person(),
                              retention=orders.Retention("left", offer="half price",
                                                         reason="moving abroad"))
    assert left.state == "completed" and left.box_no == "A20261125-01"
    view = orders.get_order(hall.clerk, order_no=left.order_no)
    assert (view.retention.offer, view.retention.outcome, view.retention.reason) == (
        "half price", "left", "moving abroad")
    with pytest.raises(NotFound):
        orders.get_line(hall.clerk, number=line.number)
    assert line.number in orders.free_numbers(hall.clerk, limit=50)
    assert _place(hall, SIMS[0]) == stock.DAMAGED
    assert orders.lines_of(hall.clerk, customer_id=view.customer_id) == []


def test_the_retention_role_may_cancel_and_enquire_but_not_open_lines(hall):
    order_hall(hall)
    line = open_line(hall)
    _keeper(hall, hall.retention, counter=2)
    done = orders.port_out(hall.retention, counter=2, number=line.number, holder=person(),
                           retention=orders.Retention("left", heard=False))
    assert done.state == "completed"
    with pytest.raises(Forbidden):
        orders.new_line(hall.retention, counter=2, holder=person(), iccid=SIMS[3],
                        plan="PLAN-5G-59", payments=cash())


def test_a_port_out_is_never_blocked_and_an_offer_needs_the_customers_consent(hall):
    order_hall(hall)
    line = open_line(hall)
    with pytest.raises(BadInput, match="agreed to hear"):
        orders.port_out(hall.clerk, counter=1, number=line.number, holder=person(),
                        retention=orders.Retention("left", heard=False, offer="half price"))
    # No offer heard, no reason, no paperwork: it completes and the line stays in service
    # (the port happens at the receiving operator).
    quiet = orders.port_out(hall.clerk, counter=1, number=line.number, holder=person(),
                            retention=orders.Retention("left", heard=False))
    assert quiet.state == "completed" and quiet.box_no
    view = orders.get_order(hall.clerk, order_no=quiet.order_no)
    assert (view.retention.heard, view.retention.offer, view.retention.outcome) == (
        False, None, "left")
    heard = orders.port_out(hall.clerk, counter=1, number=line.number, holder=person(),
                            retention=orders.Retention("stayed", offer="half price"))
    assert heard.state == "completed"
    assert orders.get_line(hall.clerk, number=line.number).state == "active"


def test_a_wrong_outcome_is_bad_input(hall):
    with pytest.raises(BadInput, match="outcome"):
        orders.check_retention(orders.Retention("maybe", offer="x"), port_out=True)
    assert orders.check_retention(replace(orders.Retention("left"), heard=False),
                                  port_out=True).offer is None
