"""What a handover is as screens and the CLI see it: kinds, states, stock lines, the view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hallterm.i18n import N_, _
from hallterm.services.handover.open_items import PendingItem

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

def kind_label(kind: str) -> str:
    return _(KINDS.get(kind, kind))


def state_label(state: str) -> str:
    return _(STATES.get(state, state))


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))

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
