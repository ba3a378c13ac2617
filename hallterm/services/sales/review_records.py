"""The sales area's records in the audit review: sales, voids, refunds, price overrides,
cash movements and drawer counts; and a day's counts for the cash reconciliation.

Registered with ``hallterm.services.review`` when the sales package is imported;
every function here only reads the area's own tables.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from hallterm.context import Ctx
from hallterm.errors import Forbidden
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services.review import Record, Source, register_source
from hallterm.store import execute


def _at(text: Any) -> datetime | None:
    return datetime.fromisoformat(str(text)) if text else None


def _sales(session: Any, day: date) -> list[Record]:
    rows = execute(session, "SELECT receipt_no, at, counter, clerk, total_fen, state, "
                   "(SELECT COUNT(*) FROM sale_line l WHERE l.sale_id = s.id) AS lines FROM "
                   "sale s WHERE business_day = :d ORDER BY id", {"d": day.isoformat()}).all()
    return [Record("sale", r.receipt_no, r.clerk, _(
        "Sale at counter {counter}, lines: {lines}, {total}{void}").format(
            counter=r.counter, lines=r.lines, total=format_fen(r.total_fen),
            void=_(" (void)") if r.state == "void" else ""),
        r.total_fen, f"hallterm sales receipt {r.receipt_no}", _at(r.at)) for r in rows]


def _reversals(kind: str):
    def read(session: Any, day: date) -> list[Record]:
        rows = execute(session, "SELECT number, receipt_no, at, counter, clerk, approver, "
                       "reason, amount_fen FROM sale_reversal WHERE business_day = :d AND "
                       "kind = :k ORDER BY id", {"d": day.isoformat(), "k": kind}).all()
        return [Record(kind, r.number, r.clerk, _(
            "{receipt} at counter {counter}, approved by {approver}: {reason}").format(
                receipt=r.receipt_no, counter=r.counter, approver=r.approver, reason=r.reason),
            r.amount_fen, f"hallterm sales receipt {r.receipt_no}", _at(r.at)) for r in rows]
    return read


def _overrides(session: Any, day: date) -> list[Record]:
    rows = execute(session, "SELECT s.receipt_no, s.at, s.clerk, l.line_no, l.sku, l.approver, "
                   "l.override_reason, l.total_fen FROM sale_line l JOIN sale s ON "
                   "s.id = l.sale_id WHERE l.business_day = :d AND l.approver IS NOT NULL "
                   "ORDER BY l.id", {"d": day.isoformat()}).all()
    return [Record("override", f"{r.receipt_no}/{r.line_no}", r.clerk, _(
        "{sku} at an approved price (by {approver}): {reason}").format(
            sku=r.sku, approver=r.approver, reason=r.override_reason or ""),
        r.total_fen, f"hallterm sales receipt {r.receipt_no}", _at(r.at)) for r in rows]


def _cash_moves(session: Any, day: date) -> list[Record]:
    from hallterm.services.cash import reason_label

    rows = execute(session, "SELECT id, at, counter, kind, reason, amount_fen, note, actor, "
                   "approver FROM cash_movement WHERE business_day = :d ORDER BY id",
                   {"d": day.isoformat()}).all()
    kinds = {"float": _("float"), "in": _("cash in"), "out": _("cash out")}
    return [Record("cash_move", f"CM{r.id}", r.actor, _(
        "Counter {counter} {kind}: {reason}{note}").format(
            counter=r.counter, kind=kinds.get(r.kind, r.kind), reason=reason_label(r.reason),
            note=f" — {r.note}" if r.note else ""),
        r.amount_fen, f"hallterm cash expected --counter {r.counter} --day {day}", _at(r.at))
        for r in rows]


def _cash_counts(session: Any, day: date) -> list[Record]:
    from hallterm.services.cash import PURPOSES

    rows = counts_in(session, day)
    return [Record("cash_count", f"CC{c.id}", c.actor, _(
        "Counter {counter} {purpose}: counted {counted}, expected {expected}{reason}").format(
            counter=c.counter, purpose=_(PURPOSES.get(c.purpose, c.purpose)),
            counted=format_fen(c.counted_fen), expected=format_fen(c.expected_fen),
            reason=f" — {c.reason}" if c.reason else ""),
        c.difference_fen, f"hallterm review cash --day {day}", c.at,
        (_("difference {diff}").format(diff=format_fen(c.difference_fen)),)
        if c.difference_fen else ()) for c in rows]


@dataclass(frozen=True)
class CountRow:
    """One drawer count of a day (handover, spot check, day end)."""

    id: int
    counter: int
    at: datetime | None
    purpose: str
    counted_fen: int
    expected_fen: int
    difference_fen: int
    reason: str | None
    actor: str
    witness: str | None


def counts_in(session: Any, day: date) -> list[CountRow]:
    """Every drawer count of ``day``, by counter and time."""
    rows = execute(session, "SELECT id, counter, at, purpose, counted_fen, expected_fen, "
                   "difference_fen, reason, actor, witness FROM cash_count WHERE "
                   "business_day = :d ORDER BY counter, id", {"d": day.isoformat()}).all()
    return [CountRow(r.id, r.counter, _at(r.at), r.purpose, r.counted_fen, r.expected_fen,
                     r.difference_fen, r.reason, r.actor, r.witness) for r in rows]


def counts(ctx: Ctx, *, business_day: date) -> list[CountRow]:
    """A day's drawer counts (the cash reconciliation reads them)."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    with ctx.store.read() as session:
        return [c if c.at is None else replace(c, at=c.at.astimezone(ctx.clock.tz))
                for c in counts_in(session, business_day)]


register_source(Source("sale", N_("Sales"), _sales, order=10))
register_source(Source("void", N_("Voids"), _reversals("void"), order=11))
register_source(Source("refund", N_("Refunds"), _reversals("refund"), order=12))
register_source(Source("override", N_("Price overrides"), _overrides, order=13))
register_source(Source("cash_move", N_("Cash movements"), _cash_moves, order=20))
register_source(Source("cash_count", N_("Cash counts"), _cash_counts, order=21))
