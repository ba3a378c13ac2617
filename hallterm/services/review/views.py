"""The auditor's two other views: the cash reconciliation and who viewed customer data.

Both only read, through the owning areas' public names: the drawers (``cash``),
the day's counts (``sales.review_records``), the handovers (``handover``) and the audit
log's ``data.reveal`` rows (``audit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hallterm.context import Ctx
from hallterm.i18n import _
from hallterm.money import format_fen
from hallterm.permissions import require

MAX_REVEALS = 10_000


@dataclass(frozen=True)
class CountLine:
    """One count of a drawer: at a handover, a spot check or the day end."""

    at: datetime | None
    purpose: str  # handover | check | day_end
    handover: str | None  # the handover's number
    expected_fen: int
    counted_fen: int
    difference_fen: int
    reason: str | None
    by: str
    incoming: str | None
    witness: str | None


@dataclass(frozen=True)
class CounterCash:
    """A counter's drawer on a day: what moved, every count, what it should hold at the end."""

    counter: int
    float_fen: int
    cash_sales_fen: int
    cash_refunds_fen: int
    cash_in_fen: int
    cash_out_fen: int
    expected_fen: int  # at the end of the day (after the last count's re-basing)
    day_difference_fen: int  # the day's differences, each counted once
    counted_at_end: bool  # counted since its last cash movement
    counts: tuple[CountLine, ...]


def cash_reconciliation(ctx: Ctx, *, business_day: date) -> list[CounterCash]:
    """Per counter: expected against counted at each handover and the day end."""
    require(ctx.actor, "review.read")
    from hallterm.services import cash, handover, sales

    by_count = {h.cash_count_id: h for h in handover.handovers(ctx, business_day=business_day)
                if h.cash_count_id is not None}
    counts = sales.review_records.counts(ctx, business_day=business_day)
    found = []
    for d in cash.drawers(ctx, business_day=business_day):
        lines = []
        for c in (c for c in counts if c.counter == d.counter):
            h = by_count.get(c.id)
            lines.append(CountLine(c.at, c.purpose, h.number if h else None, c.expected_fen,
                                   c.counted_fen, c.difference_fen,
                                   c.reason or (h.cash_reason if h else None), c.actor,
                                   h.incoming if h else None,
                                   c.witness or (h.witness if h else None)))
        found.append(CounterCash(d.counter, d.float_fen, d.cash_sales_fen, d.cash_refunds_fen,
                                 d.cash_in_fen, d.cash_out_fen, d.expected_fen,
                                 d.day_difference_fen, d.counted_since_last_cash, tuple(lines)))
    return found


def cash_lines(rows: list[CounterCash]) -> list[str]:
    """The reconciliation as translated text lines (the CLI and the Audit post)."""
    from hallterm.services.cash import PURPOSES

    if not rows:
        return [_("No cash at any counter that day.")]
    out: list[str] = []
    for c in rows:
        out.append(_("Counter {n}: float {float}, cash sales {sales}, refunds {refunds}, in "
                     "{cin}, out {cout}; expected at the end {expected}; differences {diff}{flag}")
                   .format(n=c.counter, float=format_fen(c.float_fen),
                           sales=format_fen(c.cash_sales_fen),
                           refunds=format_fen(c.cash_refunds_fen), cin=format_fen(c.cash_in_fen),
                           cout=format_fen(c.cash_out_fen), expected=format_fen(c.expected_fen),
                           diff=format_fen(c.day_difference_fen),
                           flag="" if c.counted_at_end else _(" — NOT COUNTED at the end")))
        for x in c.counts:
            who = x.by + (f" → {x.incoming}" if x.incoming else "")
            who += _(", witness {empno}").format(empno=x.witness) if x.witness else ""
            what = _(PURPOSES.get(x.purpose, x.purpose)) + (f" {x.handover}" if x.handover else "")
            at = f"{x.at:%H:%M}" if x.at else "--:--"
            out.append(_("  {at} {what} ({who}): expected {expected}, counted {counted}, "
                         "difference {diff}{reason}").format(
                at=at, what=what, who=who, expected=format_fen(x.expected_fen),
                counted=format_fen(x.counted_fen), diff=format_fen(x.difference_fen),
                reason=f" — {x.reason}" if x.reason else ""))
    return out


@dataclass(frozen=True)
class Reveal:
    """One full view of a customer's data (``data.reveal``), as the audit log holds it."""

    at: datetime
    person: str
    what: str
    record: str
    reason: str | None


def reveals(ctx: Ctx, *, business_day: date) -> list[Reveal]:
    """Who viewed customer data in full on ``business_day``, by person then time."""
    require(ctx.actor, "review.read")
    from hallterm.services import audit

    rows = audit.recent(ctx, limit=MAX_REVEALS, action_prefix="data.reveal",
                        business_day=business_day)
    found = [Reveal(r.at, r.actor or "-", str(r.payload.get("field") or r.payload.get("id_masked")
                                              or r.entity or ""),
                    " ".join(x for x in (r.entity, r.entity_id) if x),
                    r.payload.get("reason"))
             for r in rows if r.action == "data.reveal"]
    return sorted(reversed(found), key=lambda v: (v.person, v.at))  # oldest first
