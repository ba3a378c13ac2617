"""Writing the stock ledger (库存台账): one numbered document and its rows.

Every movement is one numbered document (gapless, ``stockdoc:<year>``) whose lines
are ledger rows, written in one transaction with the balances and serial places
it changes. Valuable cards (有价卡) move only with a second person's PIN (双人复核).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, ReadUnit, UnitOfWork
from hallterm.errors import ApprovalRequired, BadInput, Refused
from hallterm.i18n import _
from hallterm.permissions import APPROVERS
from hallterm.services import approvals
from hallterm.services.stock.checks import CheckedLine, LineIn, refuse_bad_lines, validate
from hallterm.services.stock.places import SOURCES, counter_of, is_holding, place_label


@dataclass(frozen=True)
class Document:
    """A posted stock document."""

    id: int
    number: str
    kind: str
    business_day: date
    at: datetime
    actor: str
    confirmer: str | None
    approver: str | None
    from_place: str | None
    to_place: str | None
    reference: str | None
    supplier: str | None
    reason: str | None
    lines: int
    quantity: int
    value_fen: int


@dataclass(frozen=True)
class Move:
    """One ledger row about to be written."""

    sku: str
    serial: str | None
    quantity: int
    from_place: str
    to_place: str
    unit_value_fen: int
    kind: str = ""


# -- people ------------------------------------------------------------------------------
def _witness(ctx: Ctx, checked: Sequence[CheckedLine], witness: Actor | None,
             approver: Actor | None = None) -> Actor | None:
    """The two-person rule for valuable cards: the second person, or a refusal."""
    if not any(c.kind == "valuable_card" for c in checked):
        return witness
    if witness is None and approver is not None and approver.roles & APPROVERS[
            "stock.valuable_card"]:
        return approver
    if witness is None:
        raise ApprovalRequired(_("Valuable cards move only with a second person's PIN "
                                 "(双人复核)."))
    return approvals.check_second(ctx, witness, "stock.valuable_card")


# -- writing -----------------------------------------------------------------------------
def frozen_places(uow: ReadUnit, places: set[str], *, except_stocktake: int | None = None
                   ) -> None:
    for place in sorted(p for p in places if is_holding(p)):
        row = uow.sql("SELECT number FROM stocktake WHERE place = :p AND state IN "
                      "('open', 'finished') AND id <> coalesce(:x, -1)",
                      {"p": place, "x": except_stocktake}).first()
        if row is not None:
            raise Refused(_("Stocktake {number} of {place} is in progress; nothing moves in "
                            "or out of it until it is posted or cancelled.").format(
                number=row.number, place=place_label(place)))


def check_counter(uow: ReadUnit, place: str) -> None:
    """A counter's place names a counter that exists."""
    from hallterm.services.queue import keeper_known

    number = counter_of(place)
    if number is None or keeper_known(uow, number):  # its keeper was checked in this write
        return
    if uow.sql("SELECT 1 FROM counter WHERE number = :n", {"n": number}).first() is None:
        raise BadInput(_("There is no counter {n}.").format(n=number))


