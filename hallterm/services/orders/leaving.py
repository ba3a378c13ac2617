"""Leaving: cancellation (销户) and the port-out enquiry (携号转网), each with its
retention attempt (维系挽留).

A cancellation records the retention attempt (the offer made, the outcome, the
customer's reason) before it proceeds, in the same transaction: a customer who
stays keeps the line (the order ends ``retained``); one who goes ahead has the line
cancelled, its SIM retired and its number back in the pool. A port-out enquiry is
never blocked or delayed (MIIT): an offer is recorded only when the customer agreed
to hear it, the outcome is recorded, and the order completes whatever it is.
"""

from __future__ import annotations

from datetime import date

from hallterm.clock import utc_text
from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.permissions import require
from hallterm.services import customers
from hallterm.services.orders import pool
from hallterm.services.orders.rows import (
    OrderDone,
    begin_on_line,
    finish,
    insert_order,
    line_now,
    retire_sim,
)
from hallterm.services.orders.rules import Paperwork, Retention, check_mobile, check_retention


def _record_attempt(uow: UnitOfWork, *, order_id: int, day: date, attempt: Retention) -> None:
    actor = uow.actor.empno if uow.actor else "system"
    uow.sql("INSERT INTO retention_attempt (order_id, business_day, at, clerk, heard, offer, "
            "outcome, reason) VALUES (:o, :d, :at, :by, :h, :offer, :out, :why)",
            {"o": order_id, "d": day.isoformat(), "at": utc_text(uow.now), "by": actor,
             "h": bool(attempt.heard), "offer": attempt.offer, "out": attempt.outcome,
             "why": attempt.reason})


def cancel_line(ctx: Ctx, *, counter: int, number: str, holder: customers.Person,
                retention: Retention, agent: customers.Person | None = None,
                guardian: customers.Person | None = None, paperwork: Paperwork | None = None,
                visit_id: int | None = None, command_id: str | None = None) -> OrderDone:
    """Cancel a line (销户) after its retention attempt: ``retention.outcome`` ``stayed``
    keeps the line (order ``retained``), ``left`` cancels it."""
    require(ctx.actor, "order.retain")
    number = check_mobile(number)
    attempt = check_retention(retention, port_out=False)
    papers = paperwork or Paperwork()

    def work(uow: UnitOfWork) -> OrderDone:
        day, visit, line, parties = begin_on_line(
            uow, counter=counter, action="order.cancel", visit_id=visit_id, number=number,
            holder=holder, agent=agent, guardian=guardian)
        sim = line_now(uow, line.id, day).iccid
        order_id, order_no = insert_order(
            uow, day=day, kind="cancel", state="open", counter=counter, visit=visit,
            parties=parties, number=number, paperwork=papers, line_id=line.id, old_iccid=sim)
        _record_attempt(uow, order_id=order_id, day=day, attempt=attempt)
        retired = False
        if attempt.outcome == "stayed":
            state, box, position = "retained", None, None
            finish(uow, order_id=order_id, day=day, state=state)
        else:
            state = "completed"
            uow.sql("UPDATE service_line SET state = 'cancelled', closed_order = :o, "
                    "closed_day = :d WHERE id = :id",
                    {"o": order_no, "d": day.isoformat(), "id": line.id})
            pool.set_number(uow, number, "free")
            retired = retire_sim(uow, iccid=sim, order_no=order_no,
                                 why=f"line {number} cancelled ({order_no})")
            box, position = finish(uow, order_id=order_id, day=day)
        uow.audit("order.cancel", entity="service_order", entity_id=order_no, business_day=day,
                  payload={"counter": counter, "visit": visit, "number": customers.mask_phone(number),
                           "outcome": attempt.outcome, "offer": attempt.offer,
                           "reason": attempt.reason, "state": state, "sim_retired": retired,
                           "customer": parties.holder_id, "agent": parties.agent_id})
        return OrderDone(order_no, "cancel", state, day, counter, visit, number,
                         old_iccid=sim, box_no=box, position=position,
                         missing=papers.missing("cancel") if state == "completed" else ())

    return run_write(ctx, "order.cancel", work, command_id=command_id, result_type=OrderDone)


def port_out(ctx: Ctx, *, counter: int, number: str, holder: customers.Person,
             retention: Retention, agent: customers.Person | None = None,
             guardian: customers.Person | None = None, paperwork: Paperwork | None = None,
             visit_id: int | None = None, command_id: str | None = None) -> OrderDone:
    """Record a port-out enquiry (携号转网) and its outcome; never blocked. An offer only
    when ``retention.heard`` (the customer agreed to hear it)."""
    require(ctx.actor, "order.retain")
    number = check_mobile(number)
    attempt = check_retention(retention, port_out=True)
    papers = paperwork or Paperwork()

    def work(uow: UnitOfWork) -> OrderDone:
        day, visit, line, parties = begin_on_line(
            uow, counter=counter, action="order.port_out", visit_id=visit_id, number=number,
            holder=holder, agent=agent, guardian=guardian)
        order_id, order_no = insert_order(
            uow, day=day, kind="port_out", state="open", counter=counter, visit=visit,
            parties=parties, number=number, paperwork=papers, line_id=line.id)
        _record_attempt(uow, order_id=order_id, day=day, attempt=attempt)
        box, position = finish(uow, order_id=order_id, day=day)
        uow.audit("order.port_out", entity="service_order", entity_id=order_no,
                  business_day=day,
                  payload={"counter": counter, "visit": visit, "number": customers.mask_phone(number),
                           "heard": attempt.heard, "offer": attempt.offer,
                           "outcome": attempt.outcome, "reason": attempt.reason,
                           "customer": parties.holder_id, "agent": parties.agent_id})
        return OrderDone(order_no, "port_out", "completed", day, counter, visit, number,
                         box_no=box, position=position, missing=papers.missing("port_out"))

    return run_write(ctx, "order.port_out", work, command_id=command_id, result_type=OrderDone)
