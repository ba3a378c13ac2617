"""Opening a complaint: the customer, channel, category, text, related records; the repeat flag.

The person who opens a complaint owns it (首问负责制). The customer's phone is kept
encrypted (``customers.seal``) with its keyed hash (``customers.phone_key``, the
repeat and find key) and its masked form for the screen; an identity document
given links the complaint to the customer record (``customers.identify``), and a
phone that belongs to exactly one customer record links it too. The same customer
(by the keyed hash of the phone or of the ID number) complaining again within the
hall's repeat window is flagged, the earlier complaints named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from hallterm.clock import utc_text
from hallterm.context import Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services.complaints import records
from hallterm.services.complaints.settings import complaint_settings
from hallterm.textinput import free_text

MAX_RECEIVED_DAYS = 15  # the regulator's reply clock: older is already past it
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Customer:
    """Who complains: a phone, and an identity document when they give one."""

    phone: str
    id_number: str | None = None
    id_type: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Opened:
    """A complaint just opened: its number, owner and the earlier complaints it repeats."""

    number: str
    owner: str
    channel: str
    category: str
    phone_masked: str
    customer_id: int | None
    repeat_of: tuple[str, ...]


def phone_number(text: str | None) -> str:
    """A phone as typed, normalised (``customers.check_phone``: spaces, dashes, +86)."""
    from hallterm.services import customers

    return customers.check_phone(text or "")


def _reference(text: str | None, what: str, field: str) -> str | None:
    value = free_text(text, what=what, field=field) or None
    if value is not None and not _REFERENCE.match(value):
        raise BadInput(_("{what} {value} is not a record number (letters, digits, - and _, at "
                         "most 32).").format(what=what, value=value), field=field)
    return value


def _ticket(text: str | None) -> str | None:
    value = _reference(text, _("Ticket"), "ticket")
    return value.upper() if value else None


@dataclass(frozen=True)
class _Request:
    phone: str
    channel: str
    category: str
    text: str
    receipt: str | None
    order_no: str | None
    ticket: str | None
    counter: int | None


def _request(ctx: Ctx, customer: Customer, channel: str | None, category: str, text: str,
             receipt: str | None, order_no: str | None, ticket: str | None) -> _Request:
    require(ctx.actor, "complaint.open")
    phone = phone_number(customer.phone)
    chosen = (channel or ("counter" if ctx.counter else "phone")).strip().lower()
    if chosen not in records.CHANNELS:
        raise BadInput(_("A channel is counter or phone."), field="channel")
    if chosen == "counter" and ctx.counter is None:
        raise BadInput(_("This terminal is at no counter: open the complaint with the phone "
                         "channel."), field="channel")
    code = (category or "").strip().lower()
    if code not in records.CATEGORIES:
        raise BadInput(_("Unknown category {category}: {known}.").format(
            category=category or "-", known=", ".join(records.CATEGORIES)), field="category")
    words = free_text(text, what=_("The complaint"), max_len=records.MAX_TEXT, field="text")
    if not words:
        raise BadInput(_("Say what the customer complains about."), field="text")
    return _Request(phone, chosen, code, words, _reference(receipt, _("Receipt"), "receipt"),
                    _reference(order_no, _("Order"), "order"),
                    _ticket(ticket),
                    ctx.counter if chosen == "counter" else None)


def _related(unit: ReadUnit, req: _Request) -> None:
    """Each related receipt, order and ticket must be one the hall has (any day)."""
    from hallterm.services import orders, queue, sales

    if req.receipt and not sales.receipt_exists(unit, req.receipt):
        raise BadInput(_("No receipt {number}: give one the hall has issued, or leave it "
                         "empty.").format(number=req.receipt), field="receipt")
    if req.order_no and not orders.order_exists(unit, req.order_no):
        raise BadInput(_("No order {number}: give one the hall has taken, or leave it "
                         "empty.").format(number=req.order_no), field="order")
    if req.ticket and not queue.ticket_exists(unit, req.ticket):
        raise BadInput(_("No ticket {number}: give one the hall has issued, or leave it "
                         "empty.").format(number=req.ticket), field="ticket")


def _identity(ctx: Ctx, customer: Customer):
    """The customer's checked document (``customers.check_id``), or None when none given."""
    from hallterm.services import customers

    if not (customer.id_number or "").strip():
        return None
    return customers.check_id(customer.id_number or "", customer.id_type)


def _received(unit: ReadUnit, received_at: datetime | None) -> datetime:
    """When the customer complained: now, or earlier for one passed on (a hotline's)."""
    if received_at is None:
        return unit.now
    if received_at.tzinfo is None:
        raise BadInput(_("The time received needs its timezone."), field="received_at")
    if received_at > unit.now or received_at < unit.now - timedelta(days=MAX_RECEIVED_DAYS):
        raise BadInput(_("The time received must be within the last {n} days (not in the "
                         "future).").format(n=MAX_RECEIVED_DAYS), field="received_at")
    return received_at


