"""The order rows inside a write: start at a counter, insert, finish and file, a line's
plan and SIM now, the SIM and plan lines of the order's sale.

Only this area writes ``service_order``, ``service_line`` and ``archive_position``;
the money goes through ``sales.record_sale`` and the SIM through the stock ledger
(the sale's own stock document, ``stock.retire_sold_serial``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hallterm.clock import utc_text
from hallterm.context import ReadUnit, UnitOfWork
from hallterm.errors import BadInput, NotFound, Refused
from hallterm.i18n import _
from hallterm.services import customers, sales, stock
from hallterm.services.orders.rules import Paperwork, box_number, effective_text, order_number
from hallterm.services.queue import open_walk_up_visit, require_keeper


@dataclass(frozen=True)
class OrderDone:
    """What an order write did: what the screen shows and the customer is told."""

    order_no: str
    kind: str
    state: str
    business_day: date
    counter: int
    visit_id: int
    number: str
    plan_sku: str | None = None
    effective_on: date | None = None
    iccid: str | None = None
    old_iccid: str | None = None
    receipt_no: str | None = None
    total_fen: int = 0
    tendered_fen: int = 0
    change_fen: int = 0
    box_no: str | None = None
    position: int | None = None
    missing: tuple[str, ...] = ()  # paperwork still missing (flagged on the archive list)
    lines_held: int | None = None  # a new line: the ID's lines with this one (一证五号)
    replaced_plan: str | None = None  # a plan change: the pending change it replaces
    replaced_on: date | None = None

    @property
    def effective(self) -> str | None:
        """When the plan takes effect, as the customer is told (告知开通时间)."""
        if self.effective_on is None:
            return None
        return effective_text(self.effective_on, self.business_day)


def begin(uow: UnitOfWork, *, counter: int, action: str, visit_id: int | None
          ) -> tuple[date, int]:
    """The open day and the order's visit; only the counter's keeper, not while the
    counter is being handed over. Without a visit (no ticket) a walk-up visit is opened."""
    day = uow.open_day()
    require_keeper(uow, counter, action=action, during_handover=False)
    if visit_id is None:
        return day, open_walk_up_visit(uow, day)
    if uow.sql("SELECT 1 FROM visit WHERE id = :v", {"v": visit_id}).first() is None:
        raise NotFound(_("No visit {id}.").format(id=visit_id))
    return day, visit_id


def insert_order(uow: UnitOfWork, *, day: date, kind: str, state: str, counter: int,
                 visit: int, parties: customers.Parties, number: str, paperwork: Paperwork,
                 line_id: int | None = None, plan_sku: str | None = None,
                 effective_on: date | None = None, iccid: str | None = None,
                 old_iccid: str | None = None) -> tuple[int, str]:
    """Insert an order with the next gapless number of the day; its id and number."""
    order_no = order_number(day, uow.next_number(f"order:{day.isoformat()}"))
    order_id = uow.sql(
        "INSERT INTO service_order (order_no, business_day, at, kind, state, counter, terminal, "
        "clerk, visit_id, customer_id, agent_id, guardian_id, line_id, number, plan_sku, "
        "effective_on, iccid, old_iccid, id_copy, form_signed, photo) VALUES (:no, :d, :at, "
        ":k, :s, :c, :t, :clerk, :v, :cust, :agent, :guard, :line, :num, :plan, :eff, :iccid, "
        ":old, :idc, :form, :photo) RETURNING id",
        {"no": order_no, "d": day.isoformat(), "at": utc_text(uow.now), "k": kind, "s": state,
         "c": counter, "t": uow.ctx.terminal[:32], "clerk": uow.actor.empno if uow.actor
         else "system", "v": visit, "cust": parties.holder_id, "agent": parties.agent_id,
         "guard": parties.guardian_id, "line": line_id, "num": number, "plan": plan_sku,
         "eff": effective_on.isoformat() if effective_on else None, "iccid": iccid,
         "old": old_iccid, "idc": paperwork.id_copy, "form": paperwork.form_signed,
         "photo": paperwork.photo}).scalar()
    return int(order_id), order_no


def finish(uow: UnitOfWork, *, order_id: int, day: date, state: str = "completed",
           receipt_no: str | None = None, line_id: int | None = None
           ) -> tuple[str | None, int | None]:
    """Mark an order done; a completed one's form is filed: its archive box and place."""
    uow.sql("UPDATE service_order SET state = :s, completed_at = :at, receipt_no = "
            "COALESCE(:r, receipt_no), line_id = COALESCE(:l, line_id) WHERE id = :id",
            {"s": state, "at": utc_text(uow.now), "r": receipt_no, "l": line_id, "id": order_id})
    if state != "completed":
        return None, None
    return file_form(uow, order_id=order_id, day=day)


def file_form(uow: UnitOfWork, *, order_id: int, day: date) -> tuple[str, int]:
    """The next place in the day's archive boxes (第五章): a box holds ``archive_box_size``
    forms (a hall setting); a full box, the next box."""
    from hallterm.services.hall import hall_in

    size = hall_in(uow).thresholds.archive_box_size
    last = uow.sql("SELECT box_no, position FROM archive_position WHERE business_day = :d "
                   "ORDER BY box_no DESC, position DESC LIMIT 1", {"d": day.isoformat()}).first()
    if last is None:
        box, position = box_number(day, 1), 1
    elif last.position < size:
        box, position = last.box_no, last.position + 1
    else:
        box, position = box_number(day, int(last.box_no.rsplit("-", 1)[1]) + 1), 1
    uow.sql("INSERT INTO archive_position (order_id, business_day, box_no, position) VALUES "
            "(:o, :d, :b, :p)", {"o": order_id, "d": day.isoformat(), "b": box, "p": position})
    return box, position


