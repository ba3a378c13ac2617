"""Shift handover (交接班): a counter passes from one clerk to the next, with a blind count.

A handover is a state machine kept in the store; each step is its own audited
transaction, so an interruption (Ctrl-C, a killed terminal) leaves the counter
paused and nothing half-written, and running it again resumes at the next step:

1. ``start`` — the outgoing clerk signs with their PIN; the counter is paused (its
   called tickets stay with it, waiting tickets stay in line, ``call_next`` routes
   nothing there). ``restart=True`` cancels a handover in progress and starts
   afresh; ``cancel`` gives up and puts the counter back as it was.
2. ``submit_count`` — the outgoing clerk counts the drawer (a total or by
   denomination) and the counter's custody stock (serials scanned, quantities
   entered). The count is *blind*: nothing returns an expected amount before it is
   submitted; after it, the view shows expected against counted.
3. ``review`` — any difference needs a reason (长短款 / stock difference); a cash
   difference, or stock differences worth more than the hall's
   ``thresholds.handover_difference_approval_fen``, needs a duty or hall manager as
   witness (监交人, approval action ``handover.witness``).
4. ``finish`` — the incoming clerk (confirmed with their PIN, holding a counter
   role) becomes the counter's clerk and the counter opens again. The cash count is
   recorded through ``cash.record_count`` (purpose ``handover``), so the day report
   and closing's "drawer not counted" check see it. What is left open at the
   counter (called tickets, tickets waiting for its services, and whatever later
   areas register with ``register_pending``: complaints, service orders) is listed
   on the handover and passes to the incoming clerk.

The day-end variant (``day_end=True``) is the last clerk handing the drawer in:
the same count and review, no incoming clerk, and the counter closes (purpose
``day_end``), so the day can close.

Stock differences are *recorded*, never posted: they are lines of the handover
(missing and extra serials, short and over quantities) shown in the day report and
the export; the ledger is put right by the hall manager's stocktake or write-off,
which carry their own approvals (a handover must not move stock on one clerk's
word).

A count re-bases what the counter should hold, for the cash (``cash.drawer_in``)
and for the custody stock (``_carried``): the incoming clerk takes over what was
counted, so a difference is recorded once, at the count that found it, and the
next count (the day-end hand-in) does not find it again. Every difference is
counted minus expected: a shortage is negative, in cash and in stock value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork, run_check, run_write
from hallterm.errors import ApprovalRequired, BadInput, Forbidden, NotFound, Refused
from hallterm.i18n import N_, _
from hallterm.models.types import utc_text
from hallterm.money import format_fen, parse_fen
from hallterm.permissions import APPROVERS, COUNTER_ROLES, allowed, require
from hallterm.services import dayparts
from hallterm.store import execute
from hallterm.textinput import digits, free_text

KINDS: dict[str, str] = {"shift": N_("Shift handover"), "day_end": N_("Day-end hand-in")}
STATES: dict[str, str] = {
    "started": N_("started: waiting for the count"),
    "counted": N_("counted: waiting for the review"),
    "reviewed": N_("reviewed: waiting for the incoming clerk"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
}
ACTIVE = ("started", "counted", "reviewed")
STATUS_LABELS: dict[str, str] = {
    "ok": N_("ok"),
    "missing": N_("missing"),
    "extra": N_("extra"),
    "short": N_("short"),
    "over": N_("over"),
}
# Renminbi notes and coins, in fen: 100, 50, 20, 10, 5, 2, 1 yuan; 5, 2, 1 jiao; 5, 2, 1 fen.
DENOMINATIONS_FEN = (10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1)
MAX_REASON = 200
_QUEUE_CHANGES = "queue:changes"  # services.queue.CHANGES_KEY (live screens poll it)


def kind_label(kind: str) -> str:
    return _(KINDS.get(kind, kind))


def state_label(state: str) -> str:
    return _(STATES.get(state, state))


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


# -- what is left open at a counter (pluggable, like dayparts) ------------------------------
@dataclass(frozen=True)
class PendingItem:
    """Something open at the counter that the incoming clerk takes over."""

    kind: str  # e.g. ticket_called, ticket_waiting, complaint, service_order
    reference: str  # the ticket, complaint or order number
    description: str  # one line in English, as stored; ``describe`` shows it translated


@dataclass(frozen=True)
class PendingText:
    """The message of a pending line: stored in English, shown in the reader's language.

    The handover row keeps the English line (the export's, and any reader's later);
    ``describe`` recognises it by the message and renders it in the current language,
    so a handover finished in Chinese reads in English and the other way round.
    """

    message: str  # an N_() message with {placeholders}
    translated: tuple[str, ...] = ()  # placeholders whose values are messages too


_texts: list[PendingText] = []


def pending_text(message: str, *, translated: tuple[str, ...] = ()) -> PendingText:
    """Register the message of an area's pending lines (once, at import)."""
    text = PendingText(message, translated)
    if text not in _texts:
        _texts.append(text)
    return text


def pending_line(text: PendingText, **args: Any) -> str:
    """The line to list and store: the message's own (English) words, filled in."""
    return text.message.format(**args)


def _pattern(message: str):
    import re
    from string import Formatter

    parts = []
    for literal, name, _spec, _conv in Formatter().parse(message):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts))


def describe(item: PendingItem) -> str:
    """A pending line in the current language (as stored when no message matches it)."""
    for text in _texts:
        found = _pattern(text.message).fullmatch(item.description)
        if found:
            args = {k: _(v) if k in text.translated else v
                    for k, v in found.groupdict().items()}
            return _(text.message).format(**args)
    return item.description


@dataclass(frozen=True)
class PendingQuery:
    """What a pending-lister is asked about: a counter, its services, its outgoing clerk."""

    counter: int
    business_day: date
    services: tuple[str, ...]
    outgoing: str  # employee number
    outgoing_id: int


Lister = Callable[[Any, PendingQuery], list[PendingItem]]
Passer = Callable[[UnitOfWork, PendingQuery, Actor], None]
_pending: list[tuple[Lister, Passer | None]] = []


def register_pending(fn: Lister | None = None, *, hand_over: Passer | None = None):
    """Register what an area leaves open at a counter (usable as a decorator).

    ``fn(session, query) -> list[PendingItem]`` lists it on an open read session (or
    the handover's write session), each line made with ``pending_line`` from a
    message registered with ``pending_text`` (stored in English, shown translated);
    ``hand_over(uow, query, incoming)``, when given, passes it to the incoming clerk
    inside the handover's last transaction.
    """

    def add(lister: Lister) -> Lister:
        if all(existing is not lister for existing, _p in _pending):
            _pending.append((lister, hand_over))
        return lister

    return add(fn) if fn is not None else add


def _pending_items(session, query: PendingQuery) -> list[PendingItem]:
    dayparts.load_areas()
    out: list[PendingItem] = []
    for lister, _passer in list(_pending):
        out.extend(lister(session, query))
    return out


# -- results -----------------------------------------------------------------------------
@dataclass(frozen=True)
class StockLine:
    """One line of the custody count: a serial, or an item counted by quantity."""

    sku: str
    serial: str | None
    expected_quantity: int
    counted_quantity: int
    difference: int
    unit_value_fen: int
    status: str  # ok | missing | extra | short | over


