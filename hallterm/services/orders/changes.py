"""Orders on a line in service: plan change (套餐变更) and SIM replacement (补换卡).

A plan change takes effect the next billing month unless the plan says
``immediate``; the order (and ``order show``) says when. A line has at most one change
pending: a new plan change replaces the pending one (the customer changed their mind;
the order and its audit row name the plan replaced), and a change back to the plan in
effect simply cancels it. A SIM replacement takes the
new SIM from the counter's custody through a sale (the SIM's price), and the old
ICCID is retired in the stock ledger. Only the holder, or an agent (代办) with both
identities, asks for either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services import customers, sales
from hallterm.services.orders.rows import (
    OrderDone,
    begin_on_line,
    finish,
    insert_order,
    line_now,
    plan_item,
    retire_sim,
    sim_line,
)
from hallterm.services.orders.rules import Paperwork, check_mobile, plan_starts


def plan_change(ctx: Ctx, *, counter: int, number: str, holder: customers.Person, plan: str,
                agent: customers.Person | None = None,
                guardian: customers.Person | None = None, paperwork: Paperwork | None = None,
                visit_id: int | None = None, command_id: str | None = None) -> OrderDone:
    """Change a line's plan: from the next billing month, or now for an ``immediate``
    plan (the returned order's ``effective`` says which, for the customer)."""
    require(ctx.actor, "order.accept")
    number = check_mobile(number)
    papers = paperwork or Paperwork()

    def work(uow: UnitOfWork) -> OrderDone:
        day, visit, line, parties = begin_on_line(
            uow, counter=counter, action="order.plan_change", visit_id=visit_id,
            number=number, holder=holder, agent=agent, guardian=guardian)
        item = plan_item(uow, plan)
        now = line_now(uow, line.id, day)
        shown = customers.mask_phone(number)
        if now.next_plan_sku is not None and item.sku == now.next_plan_sku:
            raise BadInput(_("{number} already changes to {plan} on {date}.").format(
                number=shown, plan=item.name(), date=now.next_plan_on), field="plan")
        if now.next_plan_sku is None and item.sku == now.plan_sku:
            raise BadInput(_("{number} is already on {plan}.").format(
                number=shown, plan=item.name()), field="plan")
        starts = plan_starts(item.plan_effective, day)
        order_id, order_no = insert_order(
            uow, day=day, kind="plan_change", state="open", counter=counter, visit=visit,
            parties=parties, number=number, paperwork=papers, line_id=line.id,
            plan_sku=item.sku, effective_on=starts)
        box, position = finish(uow, order_id=order_id, day=day)
        uow.audit("order.plan_change", entity="service_order", entity_id=order_no,
                  business_day=day,
                  payload={"counter": counter, "visit": visit, "number": customers.mask_phone(number),
                           "from": now.next_plan_sku or now.plan_sku, "to": item.sku,
                           "effective_on": starts.isoformat(), "replaces": now.next_plan_sku,
                           "customer": parties.holder_id,
                           "agent": parties.agent_id, "box": box, "position": position})
        return OrderDone(order_no, "plan_change", "completed", day, counter, visit, number,
                         plan_sku=item.sku, effective_on=starts, box_no=box,
                         position=position, missing=papers.missing("plan_change"),
                         replaced_plan=now.next_plan_sku, replaced_on=now.next_plan_on)

    return run_write(ctx, "order.plan_change", work, command_id=command_id,
                     result_type=OrderDone)


def sim_replace(ctx: Ctx, *, counter: int, number: str, holder: customers.Person, iccid: str,
                agent: customers.Person | None = None,
                guardian: customers.Person | None = None, paperwork: Paperwork | None = None,
                payments: Sequence[sales.PaymentIn] = (), visit_id: int | None = None,
                command_id: str | None = None) -> OrderDone:
    """Replace a line's SIM: the new one sold from the counter's custody (``payments`` pay
    its price), the old ICCID retired in the stock ledger."""
    require(ctx.actor, "order.accept")
    require(ctx.actor, "sale.sell")
    number = check_mobile(number)
    papers = paperwork or Paperwork()

    def work(uow: UnitOfWork) -> OrderDone:
        day, visit, line, parties = begin_on_line(
            uow, counter=counter, action="order.sim_replace", visit_id=visit_id,
            number=number, holder=holder, agent=agent, guardian=guardian)
        sim = sim_line(uow, counter=counter, iccid=iccid)
        old = line_now(uow, line.id, day).iccid
        if old == sim.serial:
            raise BadInput(_("{iccid} is already this line's SIM.").format(iccid=old),
                           field="iccid")
        order_id, order_no = insert_order(
            uow, day=day, kind="sim_replace", state="open", counter=counter, visit=visit,
            parties=parties, number=number, paperwork=papers, line_id=line.id,
            iccid=sim.serial, old_iccid=old)
        sale = sales.record_sale(uow, counter=counter, visit_id=visit, lines=[sim],
                                 payments=payments)
        retired = retire_sim(uow, iccid=old, order_no=order_no,
                             why=f"SIM replaced by {sim.serial} ({order_no})")
        box, position = finish(uow, order_id=order_id, day=day, receipt_no=sale.receipt_no)
        uow.audit("order.sim_replace", entity="service_order", entity_id=order_no,
                  business_day=day,
                  payload={"counter": counter, "visit": visit, "number": customers.mask_phone(number),
                           "iccid": sim.serial, "old_iccid": old, "old_retired": retired,
                           "receipt": sale.receipt_no, "customer": parties.holder_id,
                           "agent": parties.agent_id, "box": box, "position": position})
        done = OrderDone(order_no, "sim_replace", "completed", day, counter, visit, number,
                         iccid=sim.serial, old_iccid=old, receipt_no=sale.receipt_no,
                         box_no=box, position=position, missing=papers.missing("sim_replace"))
        return replace(done, total_fen=sale.total_fen, tendered_fen=sale.tendered_fen,
                       change_fen=sale.change_fen)

    return run_write(ctx, "order.sim_replace", work, command_id=command_id,
                     result_type=OrderDone)