def active_line(unit: ReadUnit, number: str):
    """The active line with ``number`` (id, number, customer_id), or ``NotFound``."""
    row = unit.sql("SELECT id, number, customer_id FROM service_line WHERE number = :n AND "
                   "state = 'active'", {"n": number}).first()
    if row is None:
        raise NotFound(_("{number} is not a line in service here.").format(number=number),
                       field="number")
    return row


def holder_only(parties: customers.Parties, line) -> None:
    """Only the holder (or an agent for the holder) acts on a line."""
    if parties.holder_id != line.customer_id:
        raise Refused(_("This identity does not hold {number}: only its holder (or an agent "
                        "with the holder's identity) may do this.").format(
                            number=customers.mask_phone(line.number)),
                      field="id_number")


@dataclass(frozen=True)
class LineNow:
    """A line's plan in effect on a day, a plan change still to come, and its SIM."""

    plan_sku: str | None
    iccid: str | None
    next_plan_sku: str | None = None
    next_plan_on: date | None = None


def line_now(unit: ReadUnit, line_id: int, on: date) -> LineNow:
    """A line's plan on ``on`` (the latest request in effect by then: a later request
    supersedes an earlier one still pending), a pending change (none when the latest
    request goes back to the plan in effect), and its SIM now."""
    plans = unit.sql("SELECT plan_sku, effective_on FROM service_order WHERE line_id = :l AND "
                     "state = 'completed' AND plan_sku IS NOT NULL ORDER BY id DESC",
                     {"l": line_id}).all()
    current = next((r.plan_sku for r in plans if _day(r.effective_on) <= on), None)
    latest = plans[0] if plans else None
    sim = unit.sql("SELECT iccid FROM service_order WHERE line_id = :l AND state = "
                   "'completed' AND iccid IS NOT NULL ORDER BY id DESC LIMIT 1",
                   {"l": line_id}).first()
    if latest is not None and _day(latest.effective_on) > on and latest.plan_sku != current:
        return LineNow(current, sim.iccid if sim else None, latest.plan_sku,
                       _day(latest.effective_on))
    return LineNow(current, sim.iccid if sim else None)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def begin_on_line(uow: UnitOfWork, *, counter: int, action: str, visit_id: int | None,
                  number: str, holder: customers.Person, agent: customers.Person | None,
                  guardian: customers.Person | None) -> tuple[date, int, Any, customers.Parties]:
    """An order on a line in service: the day, the visit, the line and who acts (the
    holder, or an agent with both identities)."""
    day, visit = begin(uow, counter=counter, action=action, visit_id=visit_id)
    line = active_line(uow, number)
    parties = customers.identify_parties(uow, holder, agent=agent, guardian=guardian)
    holder_only(parties, line)
    return day, visit, line, parties


def retire_sim(uow: UnitOfWork, *, iccid: str | None, order_no: str, why: str) -> bool:
    """A SIM leaving service is retired in the stock ledger (sold -> damaged, through the
    stock area) when the ledger holds it as sold; whether it was."""
    if not iccid:
        return False
    place = stock.serial_place(uow.session, iccid)
    if place is None or not stock.is_sold(place.place):
        return False
    stock.retire_sold_serial(uow, sku=place.sku, serial=iccid, reference=order_no, reason=why)
    return True


def sim_line(uow: ReadUnit, *, counter: int, iccid: str, order_id: int | None = None
             ) -> sales.CartLine:
    """The SIM card's sale line: an ICCID in this counter's custody, not held by an open
    order (other than ``order_id``, the one paying for it)."""
    from hallterm.services.catalog import item_in

    serial = stock.clean_serial(iccid)
    place = stock.serial_place(uow.session, serial)
    if place is None:
        raise NotFound(_("ICCID {iccid} is not in the stock ledger.").format(iccid=serial),
                       field="iccid")
    item = item_in(uow, place.sku)
    if item is None or item.serial_type != "iccid":
        raise BadInput(_("{serial} is not a SIM card ({sku}).").format(serial=serial,
                                                                       sku=place.sku),
                       field="iccid")
    if place.place != stock.counter_place(counter):
        raise Refused(_("ICCID {iccid} is not in counter {counter}'s custody: {where}").format(
            iccid=serial, counter=counter, where=stock.where_now(serial, place.sku, place.place)),
            field="iccid")
    held = uow.sql("SELECT order_no FROM service_order WHERE state = 'open' AND iccid = :i "
                   "AND id != :o", {"i": serial, "o": order_id or 0}).first()
    if held is not None:
        raise Refused(_("ICCID {iccid} is held for order {order}.").format(
            iccid=serial, order=held.order_no), field="iccid")
    return sales.line_from_item(item, serial=serial)


def plan_item(unit: ReadUnit, sku: str | None):
    """A plan of the catalog (active, offered), or ``BadInput``/``Refused``."""
    from hallterm.services.catalog import item_in

    item = item_in(unit, (sku or "").strip())
    if item is None or not item.active or item.kind != "plan":
        raise BadInput(_("{sku} is not a plan of the catalog.").format(sku=sku or "-"),
                       field="plan")
    if not item.offered:
        raise Refused(_("{name} is not offered in this hall.").format(name=item.name()),
                      field="plan")
    return item