@dataclass(frozen=True)
class HandoverView:
    """A handover as screens and the CLI show it.

    Blind count: until the count is submitted (state ``started``), ``expected_fen``,
    ``difference_fen`` and ``lines`` are empty, whatever is asked.
    """

    id: int
    number: str
    business_day: date
    counter: int
    kind: str
    state: str
    actor: str
    outgoing: str
    incoming: str | None
    witness: str | None
    counter_state_before: str
    started_at: datetime
    counted_at: datetime | None
    reviewed_at: datetime | None
    finished_at: datetime | None
    counted_fen: int | None
    denominations: tuple[tuple[int, int], ...]
    expected_fen: int | None
    difference_fen: int | None
    stock_difference_fen: int | None
    cash_reason: str | None
    stock_reason: str | None
    cash_count_id: int | None
    note: str | None
    threshold_fen: int
    lines: tuple[StockLine, ...]
    pending: tuple[PendingItem, ...]

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def stock_differences(self) -> tuple[StockLine, ...]:
        return tuple(x for x in self.lines if x.difference)

    @property
    def needs_cash_reason(self) -> bool:
        return bool(self.difference_fen)

    @property
    def needs_stock_reason(self) -> bool:
        return bool(self.stock_differences)

    @property
    def stock_difference_gross_fen(self) -> int:
        """The value of the stock differences, shortages and surpluses alike (the witness
        threshold: a missing handset and an extra one do not cancel out)."""
        return sum(abs(x.difference) * x.unit_value_fen for x in self.lines)

    @property
    def needs_witness(self) -> bool:
        return (abs(self.difference_fen or 0) > self.threshold_fen
                or self.stock_difference_gross_fen > self.threshold_fen)


# -- input helpers -----------------------------------------------------------------------
def parse_denominations(text: str) -> dict[int, int]:
    """``"100x3,50x1,0.5x4"`` (also ``×``, ``*``; ``5角``/``1元`` faces) -> {face_fen: count}."""
    out: dict[int, int] = {}
    for part in (text or "").replace("，", ",").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        for sep in ("x", "X", "×", "*"):
            if sep in part:
                face_text, count_text = part.split(sep, 1)
                break
        else:
            raise BadInput(_("A denomination is FACExCOUNT, e.g. 100x3: {part}").format(
                part=part))
        face_text = face_text.strip().replace("元", "")
        if face_text.endswith("角"):
            face = parse_fen(face_text[:-1]) // 10
        elif face_text.endswith("分"):
            face = parse_fen(face_text[:-1]) // 100
        else:
            face = parse_fen(face_text)
        count_text = count_text.strip()
        if not count_text.isdigit():
            raise BadInput(_("A denomination count is a whole number: {part}").format(part=part))
        add_denomination(out, face, int(count_text))
    if not out:
        raise BadInput(_("No denominations given."))
    return out


def add_denomination(into: dict[int, int], face_fen: int, count: int) -> None:
    if face_fen not in DENOMINATIONS_FEN:
        raise BadInput(_("{face} is not a Renminbi note or coin.").format(
            face=format_fen(face_fen)))
    if count < 0 or count > 100_000:
        raise BadInput(_("A denomination count is 0 to 100000."))
    into[face_fen] = into.get(face_fen, 0) + count


def _reason(text: str | None) -> str | None:
    text = free_text(text, what=_("A reason")) or None
    if text is not None and len(text) > MAX_REASON:
        raise BadInput(_("A reason is at most {n} characters.").format(n=MAX_REASON))
    return text


def _clean_serial(text: str) -> str:
    return (text or "").strip().replace(" ", "").replace("-", "").upper()


@dataclass(frozen=True)
class CountScan:
    """One scan during the blind count: a serial for the list, or one more of a counted item."""

    serial: str | None = None
    sku: str | None = None
    name: str | None = None


def scan_for_count(ctx: Ctx, *, code: str) -> CountScan:
    """What one scan of the blind count is, without saying what the counter should hold.

    A serial (one per Enter) goes to the list of serials scanned; a counted item's
    barcode or SKU is one more of that item (counted goods stay separate from the
    serials); a serialised item's own barcode is refused (its serials are scanned).
    Nothing here reads the counter's custody: the count stays blind.
    """
    from hallterm.i18n import get_language
    from hallterm.services.catalog import find_item

    _may_look(ctx)
    text = (code or "").strip()
    if not text:
        raise BadInput(_("Nothing was scanned."))
    with ctx.store.read() as session:
        item = find_item(session, text)
    if item is not None:
        if not item.stocked:
            raise BadInput(_("{sku} is a service and has no stock").format(sku=item.sku))
        if item.serialised:
            raise BadInput(_("{sku} is counted by scanning its serials, not by quantity.")
                           .format(sku=item.sku))
        zh = get_language().startswith("zh")
        return CountScan(sku=item.sku, name=item.name_zh if zh else item.name_en)
    serial = _clean_serial(text)
    if not serial or len(serial) > 32 or not serial.isalnum():
        raise BadInput(_("Not a serial: {serial}").format(serial=text))
    return CountScan(serial=serial)


def _threshold(ctx: Ctx) -> int:
    from hallterm.services.hall import get_hall

    return get_hall(ctx).thresholds.handover_difference_approval_fen


# -- reading -------------------------------------------------------------------------------
_COLS = ("id, number, business_day, counter, kind, state, actor, outgoing, incoming, witness, "
         "counter_state_before, started_at, counted_at, reviewed_at, finished_at, counted_fen, "
         "denominations, expected_fen, difference_fen, stock_difference_fen, cash_reason, "
         "stock_reason, cash_count_id, note")


def _dt(text: str | None, tz) -> datetime | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value.astimezone(tz) if tz else value


def _query(session, row) -> PendingQuery:
    services = execute(session, "SELECT services FROM counter WHERE number = :n",
                       {"n": row[3]}).scalar() or ""
    staff_id = execute(session, "SELECT id FROM staff WHERE empno = :e",
                       {"e": row[7]}).scalar() or 0
    return PendingQuery(row[3], date.fromisoformat(row[2]), tuple(services.split()), row[7],
                        int(staff_id))


def _view(session, row, *, threshold: int, tz=None) -> HandoverView:
    blind = row[5] == "started" or row[15] is None
    lines: tuple[StockLine, ...] = ()
    if not blind:
        lines = tuple(StockLine(*r) for r in execute(
            session, "SELECT sku, serial, expected_quantity, counted_quantity, difference, "
            "unit_value_fen, status FROM handover_line WHERE handover_id = :h ORDER BY id",
            {"h": row[0]}).all())
    if row[5] in ACTIVE:
        pending = tuple(_pending_items(session, _query(session, row)))
    else:
        pending = tuple(PendingItem(*r) for r in execute(
            session, "SELECT kind, reference, description FROM handover_pending WHERE "
            "handover_id = :h ORDER BY id", {"h": row[0]}).all())
    denominations = tuple(sorted(((int(k), int(v)) for k, v in json.loads(row[16]).items()),
                                 reverse=True)) if row[16] else ()
    return HandoverView(
        row[0], row[1], date.fromisoformat(row[2]), row[3], row[4], row[5], row[6], row[7],
        row[8], row[9], row[10], _dt(row[11], tz), _dt(row[12], tz), _dt(row[13], tz),
        _dt(row[14], tz), row[15], denominations,
        None if blind else row[17], None if blind else row[18], None if blind else row[19],
        row[20], row[21], row[22], row[23], threshold, lines, pending)


def _may_look(ctx: Ctx) -> None:
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))


