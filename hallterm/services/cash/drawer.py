"""The drawer's state: what it should hold (expected cash), computed from the day's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hallterm.context import Actor, Ctx
from hallterm.errors import Forbidden, Refused
from hallterm.i18n import N_, _
from hallterm.store import execute

REASONS: dict[str, str] = {
    "bank_drop": N_("Bank drop"),
    "change_fund": N_("Change fund"),
    "compensation": N_("Compensation paid"),
    "other": N_("Other"),
}
PURPOSES: dict[str, str] = {
    "handover": N_("Shift handover"),
    "day_end": N_("Day end"),
    "check": N_("Spot check"),
}


def reason_label(reason: str) -> str:
    """A cash movement reason in the current language."""
    if reason == "opening_float":
        return _("Opening float")
    return _(REASONS.get(reason, reason))


@dataclass(frozen=True)
class Drawer:
    """A counter's drawer on a business day: what should be in it, and the last count."""

    counter: int
    business_day: date
    float_fen: int
    cash_sales_fen: int
    cash_refunds_fen: int
    cash_in_fen: int
    cash_out_fen: int
    expected_fen: int
    counted_fen: int | None = None
    difference_fen: int | None = None
    counted_at: datetime | None = None
    last_cash_at: datetime | None = None
    day_difference_fen: int = 0  # the sum of the day's count differences (each once)

    @property
    def counted_since_last_cash(self) -> bool:
        """Whether the last count came after the last cash movement (handed in)."""
        if self.last_cash_at is None:
            return True
        return self.counted_at is not None and self.counted_at >= self.last_cash_at


_DRAWER_SQL = (
    "SELECT 'move:' || kind AS what, COALESCE(SUM(amount_fen), 0) AS fen, "
    "CAST(NULL AS BIGINT) AS difference, "
    "MAX(at) AS at FROM cash_movement WHERE counter = :c AND business_day = :d GROUP BY kind "
    "UNION ALL SELECT 'sales', COALESCE(SUM(p.amount_fen), 0), CAST(NULL AS BIGINT), MAX(s.at) "
    "FROM payment p "
    "JOIN sale s ON s.id = p.sale_id WHERE s.counter = :c AND s.business_day = :d "
    "AND p.method = 'cash' "
    "UNION ALL SELECT 'refunds', COALESCE(SUM(rp.amount_fen), 0), CAST(NULL AS BIGINT), "
    "MAX(r.at) FROM "
    "reversal_payment rp JOIN sale_reversal r ON r.id = rp.reversal_id WHERE r.counter = :c "
    "AND r.business_day = :d AND rp.method = 'cash' "
    "UNION ALL SELECT 'differences', COALESCE(SUM(difference_fen), 0), CAST(NULL AS BIGINT), "
    "MAX(at) FROM "
    "cash_count WHERE counter = :c AND business_day = :d "
    "UNION ALL SELECT 'count', counted_fen, difference_fen, at FROM (SELECT counted_fen, "
    "difference_fen, at FROM cash_count WHERE counter = :c AND business_day = :d "
    "ORDER BY id DESC LIMIT 1) AS last_count")


def drawer_in(session, *, counter: int, business_day: date, tz=None) -> Drawer:
    """The drawer computed on an open session (reads and the closing transaction)."""
    # One statement: each part of the drawer is a row (what, fen, difference, at).
    rows = execute(session, _DRAWER_SQL, {"c": counter, "d": business_day.isoformat()}).all()
    parts = {r.what: r for r in rows if r.what != "count"}
    count = next((r for r in rows if r.what == "count"), None)
    moves = {w[5:]: r.fen for w, r in parts.items() if w.startswith("move:")}
    last_move = max((r.at for w, r in parts.items() if w.startswith("move:") and r.at),
                    default=None)
    sales, refunds = parts["sales"], parts["refunds"]
    # Each count re-bases the drawer: its difference is carried, never found again.
    differences = int(parts["differences"].fen or 0)
    float_fen = int(moves.get("float", 0))
    cash_in, cash_out = int(moves.get("in", 0)), int(moves.get("out", 0))
    expected = float_fen + int(sales.fen) + cash_in - cash_out - int(refunds.fen) + differences
    stamps = [t for t in (sales.at, refunds.at, last_move) if t]

    def at(text: str | None) -> datetime | None:
        if text is None:
            return None
        value = datetime.fromisoformat(text)
        return value.astimezone(tz) if tz else value

    return Drawer(counter, business_day, float_fen, int(sales.fen), int(refunds.fen), cash_in,
                  cash_out, expected, int(count.fen) if count else None,
                  None if count is None or count.difference is None else int(count.difference),
                  at(count.at) if count else None,
                  at(max(stamps)) if stamps else None, differences)


def sees_expected(actor: Actor | None) -> bool:
    """Whether ``actor`` may be shown what a drawer should hold before it is counted.

    The count is blind (盲点): a counter clerk is never shown their drawer's expected
    cash (nor the figures it is made of) before their count is in; the managers and
    the auditor, who reconcile, may be. Every screen and command that shows a drawer
    asks this (or ``drawer_view``).
    """
    from hallterm.permissions import AUDITOR, MANAGERS

    return actor is not None and bool(set(actor.roles) & (MANAGERS | {AUDITOR}))


def drawer_view(ctx: Ctx, *, counter: int, business_day: date | None = None) -> Drawer:
    """A drawer as the signed-in person may see it (``cash expected``).

    A counter clerk sees it only once it has been counted since its last cash
    movement; before that the count is blind and this refuses.
    """
    drawer = expected_cash(ctx, counter=counter, business_day=business_day)
    if not sees_expected(ctx.actor) and not drawer.counted_since_last_cash:
        raise Refused(_("The count is blind: what counter {n}'s drawer should hold is shown to "
                        "a manager or the auditor, and to you once the drawer is counted.")
                      .format(n=counter))
    return drawer


def expected_cash(ctx: Ctx, *, counter: int, business_day: date | None = None) -> Drawer:
    """What should be in ``counter``'s drawer (for reconciling code; screens and commands
    show a drawer through ``drawer_view``, which keeps the clerk's count blind)."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    from hallterm.services.queue import require_counter

    with ctx.store.read() as session:
        require_counter(session, counter)
        return drawer_in(session, counter=counter, business_day=business_day or ctx.today(),
                         tz=ctx.clock.tz)


def counters_with_cash(session, business_day: date) -> list[int]:
    """Counters with any drawer activity on the day."""
    rows = execute(session, "SELECT counter FROM cash_movement WHERE business_day = :d UNION "
                   "SELECT s.counter FROM sale s JOIN payment p ON p.sale_id = s.id WHERE "
                   "s.business_day = :d AND p.method = 'cash' UNION SELECT r.counter FROM "
                   "sale_reversal r WHERE r.business_day = :d UNION SELECT counter FROM "
                   "cash_count WHERE business_day = :d ORDER BY 1",
                   {"d": business_day.isoformat()}).all()
    return [int(r.counter) for r in rows]


def drawers(ctx: Ctx, *, business_day: date | None = None) -> list[Drawer]:
    """Every drawer with activity on the day."""
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))
    day = business_day or ctx.today()
    with ctx.store.read() as session:
        return [drawer_in(session, counter=c, business_day=day, tz=ctx.clock.tz)
                for c in counters_with_cash(session, day)]
