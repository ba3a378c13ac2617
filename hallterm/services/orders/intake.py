"""A new line (新装入网): identity, the 一证五号 cap, a number from the pool, the SIM from
the counter's custody, a plan, and the first payment through the sales cart.

With ``payments`` the order completes in the same transaction as its sale: the
receipt lists the SIM and the plan's first month and says when the plan starts.
Without, the order stays open with its number and SIM held (first payment due):
``pay`` completes it, ``withdraw`` gives the number back; an open order passes at
handover and blocks the day's close.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hallterm.context import Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import NotFound, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services import customers, sales
from hallterm.services.orders import pool
from hallterm.services.orders.people import refuse_over_cap
from hallterm.services.orders.rows import (
    OrderDone,
    begin,
    finish,
    insert_order,
    plan_item,
    sim_line,
)
from hallterm.services.orders.rules import Paperwork, check_mobile, state_label
from hallterm.services.queue import require_keeper
from hallterm.textinput import free_text

# A new line's plan starts when the line opens: the receipt says so (告知开通时间).
_OPENS_NOW = ("新号码开通即生效", "starts when the line opens (now)")


def new_line(ctx: Ctx, *, counter: int, holder: customers.Person, iccid: str, plan: str,
             number: str | None = None, agent: customers.Person | None = None,
             guardian: customers.Person | None = None, paperwork: Paperwork | None = None,
             payments: Sequence[sales.PaymentIn] | None = None, visit_id: int | None = None,
             command_id: str | None = None) -> OrderDone:
    """Open a new line for ``holder`` at ``counter`` (the keeper only); ``number`` from the
    pool, or the next free one. Refused (exit 3) when the ID already holds the hall's
    ``lines_per_id`` lines, with the count. With ``payments`` the first payment is taken
    and the order completes; without, it stays open (``pay``/``withdraw``)."""
    require(ctx.actor, "order.accept")
    if payments is not None:
        require(ctx.actor, "sale.sell")
    if number is not None:
        number = check_mobile(number)
    paperwork = paperwork or Paperwork()

    def work(uow: UnitOfWork) -> OrderDone:
        from hallterm.services.hall import hall_in

        day, visit = begin(uow, counter=counter, action="order.new_line", visit_id=visit_id)
        item = plan_item(uow, plan)
        sim = sim_line(uow, counter=counter, iccid=iccid)
        parties = customers.identify_parties(uow, holder, agent=agent, guardian=guardian)
        held = refuse_over_cap(uow, parties.holder_id, hall_in(uow).thresholds.lines_per_id)
        taken = pool.hold_number(uow, number)
        order_id, order_no = insert_order(
            uow, day=day, kind="new_line", state="open", counter=counter, visit=visit,
            parties=parties, number=taken, paperwork=paperwork, plan_sku=item.sku,
            effective_on=day, iccid=sim.serial)
        done = OrderDone(order_no, "new_line", "open", day, counter, visit, taken,
                         plan_sku=item.sku, effective_on=day, iccid=sim.serial,
                         missing=paperwork.missing("new_line"), lines_held=held + 1)
        if payments is not None:
            done = _complete(uow, done, order_id=order_id, customer_id=parties.holder_id,
                             payments=payments)
        uow.audit("order.new_line", entity="service_order", entity_id=order_no,
                  business_day=day,
                  payload={"counter": counter, "visit": visit, "number": customers.mask_phone(taken),
                           "iccid": sim.serial, "plan": item.sku, "customer": parties.holder_id,
                           "agent": parties.agent_id, "guardian": parties.guardian_id,
                           "minor": parties.check.minor, "lines_held": held + 1,
                           "state": done.state, "receipt": done.receipt_no,
                           "missing_paperwork": list(done.missing)})
        return done

    return run_write(ctx, "order.new_line", work, command_id=command_id, result_type=OrderDone)


def check_new_line(ctx: Ctx, *, counter: int, holder: customers.Person, iccid: str, plan: str,
                   number: str | None = None, agent: customers.Person | None = None,
                   guardian: customers.Person | None = None) -> int:
    """Check a new line before anything is written (a form's check): the keeper, the plan,
    the SIM in custody, the number free, every identity and the 一证五号 cap. Raises what
    ``new_line`` would; returns the lines the ID holds now."""
    require(ctx.actor, "order.accept")
    if number is not None:
        number = check_mobile(number)

    def check(unit: ReadUnit) -> int:
        from hallterm.services.hall import hall_in

        day = unit.open_day()
        require_keeper(unit, counter, action="order.new_line", during_handover=False)
        plan_item(unit, plan)
        sim_line(unit, counter=counter, iccid=iccid)
        if number is not None:
            pool.refuse_not_free(unit, number)
        else:
            pool.next_free(unit)
        customers.check_parties(holder, agent=agent, guardian=guardian, on=day)
        known = customers.find(ctx, number=holder.number)
        cap = hall_in(unit).thresholds.lines_per_id
        return max((refuse_over_cap(unit, c.id, cap) for c in known), default=0)

    return run_check(ctx, check)


def _complete(uow: UnitOfWork, done: OrderDone, *, order_id: int, customer_id: int,
              payments: Sequence[sales.PaymentIn]) -> OrderDone:
    """The first payment: the SIM and the plan's first month sold through the sales area
    (the SIM leaves custody in the sale's stock document), the line opened, the form filed."""
    item = plan_item(uow, done.plan_sku)
    sim = sim_line(uow, counter=done.counter, iccid=done.iccid or "", order_id=order_id)
    month = replace(sales.line_from_item(item), effective_zh=_OPENS_NOW[0],
                    effective_en=_OPENS_NOW[1])
    sale = sales.record_sale(uow, counter=done.counter, visit_id=done.visit_id,
                             lines=[sim, month], payments=payments)
    line_id = uow.sql("INSERT INTO service_line (number, customer_id, state, opened_order, "
                      "opened_day) VALUES (:n, :c, 'active', :o, :d) RETURNING id",
                      {"n": done.number, "c": customer_id, "o": done.order_no,
                       "d": done.business_day.isoformat()}).scalar()
    pool.set_number(uow, done.number, "in_service")
    box, position = finish(uow, order_id=order_id, day=done.business_day,
                           receipt_no=sale.receipt_no, line_id=int(line_id))
    return replace(done, state="completed", receipt_no=sale.receipt_no,
                   total_fen=sale.total_fen, tendered_fen=sale.tendered_fen,
                   change_fen=sale.change_fen, box_no=box, position=position)


def _open_order(uow: UnitOfWork, order_no: str):
    row = uow.sql("SELECT id, order_no, kind, state, business_day, counter, visit_id, "
                  "customer_id, number, plan_sku, effective_on, iccid, id_copy, form_signed, "
                  "photo FROM service_order WHERE order_no = :n", {"n": (order_no or "").strip()}
                  ).first()
    if row is None:
        raise NotFound(_("No order {number}.").format(number=order_no), field="order")
    if row.state != "open":
        raise Refused(_("Order {number} is {state}, not open.").format(
            number=row.order_no, state=state_label(row.state)), field="order")
    return row


def pay(ctx: Ctx, *, order_no: str, payments: Sequence[sales.PaymentIn],
        command_id: str | None = None) -> OrderDone:
    """Take an open new line's first payment and complete it (its counter's keeper)."""
    require(ctx.actor, "order.accept")
    require(ctx.actor, "sale.sell")

    def work(uow: UnitOfWork) -> OrderDone:
        from datetime import date

        row = _open_order(uow, order_no)
        day, _visit = begin(uow, counter=row.counter, action="order.pay", visit_id=row.visit_id)
        paperwork = Paperwork(bool(row.id_copy), bool(row.form_signed), bool(row.photo))
        done = OrderDone(row.order_no, row.kind, "open", day, row.counter, row.visit_id,
                         row.number, plan_sku=row.plan_sku,
                         effective_on=date.fromisoformat(str(row.effective_on)),
                         iccid=row.iccid, missing=paperwork.missing(row.kind))
        done = _complete(uow, done, order_id=row.id, customer_id=row.customer_id,
                         payments=payments)
        uow.audit("order.pay", entity="service_order", entity_id=row.order_no,
                  business_day=day, payload={"counter": row.counter, "receipt": done.receipt_no,
                                             "total_fen": done.total_fen})
        return done

    return run_write(ctx, "order.pay", work, command_id=command_id, result_type=OrderDone)


def withdraw(ctx: Ctx, *, order_no: str, reason: str, command_id: str | None = None
             ) -> OrderDone:
    """Withdraw an open order before it completes (audited): its number goes back to the
    pool and its SIM stays in custody. Its counter's keeper, or a manager with the reason."""
    require(ctx.actor, "order.withdraw")
    why = free_text(reason, what=_("The reason"), max_len=200, field="reason")
    if not why:
        raise Refused(_("Give the reason the order is withdrawn."), field="reason")

    def work(uow: UnitOfWork) -> OrderDone:
        row = _open_order(uow, order_no)
        day = uow.open_day()
        require_keeper(uow, row.counter, action="order.withdraw", override_reason=why)
        uow.sql("UPDATE service_order SET state = 'withdrawn', reason = :r WHERE id = :id",
                {"r": why, "id": row.id})
        if row.kind == "new_line":
            pool.set_number(uow, row.number, "free")
        uow.audit("order.withdraw", entity="service_order", entity_id=row.order_no,
                  business_day=day, payload={"counter": row.counter, "kind": row.kind,
                                             "number": customers.mask_phone(row.number), "reason": why})
        return OrderDone(row.order_no, row.kind, "withdrawn", day, row.counter, row.visit_id,
                         row.number, plan_sku=row.plan_sku, iccid=row.iccid)

    return run_write(ctx, "order.withdraw", work, command_id=command_id, result_type=OrderDone)