def active(ctx: Ctx, *, counter: int) -> HandoverView | None:
    """The handover in progress at ``counter`` (blind until counted), or ``None``."""
    _may_look(ctx)
    threshold = _threshold(ctx)
    with ctx.store.read() as session:
        row = execute(session, f"SELECT {_COLS} FROM handover WHERE counter = :c AND state IN "
                      "('started', 'counted', 'reviewed') ORDER BY id DESC LIMIT 1",
                      {"c": counter}).first()
        return _view(session, row, threshold=threshold, tz=ctx.clock.tz) if row else None


def get(ctx: Ctx, *, handover_id: int | None = None, number: str | None = None) -> HandoverView:
    """One handover by id or number."""
    _may_look(ctx)
    threshold = _threshold(ctx)
    with ctx.store.read() as session:
        if handover_id is not None:
            row = execute(session, f"SELECT {_COLS} FROM handover WHERE id = :i",
                          {"i": handover_id}).first()
        else:
            row = execute(session, f"SELECT {_COLS} FROM handover WHERE number = :n",
                          {"n": (number or "").strip().upper()}).first()
        if row is None:
            raise NotFound(_("No handover {ref}.").format(ref=number or handover_id))
        return _view(session, row, threshold=threshold, tz=ctx.clock.tz)


def handovers(ctx: Ctx, *, business_day: date | None = None) -> list[HandoverView]:
    """A day's handovers (default today), newest first."""
    _may_look(ctx)
    threshold = _threshold(ctx)
    day = business_day or ctx.today()
    with ctx.store.read() as session:
        rows = execute(session, f"SELECT {_COLS} FROM handover WHERE business_day = :d "
                       "ORDER BY id DESC", {"d": day.isoformat()}).all()
        return [_view(session, r, threshold=threshold, tz=ctx.clock.tz) for r in rows]


def pending(ctx: Ctx, *, counter: int) -> list[PendingItem]:
    """What is open at ``counter`` now (what an incoming clerk would take over)."""
    _may_look(ctx)
    with ctx.store.read() as session:
        crow = execute(session, "SELECT c.services, s.empno, s.id FROM counter c LEFT JOIN "
                       "staff s ON s.id = c.clerk_id WHERE c.number = :n", {"n": counter}).first()
        if crow is None:
            raise NotFound(_("No counter {number} in this hall.").format(number=counter))
        query = PendingQuery(counter, ctx.today(), tuple((crow[0] or "").split()), crow[1] or "",
                             int(crow[2] or 0))
        return _pending_items(session, query)


# -- writing helpers -------------------------------------------------------------------------
def _row(uow: ReadUnit, handover_id: int):
    row = uow.sql(f"SELECT {_COLS} FROM handover WHERE id = :i", {"i": handover_id}).first()
    if row is None:
        raise NotFound(_("No handover {ref}.").format(ref=handover_id))
    return row


def _expect_state(row, *states: str) -> None:
    if row[5] not in states:
        raise Refused(_("Handover {number} is {state}; that step cannot be done now.").format(
            number=row[1], state=state_label(row[5])))


def _counter(uow: ReadUnit, counter: int):
    row = uow.sql("SELECT c.number, c.services, c.state, c.clerk_id, c.active, s.empno FROM "
                  "counter c LEFT JOIN staff s ON s.id = c.clerk_id WHERE c.number = :n",
                  {"n": counter}).first()
    if row is None or not row[4]:
        raise NotFound(_("No counter {number} in this hall.").format(number=counter))
    return row


def _set_counter(uow: UnitOfWork, day: date, counter: int, current: str, state: str,
                 clerk_id: int | None, reason: str) -> None:
    """Change a counter's state inside the handover's transaction (as the queue does)."""
    at = utc_text(uow.now)
    uow.sql("UPDATE counter SET state = :s, clerk_id = :k, state_since = :at WHERE number = :n",
            {"s": state, "k": clerk_id, "at": at, "n": counter})
    uow.sql("INSERT INTO counter_event (business_day, counter, state, clerk_id, at, actor, "
            "reason) VALUES (:d, :n, :s, :k, :at, :a, :r)",
            {"d": day.isoformat(), "n": counter, "s": state, "k": clerk_id, "at": at,
             "a": uow.actor.empno if uow.actor else None, "r": reason})
    uow.next_number(_QUEUE_CHANGES)
    uow.audit(f"counter.{state}", entity="counter", entity_id=counter, business_day=day,
              payload={"from": current, "clerk_id": clerk_id, "reason": reason})


def _held(uow: ReadUnit, counter: int, day: date) -> list[str]:
    return [r[0] for r in uow.sql(
        "SELECT number FROM ticket WHERE counter = :c AND business_day = :d AND state IN "
        "('called', 'serving', 'parked') ORDER BY id", {"c": counter, "d": day.isoformat()}).all()]


def _staff_actor(uow: ReadUnit, empno: str) -> Actor:
    row = uow.sql("SELECT id, empno, name, roles, language FROM staff WHERE empno = :e",
                  {"e": empno}).first()
    if row is None:
        raise NotFound(_("No staff member with employee number {empno}.").format(empno=empno))
    return Actor(row[0], row[1], row[2], frozenset(row[3].split()), row[4])


def _result(ctx: Ctx, uow: UnitOfWork, handover_id: int, threshold: int) -> HandoverView:
    return _view(uow.session, _row(uow, handover_id), threshold=threshold, tz=ctx.clock.tz)


# -- 1. start -----------------------------------------------------------------------------
def _refuse_paid_carts(unit: ReadUnit, counter: int) -> None:
    # Card/QR money taken for a sale not yet written stays with the clerk who took it:
    # they complete the sale or give it back before the counter changes hands.
    from hallterm.services.carts import paid_carts_at

    paid = paid_carts_at(unit.session, counter)
    if paid:
        raise Refused(paid[0])


def _start_checks(unit: ReadUnit, counter: int, outgoing: Actor, kind: str, restart: bool):
    """Why a handover cannot start (raises), else (day, counter row, current, state before,
    resume): shared by ``start`` and ``check_start`` so the check is the write's own."""
    day = unit.open_day()
    crow = _counter(unit, counter)
    current = unit.sql("SELECT id, number, kind, outgoing, counter_state_before FROM handover "
                       "WHERE counter = :c AND state IN ('started', 'counted', 'reviewed') "
                       "ORDER BY id DESC LIMIT 1", {"c": counter}).first()
    before = crow[2]
    if current is not None:
        if not restart:
            if current[2] != kind or current[3] != outgoing.empno:
                raise Refused(_("Counter {counter} has handover {number} in progress ({kind} "
                                "by {empno}); resume it, or start again with restart.")
                              .format(counter=counter, number=current[1],
                                      kind=kind_label(current[2]), empno=current[3]))
            return day, crow, current, before, True
        before = current[4]
    if crow[3] is not None and crow[3] != outgoing.id:
        raise Refused(_("Counter {counter}'s clerk is {empno}; only they hand it over.")
                      .format(counter=counter, empno=crow[5]))
    _refuse_paid_carts(unit, counter)
    if kind == "shift" and before == "closed" and current is None:
        raise Refused(_("Counter {counter} is closed; there is no shift to hand over. The "
                        "last clerk of the day hands the drawer in with the day-end "
                        "variant.").format(counter=counter))
    if kind == "day_end":
        held = _held(unit, counter, day)
        if held:
            raise Refused(_("Counter {counter} still holds ticket {number}; finish or "
                            "transfer it before handing the drawer in.").format(
                counter=counter, number=held[0]))
    return day, crow, current, before, False