def write_moves(uow: UnitOfWork, *, kind: str, moves: Sequence[Move],
                from_place: str | None, to_place: str | None, reference: str | None = None,
                supplier: str | None = None, reason: str | None = None,
                confirmer: Actor | None = None, approver: Actor | None = None,
                stocktake_id: int | None = None, audit_into: dict | None = None) -> Document:
    """Write one document and its ledger rows, balances and serial places (inside a write).

    Audited in a ``stock.<kind>`` row, or, with ``audit_into``, in the caller's own row:
    the same entries (the document's number and approver among them) go into that dict.
    """
    day = uow.open_day()
    places = {p for m in moves for p in (m.from_place, m.to_place)}
    for place in places:
        check_counter(uow, place)
    frozen_places(uow, places, except_stocktake=stocktake_id)
    number = f"SD{day.year}-{uow.next_number(f'stockdoc:{day.year}'):06d}"
    at = utc_text(uow.now)
    actor = uow.actor.empno if uow.actor else "system"
    quantity = sum(m.quantity for m in moves)
    value = sum(m.quantity * m.unit_value_fen for m in moves)
    doc_id = uow.sql(
        "INSERT INTO stock_document (number, kind, business_day, at, actor, confirmer, approver, "
        "from_place, to_place, reference, supplier, reason, lines, quantity, value_fen) VALUES "
        "(:n, :k, :d, :at, :a, :c, :ap, :f, :t, :r, :s, :why, :l, :q, :v) RETURNING id",
        {"n": number, "k": kind, "d": day.isoformat(), "at": at, "a": actor,
         "c": confirmer.empno if confirmer else None,
         "ap": approver.empno if approver else None, "f": from_place, "t": to_place,
         "r": reference, "s": supplier, "why": reason, "l": len(moves), "q": quantity,
         "v": value}).scalar()
    uow.sql(
        "INSERT INTO stock_move (document_id, business_day, at, sku, serial, quantity, "
        "from_place, to_place, unit_value_fen) VALUES (:doc, :d, :at, :sku, :serial, :q, :f, "
        ":t, :v)",
        [{"doc": doc_id, "d": day.isoformat(), "at": at, "sku": m.sku, "serial": m.serial,
          "q": m.quantity, "f": m.from_place, "t": m.to_place, "v": m.unit_value_fen}
         for m in moves])
    if any(m.serial for m in moves):
        ids = {r.serial: r.id for r in uow.sql(
            "SELECT serial, id FROM stock_move WHERE document_id = :doc AND serial IS NOT NULL",
            {"doc": doc_id}).all()}
        uow.sql(
            "INSERT INTO stock_serial (serial, sku, place, last_move_id) VALUES (:s, :sku, :p, "
            ":m) ON CONFLICT(serial) DO UPDATE SET sku = excluded.sku, place = excluded.place, "
            "last_move_id = excluded.last_move_id",
            [{"s": m.serial, "sku": m.sku, "p": m.to_place, "m": ids[m.serial]}
             for m in moves if m.serial])
    delta: dict[tuple[str, str], int] = defaultdict(int)
    for m in moves:
        if m.from_place not in SOURCES:
            delta[(m.sku, m.from_place)] -= m.quantity
        delta[(m.sku, m.to_place)] += m.quantity
    for (sku, place), change in sorted(delta.items()):
        if change < 0:
            # One statement: the count changes only where it does not go negative.
            if not uow.sql("UPDATE stock_balance SET quantity = quantity + :q WHERE sku = :s "
                           "AND place = :p AND quantity + :q >= 0",
                           {"s": sku, "p": place, "q": change}).rowcount:
                have = uow.sql("SELECT quantity FROM stock_balance WHERE sku = :s AND "
                               "place = :p", {"s": sku, "p": place}).scalar() or 0
                raise Refused(_("Only {have} of {sku} at {place}; a count never goes "
                                "negative.").format(have=have, sku=sku, place=place_label(place)))
        elif change:
            # Update, else insert (not an upsert): the store's trigger checks an
            # inserted balance against the ledger, and an upsert's insert half would
            # carry only the change.
            params = {"s": sku, "p": place, "q": change}
            if not uow.sql("UPDATE stock_balance SET quantity = quantity + :q WHERE sku = :s "
                           "AND place = :p", params).rowcount:
                uow.sql("INSERT INTO stock_balance (sku, place, quantity) VALUES (:s, :p, :q)",
                        params)
    doc = Document(doc_id, number, kind, day, uow.now, actor,
                   confirmer.empno if confirmer else None, approver.empno if approver else None,
                   from_place, to_place, reference, supplier, reason, len(moves), quantity, value)
    serials = [m.serial for m in moves if m.serial]
    uow.pin_used(confirmer, for_action=f"stock.{kind}")
    payload = {"from": from_place, "to": to_place, "lines": len(moves),
               "quantity": quantity, "value_fen": value, "reference": reference,
               "supplier": supplier, "reason": reason,
               "confirmer": confirmer.empno if confirmer else None,
               "serials": serials[:50], "more_serials": max(0, len(serials) - 50)}
    if audit_into is not None:
        # The caller's row carries it (a sale): its number and approver said here, and
        # the approver's PIN recorded as it would be for a row of its own.
        uow.pin_used(approver, for_action=f"stock.{kind}")
        second = approver or confirmer
        audit_into.update({"document": number, "kind": kind, **payload,
                           "approver": second.empno if second else None})
        return doc
    uow.audit(f"stock.{kind}", entity="stock_document", entity_id=number,
              approver=approver or confirmer, payload=payload)
    return doc


def move_lines(uow: UnitOfWork, *, kind: str, from_place: str, to_place: str,
                lines: Sequence[LineIn], witness: Actor | None = None,
                approver: Actor | None = None, confirmer: Actor | None = None,
                reference: str | None = None, supplier: str | None = None,
                reason: str | None = None, audit_into: dict | None = None) -> Document:
    """Check every line inside the write, apply the two-person rule, write the document."""
    if not lines:
        raise BadInput(_("A document needs at least one line."))
    checked, errors = validate(uow.session, from_place, lines, unit=uow)
    refuse_bad_lines(lines, errors)
    second = _witness(uow.ctx, checked, witness, approver)
    if approver is None and second is not None:
        approver = second
    moves = [Move(c.sku, c.serial, c.quantity, from_place, to_place, c.unit_value_fen)
             for c in checked]
    return write_moves(uow, kind=kind, moves=moves, from_place=from_place, to_place=to_place,
                       reference=reference, supplier=supplier, reason=reason,
                       confirmer=confirmer, approver=approver, audit_into=audit_into)


def text_field(value: str | None, name: str, limit: int) -> str:
    """A required text of at most ``limit`` characters, stripped (``BadInput`` naming it)."""
    text = optional_text(value, name, limit)
    if text is None:
        raise BadInput(_("{name} is required.").format(name=name))
    return text


def optional_text(value: str | None, name: str, limit: int) -> str | None:
    """A text of at most ``limit`` characters, stripped; ``None`` when empty."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > limit:
        raise BadInput(_("{name} is at most {limit} characters.").format(name=name, limit=limit))
    return value