def check_open(ctx: Ctx, *, customer: Customer, category: str, text: str,
               channel: str | None = None, receipt: str | None = None,
               order_no: str | None = None, ticket: str | None = None,
               received_at: datetime | None = None) -> None:
    """Validate a new complaint (what ``open_complaint`` would refuse); writes nothing."""
    req = _request(ctx, customer, channel, category, text, receipt, order_no, ticket)
    _identity(ctx, customer)

    def check(unit: ReadUnit) -> None:
        unit.open_day()
        _received(unit, received_at)
        _related(unit, req)

    run_check(ctx, check)


def earlier(unit: ReadUnit, *, phone_key: str, id_key: str | None, days: int) -> list[str]:
    """The numbers of the customer's complaints opened within the last ``days`` days."""
    since = utc_text(unit.now - timedelta(days=days))
    rows = unit.sql(
        "SELECT number FROM complaint WHERE phone_key = :p AND at >= :since UNION "
        "SELECT number FROM complaint WHERE id_key = :i AND at >= :since ORDER BY number",
        {"p": phone_key, "i": id_key, "since": since}).all()
    return [r.number for r in rows]


def open_complaint(ctx: Ctx, *, customer: Customer, category: str, text: str,
                   channel: str | None = None, receipt: str | None = None,
                   order_no: str | None = None, ticket: str | None = None,
                   received_at: datetime | None = None,
                   command_id: str | None = None) -> Opened:
    """Open a complaint; the person opening it owns it. Returns its gapless number.

    ``received_at``: when the customer complained, for a complaint passed on to the hall
    (the hotline's, HQ's) and recorded later; its clocks run from then.
    """
    from hallterm.services import customers

    req = _request(ctx, customer, channel, category, text, receipt, order_no, ticket)
    document = _identity(ctx, customer)
    actor = require(ctx.actor, "complaint.open")
    phone_key = customers.phone_key(ctx.pepper, req.phone)
    id_key = customers.id_key(ctx.pepper, document.number) if document else None
    masked = customers.mask_phone(req.phone)
    linked = None
    if document is None:  # a phone that belongs to one customer record links it
        found = customers.find(ctx, phone=req.phone)
        linked = found[0].id if len(found) == 1 else None

    def work(uow: UnitOfWork) -> Opened:
        day = uow.open_day()
        at = _received(uow, received_at)
        _related(uow, req)
        customer_id = linked
        if document is not None:
            customer_id = customers.identify(uow, customers.Person(
                document.doc_type, document.number, (customer.name or "").strip(),
                phone=req.phone))
        repeats = earlier(uow, phone_key=phone_key, id_key=id_key,
                          days=complaint_settings(uow).repeat_days)
        number = f"TS{day.year}-{uow.next_number(f'complaint:{day.year}'):05d}"
        cid = int(uow.sql(
            "INSERT INTO complaint (number, business_day, at, taken_by, counter, channel, "
            "category, text, customer_id, phone_sealed, phone_key, phone_masked, id_key, "
            "receipt, order_no, ticket, repeat_of) VALUES (:n, :d, :at, :by, :c, :ch, :cat, :t, "
            ":cust, :ps, :pk, :pm, :ik, :r, :o, :tk, :rep) RETURNING id",
            {"n": number, "d": day.isoformat(), "at": utc_text(at), "by": actor.empno,
             "c": req.counter, "ch": req.channel, "cat": req.category, "t": req.text,
             "cust": customer_id, "ps": customers.seal(ctx.pepper, req.phone), "pk": phone_key,
             "pm": masked, "ik": id_key, "r": req.receipt, "o": req.order_no, "tk": req.ticket,
             "rep": ",".join(repeats)[:200] or None}).scalar())
        uow.sql("INSERT INTO complaint_status (complaint_id, state, stage, owner, last_event_id) "
                "VALUES (:c, 'open', 0, :o, 0)", {"c": cid, "o": actor.empno})
        row = records.Row(cid, number, "open", 0, actor.empno, None, at)
        records.append(uow, row, "opened", at=at)
        records.audit(uow, row, "complaint.open", channel=req.channel, category=req.category,
                      counter=req.counter, phone=masked, customer_id=customer_id,
                      receipt=req.receipt, order=req.order_no, ticket=req.ticket,
                      repeat_of=repeats, received_at=utc_text(at) if received_at else None)
        return Opened(number, actor.empno, req.channel, req.category, masked, customer_id,
                      tuple(repeats))

    return run_write(ctx, "complaint.open", work, command_id=command_id, result_type=Opened)