def _person(unit: ReadUnit, empno: str, what: str) -> Actor:
    row = unit.sql("SELECT id, empno, name, roles, language, active FROM staff WHERE empno = :e",
                   {"e": digits(empno)}).first()
    if row is None or not row[5]:
        raise BadInput(_("{what}: no active staff member with employee number {empno}.").format(
            what=what, empno=digits(empno)))
    return Actor(row[0], row[1], row[2], frozenset(row[3].split()), row[4])


def _incoming_ok(unit: ReadUnit, counter: int, empno: str, *, outgoing: str,
                 witness: str | None = None) -> None:
    """The incoming clerk is available: another active counter clerk, at no other counter."""
    new = _person(unit, empno, _("Incoming clerk"))
    if new.empno == outgoing:
        raise Refused(_("The incoming clerk must be another person than the outgoing one."))
    if not new.roles & COUNTER_ROLES:
        raise Refused(_("{empno} has no counter role; they cannot take the counter.")
                      .format(empno=new.empno))
    if witness and new.empno == witness:
        raise Refused(_("The witness cannot also be the incoming clerk."))
    elsewhere = unit.sql(
        "SELECT number FROM counter WHERE clerk_id = :k AND number != :n AND "
        "state != 'closed'", {"k": new.id, "n": counter}).first()
    if elsewhere is not None:
        raise Refused(_("{empno} is already at counter {number}; close it or hand it "
                        "over first.").format(empno=new.empno, number=elsewhere[0]))


def _witness_ok(unit: ReadUnit, empno: str, *, outgoing: str, incoming: str | None) -> None:
    """The witness (监交人) may witness and is neither the outgoing nor the incoming clerk."""
    who = _person(unit, empno, _("Witness"))
    if not who.roles & APPROVERS["handover.witness"]:
        raise Forbidden(_("{name} ({empno}) may not witness a handover.").format(
            name=who.name, empno=who.empno))
    if who.empno == outgoing:
        raise Forbidden(_("The outgoing clerk cannot witness their own handover."))
    if incoming and who.empno == incoming.strip():
        raise Refused(_("The witness cannot also be the incoming clerk."))


def check_incoming(ctx: Ctx, *, handover_id: int, empno: str) -> None:
    """Before the incoming clerk's PIN: may ``empno`` take this handover's counter now?"""
    def check(unit: ReadUnit) -> None:
        row = _row(unit, handover_id)
        _incoming_ok(unit, row[3], empno, outgoing=row[7], witness=row[9])

    run_check(ctx, check)


def check_witness(ctx: Ctx, *, handover_id: int, empno: str) -> None:
    """Before the witness's PIN: may ``empno`` witness this handover?"""
    def check(unit: ReadUnit) -> None:
        row = _row(unit, handover_id)
        _witness_ok(unit, empno, outgoing=row[7], incoming=row[8])

    run_check(ctx, check)


def check_start(ctx: Ctx, *, counter: int, outgoing: str, day_end: bool = False,
                restart: bool = False, incoming: str | None = None,
                witness: str | None = None, reasons: Sequence[str | None] = ()) -> None:
    """Validate a handover before anything is written or anyone is asked for a PIN.

    ``outgoing``, ``incoming`` and ``witness`` are employee numbers: the counter
    exists and the outgoing clerk may hand it over now (as ``start`` would decide);
    the incoming clerk is another active counter clerk not holding another counter;
    the witness may witness and is neither of them. Writes nothing.
    """
    kind = "day_end" if day_end else "shift"
    for text in reasons:
        _reason(text)

    def check(unit: ReadUnit) -> None:
        out = _person(unit, outgoing, _("Outgoing clerk"))
        if not allowed(out.roles, "queue.serve"):
            raise Refused(_("{empno} has no counter role; only a counter's clerk hands it "
                            "over.").format(empno=out.empno))
        _start_checks(unit, counter, out, kind, restart)
        if incoming:
            _incoming_ok(unit, counter, incoming, outgoing=out.empno)
        if witness:
            _witness_ok(unit, witness, outgoing=out.empno, incoming=incoming)

    run_check(ctx, check)


def _counted_cash(cash_fen: int | None, denominations: Mapping[int, int] | None
                  ) -> tuple[int, dict[int, int]]:
    """The counted total and the notes by face, or why they cannot be used."""
    notes: dict[int, int] = {}
    for face, count in (denominations or {}).items():
        add_denomination(notes, int(face), int(count))
    if denominations:
        total = sum(face * n for face, n in notes.items())
        if cash_fen is not None and cash_fen != total:
            raise BadInput(_("The denominations add up to {total}, not {cash}.").format(
                total=format_fen(total), cash=format_fen(cash_fen)))
        cash_fen = total
    if cash_fen is None:
        raise BadInput(_("Count the cash: a total or by denomination."))
    if not isinstance(cash_fen, int) or isinstance(cash_fen, bool) or cash_fen < 0:
        raise BadInput(_("Counted cash cannot be negative."))
    return cash_fen, notes


def check_count(ctx: Ctx, *, counter: int, cash_fen: int | None = None,
                denominations: Mapping[int, int] | None = None,
                serials: Sequence[str] = (), counts: Mapping[str, int] | None = None) -> None:
    """Validate a blind count (cash, denominations, serials, items) without writing it.

    The cash is checked when given (a count without it is asked for later).
    """
    if cash_fen is not None or denominations:
        _counted_cash(cash_fen, denominations)
    run_check(ctx, lambda unit: _evaluate(unit.session, counter, serials, counts or {}))


def start(ctx: Ctx, *, counter: int, outgoing: Actor, day_end: bool = False,
          restart: bool = False) -> HandoverView:
    """Start (or resume) the handover of ``counter``; the counter pauses.

    ``outgoing`` is the clerk handing over, authenticated with their PIN (on the CLI
    they are the one signed in; on the duty manager's screen they confirm with
    theirs). A handover already in progress by the same clerk and of the same kind is
    resumed as it is (nothing is written); ``restart`` cancels it and starts afresh.
    """
    require(ctx.actor, "handover.run")
    if not allowed(outgoing.roles, "queue.serve"):
        raise Refused(_("{empno} has no counter role; only a counter's clerk hands it over.")
                      .format(empno=outgoing.empno))
    kind = "day_end" if day_end else "shift"
    threshold = _threshold(ctx)

    def work(uow: UnitOfWork) -> HandoverView:
        uow.pin_used(outgoing, for_action="handover.start")
        day, crow, current, before, resume = _start_checks(uow, counter, outgoing, kind,
                                                           restart)
        if resume:
            uow.audit("handover.resume", entity="handover", entity_id=current[1],
                      business_day=day, payload={"counter": counter})
            return _result(ctx, uow, current[0], threshold)
        if current is not None:
            uow.sql("UPDATE handover SET state = 'cancelled', note = :n, finished_at = :at "
                    "WHERE id = :i", {"n": "restarted", "at": utc_text(uow.now), "i": current[0]})
            uow.audit("handover.cancel", entity="handover", entity_id=current[1],
                      business_day=day, payload={"counter": counter, "reason": "restarted"})
        number = f"HO{day:%Y%m%d}-{uow.next_number(f'handover:{day.isoformat()}'):03d}"
        hid = uow.sql(
            "INSERT INTO handover (number, business_day, counter, kind, state, actor, outgoing, "
            "counter_state_before, started_at) VALUES (:n, :d, :c, :k, 'started', :a, :o, :b, "
            ":at) RETURNING id",
            {"n": number, "d": day.isoformat(), "c": counter, "k": kind,
             "a": uow.actor.empno, "o": outgoing.empno, "b": before,
             "at": utc_text(uow.now)}).scalar()
        uow.audit("handover.start", entity="handover", entity_id=number, business_day=day,
                  payload={"counter": counter, "kind": kind, "outgoing": outgoing.empno,
                           "counter_state": crow[2], "restart": current is not None})
        if crow[2] in ("open", "closing"):
            _set_counter(uow, day, counter, crow[2], "paused", crow[3],
                         _("handover {number}").format(number=number))
        return _result(ctx, uow, hid, threshold)

    return run_write(ctx, "handover.start", work)


# -- 2. the blind count ---------------------------------------------------------------------
def _carried(session, counter: int) -> tuple[dict[str, tuple[str, int]], dict[str, int]]:
    """The stock differences earlier counts of ``counter`` found and the ledger still has.

    A finished handover re-bases the counter's custody: the incoming clerk takes over
    what was counted, so its differences are carried into what the counter should
    hold until the ledger is put right — by a stocktake of the counter posted after
    it (which re-bases the ledger itself), by a write-off of a missing serial (the
    serial has left the counter's ledger), or by writing short goods off to lost.
    Returns ``({serial: (sku, net difference)}, {sku: net difference})``.
    """
    from hallterm.services.stock import LOST

    place = f"counter:{int(counter)}"
    since = execute(session, "SELECT MAX(posted_at) FROM stocktake WHERE place = :p AND "
                    "state = 'posted'", {"p": place}).scalar() or ""
    serials: dict[str, tuple[str, int]] = {}
    goods: dict[str, int] = {}
    for sku, serial, diff, first in execute(
            session, "SELECT l.sku, l.serial, SUM(l.difference), MIN(h.finished_at) FROM "
            "handover_line l JOIN handover h ON h.id = l.handover_id WHERE h.counter = :c AND "
            "h.state = 'done' AND h.finished_at > :since AND l.difference != 0 GROUP BY "
            "l.serial, l.sku", {"c": int(counter), "since": since}).all():
        if not diff:
            continue
        if serial is not None:
            serials[serial] = (sku, int(diff))
            continue
        diff = int(diff)
        if diff < 0:  # short goods written off to lost since are put right
            gone = execute(session, "SELECT COALESCE(SUM(m.quantity), 0) FROM stock_move m JOIN "
                           "stock_document d ON d.id = m.document_id WHERE d.kind = 'write_off' "
                           "AND m.from_place = :p AND m.to_place = :lost AND m.sku = :s AND "
                           "m.at > :first", {"p": place, "lost": LOST, "s": sku,
                                             "first": first}).scalar() or 0
            diff = min(0, diff + int(gone))
        if diff:
            goods[sku] = diff
    return serials, goods


def _evaluate(session, counter: int, serials: Sequence[str], counts: Mapping[str, int]
              ) -> list[StockLine]:
    """Compare a custody count with what the counter should hold (on an open session):
    the ledger's custody, re-based by the differences earlier counts found (``_carried``)."""
    from hallterm.services.catalog import find_item

    place = f"counter:{int(counter)}"
    carried_serials, carried_goods = _carried(session, counter)
    held = execute(session, "SELECT b.sku, i.kind, b.quantity, i.price_fen, i.face_value_fen "
                   "FROM stock_balance b JOIN catalog_item i ON i.sku = b.sku WHERE "
                   "b.place = :p AND b.quantity > 0 ORDER BY b.sku", {"p": place}).all()
    unit = {r[0]: (r[4] if r[1] == "valuable_card" else r[3]) or 0 for r in held}
    at_place = dict(execute(session, "SELECT serial, sku FROM stock_serial WHERE place = :p",
                            {"p": place}).all())
    scanned: list[str] = []
    for text in serials:
        serial = _clean_serial(text)
        if not serial:
            continue
        if len(serial) > 32:
            raise BadInput(_("Not a serial: {serial}").format(serial=text))
        if serial not in scanned:
            scanned.append(serial)
    counted: dict[str, int] = {}
    for code, quantity in counts.items():
        item = find_item(session, code)
        if item is None:
            raise BadInput(_("Unknown item {code}.").format(code=code))
        if item.serialised:
            raise BadInput(_("{sku} is counted by scanning its serials, not by quantity.")
                           .format(sku=item.sku))
        if not item.stocked:
            raise BadInput(_("{sku} is a service and has no stock").format(sku=item.sku))
        if not isinstance(quantity, int) or quantity < 0:
            raise BadInput(_("A counted quantity is a whole number, 0 or more."))
        counted[item.sku] = counted.get(item.sku, 0) + quantity
        if item.sku not in unit:
            unit[item.sku] = (item.face_value_fen if item.kind == "valuable_card"
                              else item.price_fen) or 0

    def value_of(sku: str | None) -> int:
        if not sku:
            return 0
        if sku not in unit:
            item = find_item(session, sku)
            unit[sku] = ((item.face_value_fen if item.kind == "valuable_card"
                          else item.price_fen) or 0) if item else 0
        return unit[sku]

    # Serials the counter should hold: the ledger's, less those found missing before,
    # plus those found there before that the ledger places elsewhere.
    expected_serials = dict(at_place)
    for serial, (sku, diff) in carried_serials.items():
        if min(1, max(0, int(serial in at_place) + diff)):
            expected_serials.setdefault(serial, sku)
        else:
            expected_serials.pop(serial, None)
    lines: list[StockLine] = []
    for serial, sku in sorted(expected_serials.items(), key=lambda kv: (kv[1], kv[0])):
        found = serial in scanned
        lines.append(StockLine(sku, serial, 1, int(found), int(found) - 1, value_of(sku),
                               "ok" if found else "missing"))
    for serial in scanned:
        if serial in expected_serials:
            continue
        where = at_place.get(serial) or execute(
            session, "SELECT sku FROM stock_serial WHERE serial = :s", {"s": serial}).scalar()
        lines.append(StockLine(where or "", serial, 0, 1, 1, value_of(where), "extra"))
    expected = {r[0]: int(r[2]) for r in held if r[1] not in ("serialised", "valuable_card")}
    for sku, diff in carried_goods.items():
        expected[sku] = max(0, expected.get(sku, 0) + diff)
        if not expected[sku]:
            del expected[sku]
        value_of(sku)
    for sku in sorted(set(expected) | set(counted)):
        want, have = expected.get(sku, 0), counted.get(sku, 0)
        status = "ok" if have == want else ("short" if have < want else "over")
        lines.append(StockLine(sku, None, want, have, have - want, unit.get(sku, 0), status))
    return lines


def submit_count(ctx: Ctx, *, handover_id: int, cash_fen: int | None = None,
                 denominations: Mapping[int, int] | None = None,
                 serials: Sequence[str] = (), counts: Mapping[str, int] | None = None
                 ) -> HandoverView:
    """Record the outgoing clerk's blind count; the view then shows expected vs counted.

    The cash is a total (``cash_fen``) or by denomination ({face in fen: count}); given
    both, they must agree. Every serial in custody must be scanned and every counted
    item's quantity entered (an item not entered counts as none). Counting again
    before the handover is finished replaces the previous count.
    """
    require(ctx.actor, "handover.run")
    cash_fen, notes = _counted_cash(cash_fen, denominations)
    threshold = _threshold(ctx)

    def work(uow: UnitOfWork) -> HandoverView:
        from hallterm.services.cash import drawer_in

        row = _row(uow, handover_id)
        _expect_state(row, *ACTIVE)
        day = uow.open_day(date.fromisoformat(row[2]))
        lines = _evaluate(uow.session, row[3], serials, counts or {})
        expected = drawer_in(uow.session, counter=row[3], business_day=day).expected_fen
        # Counted minus expected, in value: a shortage is negative (as the cash).
        stock_value = sum(x.difference * x.unit_value_fen for x in lines)
        uow.sql("DELETE FROM handover_line WHERE handover_id = :h", {"h": row[0]})
        if lines:
            uow.sql("INSERT INTO handover_line (handover_id, business_day, sku, serial, "
                    "expected_quantity, counted_quantity, difference, unit_value_fen, status) "
                    "VALUES (:h, :d, :sku, :serial, :e, :c, :x, :v, :s)",
                    [{"h": row[0], "d": day.isoformat(), "sku": x.sku, "serial": x.serial,
                      "e": x.expected_quantity, "c": x.counted_quantity, "x": x.difference,
                      "v": x.unit_value_fen, "s": x.status} for x in lines])
        uow.sql("UPDATE handover SET state = 'counted', counted_at = :at, counted_fen = :n, "
                "denominations = :dn, expected_fen = :e, difference_fen = :x, "
                "stock_difference_fen = :sv, cash_reason = NULL, stock_reason = NULL, "
                "witness = NULL, reviewed_at = NULL WHERE id = :i",
                {"at": utc_text(uow.now), "n": cash_fen,
                 "dn": json.dumps({str(k): v for k, v in sorted(notes.items(), reverse=True)})
                 if notes else None, "e": expected, "x": cash_fen - expected,
                 "sv": stock_value, "i": row[0]})
        differences = [x for x in lines if x.difference]
        uow.audit("handover.count", entity="handover", entity_id=row[1], business_day=day,
                  payload={"counter": row[3], "counted_fen": cash_fen, "expected_fen": expected,
                           "difference_fen": cash_fen - expected,
                           "denominations": {str(k): v for k, v in notes.items()},
                           "stock_lines": len(lines), "stock_difference_fen": stock_value,
                           "stock_differences": [
                               {"sku": x.sku, "serial": x.serial, "difference": x.difference}
                               for x in differences[:50]],
                           "recount": row[5] != "started"})
        return _result(ctx, uow, row[0], threshold)

    return run_write(ctx, "handover.count", work)


# -- 3. review: reasons and the witness --------------------------------------------------------
def review(ctx: Ctx, *, handover_id: int, cash_reason: str | None = None,
           stock_reason: str | None = None, witness: Actor | None = None) -> HandoverView:
    """Give the reasons for the differences and, above the threshold, the witness (监交人).

    ``witness`` comes from ``staff.approve(ctx, action="handover.witness", ...)`` (or,
    on the duty manager's screen, the same check); a witness may also sign a
    difference below the threshold.
    """
    require(ctx.actor, "handover.run")
    cash_reason, stock_reason = _reason(cash_reason), _reason(stock_reason)
    threshold = _threshold(ctx)
    if witness is not None and not witness.roles & APPROVERS["handover.witness"]:
        raise Forbidden(_("{name} ({empno}) may not witness a handover.").format(
            name=witness.name, empno=witness.empno))

    def work(uow: UnitOfWork) -> HandoverView:
        row = _row(uow, handover_id)
        _expect_state(row, "counted", "reviewed")
        day = uow.open_day(date.fromisoformat(row[2]))
        view = _view(uow.session, row, threshold=threshold)
        if witness is not None and witness.empno == view.outgoing:
            raise Forbidden(_("The outgoing clerk cannot witness their own handover."))
        if view.needs_cash_reason and not cash_reason:
            raise Refused(_("Counted {counted}, expected {expected}: give the reason for the "
                            "difference of {diff} (长短款).").format(
                counted=format_fen(view.counted_fen or 0),
                expected=format_fen(view.expected_fen or 0),
                diff=format_fen(view.difference_fen or 0)))
        if view.needs_stock_reason and not stock_reason:
            raise Refused(_("The stock count differs ({n} line(s), worth {value}): give the "
                            "reason for the stock difference.").format(
                n=len(view.stock_differences), value=format_fen(view.stock_difference_fen or 0)))
        if view.needs_witness and witness is None:
            raise ApprovalRequired(_("The difference is above {limit}: the duty manager "
                                     "witnesses the handover (监交人) with their PIN.").format(
                limit=format_fen(threshold)))
        uow.sql("UPDATE handover SET state = 'reviewed', reviewed_at = :at, cash_reason = :cr, "
                "stock_reason = :sr, witness = :w WHERE id = :i",
                {"at": utc_text(uow.now), "cr": cash_reason if view.needs_cash_reason else None,
                 "sr": stock_reason if view.needs_stock_reason else None,
                 "w": witness.empno if witness else None, "i": row[0]})
        uow.audit("handover.review", entity="handover", entity_id=row[1], business_day=day,
                  approver=witness,
                  payload={"counter": row[3], "difference_fen": view.difference_fen,
                           "stock_difference_fen": view.stock_difference_fen,
                           "cash_reason": cash_reason, "stock_reason": stock_reason,
                           "witness_needed": view.needs_witness})
        return _result(ctx, uow, row[0], threshold)

    return run_write(ctx, "handover.review", work)


# -- 4. finish --------------------------------------------------------------------------------
def finish(ctx: Ctx, *, handover_id: int, incoming: Actor | None = None) -> HandoverView:
    """The incoming clerk takes the counter (shift), or the drawer is handed in (day end).

    Records the cash count (``cash.record_count``), lists and passes on what is left
    open, makes ``incoming`` the counter's clerk and opens the counter — or, at day
    end, closes it. Refuses (count again) if the drawer or the custody stock changed
    since the count.
    """
    require(ctx.actor, "handover.run")
    threshold = _threshold(ctx)

    def work(uow: UnitOfWork) -> HandoverView:
        from hallterm.services.cash import drawer_in, record_count

        row = _row(uow, handover_id)
        _expect_state(row, "reviewed")
        day = uow.open_day(date.fromisoformat(row[2]))
        kind, counter = row[4], row[3]
        if kind == "shift":
            if incoming is None:
                raise BadInput(_("The incoming clerk confirms with their PIN."))
            if incoming.empno == row[7]:
                raise Refused(_("The incoming clerk must be another person than the outgoing "
                                "one."))
            if not incoming.roles & COUNTER_ROLES:
                raise Refused(_("{empno} has no counter role; they cannot take the counter.")
                              .format(empno=incoming.empno))
            if row[9] is not None and incoming.empno == row[9]:
                raise Refused(_("The witness cannot also be the incoming clerk."))
        elif incoming is not None:
            raise BadInput(_("A day-end hand-in has no incoming clerk."))
        view = _view(uow.session, row, threshold=threshold)
        expected = drawer_in(uow.session, counter=counter, business_day=day).expected_fen
        if expected != view.expected_fen:
            raise Refused(_("Counter {counter}'s drawer changed since the count (cash moved or "
                            "was taken); count again.").format(counter=counter))
        scanned = [x.serial for x in view.lines if x.serial and x.counted_quantity]
        counts = {x.sku: x.counted_quantity for x in view.lines if x.serial is None}
        if _evaluate(uow.session, counter, scanned, counts) != list(view.lines):
            raise Refused(_("Counter {counter}'s stock changed since the count; count again.")
                          .format(counter=counter))
        crow = _counter(uow, counter)
        if kind == "shift":
            # A clerk is at one counter at a time (the queue's rule, see queue._clerk_for).
            elsewhere = uow.sql(
                "SELECT number FROM counter WHERE clerk_id = :k AND number != :n AND "
                "state != 'closed'", {"k": incoming.id, "n": counter}).first()
            if elsewhere is not None:
                raise Refused(_("{empno} is already at counter {number}; close it or hand it "
                                "over first.").format(empno=incoming.empno, number=elsewhere[0]))
        if kind == "day_end":
            held = _held(uow, counter, day)
            if held:
                raise Refused(_("Counter {counter} still holds ticket {number}; finish or "
                                "transfer it before handing the drawer in.").format(
                    counter=counter, number=held[0]))
        _refuse_paid_carts(uow, counter)
        witness = _staff_actor(uow, row[9]) if row[9] else None
        count = record_count(uow, counter=counter, counted_fen=view.counted_fen or 0,
                             purpose="handover" if kind == "shift" else "day_end",
                             reason=view.cash_reason, witness=witness, business_day=day)
        query = _query(uow.session, row)
        items = _pending_items(uow.session, query)
        if items:
            uow.sql("INSERT INTO handover_pending (handover_id, business_day, kind, reference, "
                    "description) VALUES (:h, :d, :k, :r, :x)",
                    [{"h": row[0], "d": day.isoformat(), "k": p.kind[:24], "r": p.reference[:64],
                      "x": p.description[:200]} for p in items])
        if kind == "shift":
            for _lister, passer in list(_pending):
                if passer is not None:
                    passer(uow, query, incoming)
            _set_counter(uow, day, counter, crow[2], "open", incoming.id,
                         _("handover {number}: {empno} takes over").format(
                             number=row[1], empno=incoming.empno))
        elif crow[2] != "closed":
            _set_counter(uow, day, counter, crow[2], "closed", None,
                         _("handover {number}: drawer handed in").format(number=row[1]))
        uow.sql("UPDATE handover SET state = 'done', finished_at = :at, incoming = :inc, "
                "cash_count_id = :cc WHERE id = :i",
                {"at": utc_text(uow.now), "inc": incoming.empno if incoming else None,
                 "cc": count.id, "i": row[0]})
        uow.pin_used(incoming, for_action="handover.finish")
        uow.audit("handover.finish", entity="handover", entity_id=row[1], business_day=day,
                  approver=witness,
                  payload={"counter": counter, "kind": kind, "outgoing": row[7],
                           "incoming": incoming.empno if incoming else None,
                           "cash_count_id": count.id, "difference_fen": count.difference_fen,
                           "stock_difference_fen": view.stock_difference_fen,
                           "pending": [f"{p.kind}:{p.reference}" for p in items[:50]]})
        return _result(ctx, uow, row[0], threshold)

    return run_write(ctx, "handover.finish", work)


def cancel(ctx: Ctx, *, handover_id: int, reason: str) -> HandoverView:
    """Give up a handover in progress; the counter goes back to how it was before it."""
    require(ctx.actor, "handover.run")
    why = _reason(reason)
    if not why:
        raise BadInput(_("Say why the handover is cancelled."))
    threshold = _threshold(ctx)

    def work(uow: UnitOfWork) -> HandoverView:
        row = _row(uow, handover_id)
        _expect_state(row, *ACTIVE)
        day = uow.open_day(date.fromisoformat(row[2]))
        uow.sql("UPDATE handover SET state = 'cancelled', note = :n, finished_at = :at "
                "WHERE id = :i", {"n": why, "at": utc_text(uow.now), "i": row[0]})
        uow.audit("handover.cancel", entity="handover", entity_id=row[1], business_day=day,
                  payload={"counter": row[3], "reason": why})
        crow = _counter(uow, row[3])
        if crow[2] == "paused" and row[10] in ("open", "closing"):
            _set_counter(uow, day, row[3], "paused", row[10], crow[3],
                         _("handover {number} cancelled").format(number=row[1]))
        return _result(ctx, uow, row[0], threshold)

    return run_write(ctx, "handover.cancel", work)


# -- the queue's part of what is left open ---------------------------------------------------
_TICKET_STATES = {"called": N_("called"), "serving": N_("being served"), "parked": N_("parked")}
_TICKET_HELD = pending_text(N_("Ticket {number} ({state}) at counter {counter}"),
                            translated=("state",))
_TICKET_WAITING = pending_text(N_("Ticket {number} waiting for {service}"))


def _queue_pending(session, query: PendingQuery) -> list[PendingItem]:
    """Tickets held at the counter, then tickets waiting for its services."""
    d = query.business_day.isoformat()
    out = [PendingItem("ticket_called", number, pending_line(
        _TICKET_HELD, number=number, state=_TICKET_STATES.get(state, state),
        counter=query.counter))
        for number, state in execute(
            session, "SELECT number, state FROM ticket WHERE counter = :c AND business_day = :d "
            "AND state IN ('called', 'serving', 'parked') ORDER BY id",
            {"c": query.counter, "d": d}).all()]
    if query.services:
        params: dict[str, Any] = {"d": d}
        names = []
        for i, code in enumerate(query.services):
            params[f"s{i}"] = code
            names.append(f":s{i}")
        for number, service in execute(
                session, "SELECT number, service FROM ticket WHERE business_day = :d AND state = "
                f"'waiting' AND service IN ({', '.join(names)}) ORDER BY queue_key, id",
                params).all():
            out.append(PendingItem("ticket_waiting", number, pending_line(
                _TICKET_WAITING, number=number, service=service)))
    return out


def _queue_hand_over(uow: UnitOfWork, query: PendingQuery, incoming: Actor) -> None:
    """Tickets held at the counter now belong to the incoming clerk."""
    uow.sql("UPDATE ticket SET clerk_id = :k WHERE counter = :c AND business_day = :d AND "
            "state IN ('called', 'serving', 'parked')",
            {"k": incoming.id, "c": query.counter, "d": query.business_day.isoformat()})


register_pending(_queue_pending, hand_over=_queue_hand_over)


# -- closing, the day report and the export ----------------------------------------------------
@dayparts.register_blocker
def _handovers_in_progress(ctx: Ctx, business_day: date) -> list[str]:
    """Closing: a handover still in progress leaves a counter paused and uncounted."""
    with ctx.store.read() as session:
        rows = execute(session, "SELECT number, counter, outgoing, state FROM handover WHERE "
                       "business_day <= :d AND state IN ('started', 'counted', 'reviewed') "
                       "ORDER BY id", {"d": business_day.isoformat()}).all()
    return [_("Handover {number} of counter {counter} by {empno} is in progress ({state}); "
              "finish or cancel it.").format(number=r[0], counter=r[1], empno=r[2],
                                             state=state_label(r[3])) for r in rows]


def compute(uow_or_session, business_day: date) -> dict:
    """The day report's handover section: every handover with its differences."""
    session = getattr(uow_or_session, "session", uow_or_session)
    d = {"d": business_day.isoformat()}
    rows = execute(session, "SELECT id, number, counter, kind, state, outgoing, incoming, "
                   "witness, counted_fen, expected_fen, difference_fen, stock_difference_fen, "
                   "cash_reason, stock_reason FROM handover WHERE business_day = :d AND "
                   "state = 'done' ORDER BY id", d).all()
    lines: dict[int, list[dict]] = {}
    for hid, sku, serial, diff, value, status in execute(
            session, "SELECT handover_id, sku, serial, difference, unit_value_fen, status FROM "
            "handover_line WHERE business_day = :d AND difference != 0 ORDER BY id", d).all():
        lines.setdefault(hid, []).append({"sku": sku, "serial": serial, "difference": diff,
                                          "value_fen": diff * value, "status": status})
    items = []
    for r in rows:
        items.append({"number": r[1], "counter": r[2], "kind": r[3], "outgoing": r[5],
                      "incoming": r[6], "witness": r[7], "counted_fen": r[8],
                      "expected_fen": r[9], "difference_fen": r[10],
                      "stock_difference_fen": r[11], "cash_reason": r[12],
                      "stock_reason": r[13], "stock_differences": lines.get(r[0], [])})
    cancelled = execute(session, "SELECT COUNT(*) FROM handover WHERE business_day = :d AND "
                        "state = 'cancelled'", d).scalar() or 0
    return {
        "totals": {"handovers": len(items),
                   "cash_difference_fen": sum(i["difference_fen"] or 0 for i in items),
                   "stock_difference_fen": sum(i["stock_difference_fen"] or 0 for i in items),
                   "stock_difference_lines": sum(len(i["stock_differences"]) for i in items)},
        "cancelled": int(cancelled),
        "handovers": items,
    }


def render(figs: dict) -> list[str]:
    """The handover section as translated text lines."""
    out = [_("Handovers: {n} (cancelled: {c}); cash differences {diff}").format(
        n=figs["totals"]["handovers"], c=figs.get("cancelled", 0),
        diff=format_fen(figs["totals"]["cash_difference_fen"]))]
    if figs["totals"].get("stock_difference_fen"):
        out.append(_("Stock differences found at handovers: {value}").format(
            value=format_fen(figs["totals"]["stock_difference_fen"])))
    for h in figs["handovers"]:
        who = h["outgoing"] + (f" → {h['incoming']}" if h["incoming"] else "")
        out.append(_("  {number} counter {counter} {kind} {who}: counted {counted}, expected "
                     "{expected}, difference {diff}").format(
            number=h["number"], counter=h["counter"], kind=kind_label(h["kind"]), who=who,
            counted=format_fen(h["counted_fen"] or 0), expected=format_fen(h["expected_fen"] or 0),
            diff=format_fen(h["difference_fen"] or 0)))
        if h["cash_reason"]:
            out.append(_("    cash reason: {reason}").format(reason=h["cash_reason"]))
        if h["witness"]:
            out.append(_("    witness: {empno}").format(empno=h["witness"]))
        for x in h["stock_differences"]:
            out.append(_("    stock {status}: {sku} {serial} {diff:+d} ({value})").format(
                status=status_label(x["status"]), sku=x["sku"], serial=x["serial"] or "",
                diff=x["difference"], value=format_fen(x["value_fen"])))
        if h["stock_reason"]:
            out.append(_("    stock reason: {reason}").format(reason=h["stock_reason"]))
    return out


dayparts.register_section(dayparts.Section(key="handovers", title=N_("Shift handovers"),
                                           compute=compute, render=render, order=45))

_DAY = "business_day = :day AND id > :after ORDER BY id LIMIT :limit"
dayparts.register_export(dayparts.ExportTable(
    name="handovers",
    query="SELECT id, number, business_day, counter, kind, state, actor, outgoing, incoming, "
          "witness, started_at, counted_at, reviewed_at, finished_at, counted_fen, "
          "denominations, expected_fen, difference_fen, stock_difference_fen, cash_reason, "
          f"stock_reason, cash_count_id, note FROM handover WHERE {_DAY}",
    fields=(("id", "integer", "Handover id"),
            ("number", "string", "Handover number HO<yyyymmdd>-<n>"),
            ("business_day", "date", "Business day"), ("counter", "integer", "Counter"),
            ("kind", "string", "shift or day_end"),
            ("state", "string", "started, counted, reviewed, done or cancelled"),
            ("actor", "string", "Who ran it (employee number)"),
            ("outgoing", "string", "Outgoing clerk"), ("incoming", "string", "Incoming clerk"),
            ("witness", "string", "Witness (监交人)"),
            ("started_at", "datetime", "Started (UTC)"), ("counted_at", "datetime", "Counted"),
            ("reviewed_at", "datetime", "Reviewed"), ("finished_at", "datetime", "Finished"),
            ("counted_fen", "integer", "Cash counted (fen)"),
            ("denominations", "string", "JSON {face in fen: count}"),
            ("expected_fen", "integer", "Cash expected (fen)"),
            ("difference_fen", "integer", "Counted minus expected (长短款)"),
            ("stock_difference_fen", "integer",
             "Value of the stock differences, counted minus expected (fen; a shortage is "
             "negative)"),
            ("cash_reason", "string", "Reason of the cash difference"),
            ("stock_reason", "string", "Reason of the stock difference"),
            ("cash_count_id", "integer", "The cash_counts row"),
            ("note", "string", "Why it was cancelled")),
    primary_key=("id",), key_column="id", description="Shift handovers (交接班)", order=45))
dayparts.register_export(dayparts.ExportTable(
    name="handover_lines",
    query="SELECT id, handover_id, business_day, sku, serial, expected_quantity, "
          f"counted_quantity, difference, unit_value_fen, status FROM handover_line WHERE {_DAY}",
    fields=(("id", "integer", "Line id"), ("handover_id", "integer", "Handover id"),
            ("business_day", "date", "Business day"), ("sku", "string", "SKU"),
            ("serial", "string", "Serial (IMEI/ICCID/card), empty for a counted item"),
            ("expected_quantity", "integer",
             "Should be in custody: the ledger, re-based by earlier handover counts"),
            ("counted_quantity", "integer", "Counted"),
            ("difference", "integer", "Counted minus expected"),
            ("unit_value_fen", "integer", "Unit value (fen)"),
            ("status", "string", "ok, missing, extra, short or over")),
    primary_key=("id",), key_column="id",
    foreign_keys=({"fields": ["handover_id"],
                   "reference": {"resource": "handovers", "fields": ["id"]}},),
    description="Custody stock counted at handovers", order=46))
dayparts.register_export(dayparts.ExportTable(
    name="handover_pending",
    query="SELECT id, handover_id, business_day, kind, reference, description FROM "
          f"handover_pending WHERE {_DAY}",
    fields=(("id", "integer", "Item id"), ("handover_id", "integer", "Handover id"),
            ("business_day", "date", "Business day"),
            ("kind", "string", "ticket_called, ticket_waiting, complaint, service_order…"),
            ("reference", "string", "Ticket, complaint or order number"),
            ("description", "string", "What was passed on")),
    primary_key=("id",), key_column="id",
    foreign_keys=({"fields": ["handover_id"],
                   "reference": {"resource": "handovers", "fields": ["id"]}},),
    description="What passed to the incoming clerk at handovers", order=47))
