"""The cash drawer (钱箱) of each counter: float, cash in/out, expected cash, counts.

Expected cash is always computable from the day's rows: the opening float, plus
cash taken for sales (the amount due, not what was tendered: the change went
back), plus cash put in, minus cash taken out, minus cash given back by voids and
refunds at that counter, plus the differences of the day's earlier counts. A
count (handover, spot check or day end) records the counted cash against it, with
the difference (长短款) and its reason — and re-bases the drawer: from then on it
should hold what was counted plus what moved since, so a difference is recorded
once, at the count that found it (an incoming clerk is not charged again for the
outgoing clerk's shortage). The day cannot close while a counter with cash has
not been counted since its last cash movement.

``drawer`` computes what a drawer should hold; ``moves`` puts cash in or takes it out;
``counts`` records a count, its difference and reason, and registers what the day
close asks of the drawers.
"""

from hallterm.services.cash.counts import CashCounted, count_cash, give_count_reason, record_count
from hallterm.services.cash.drawer import (
    PURPOSES,
    REASONS,
    Drawer,
    counters_with_cash,
    drawer_in,
    drawer_view,
    drawers,
    expected_cash,
    reason_label,
    sees_expected,
)
from hallterm.services.cash.moves import (
    CashMoved,
    check_move,
    check_move_on,
    move_cash,
    record_move,
)

# Each counter's drawer: its counts and the cash moved in or out.
TABLES: tuple[str, ...] = ("cash_count", "cash_movement")

__all__ = [
    "PURPOSES",
    "REASONS",
    "TABLES",
    "CashCounted",
    "CashMoved",
    "Drawer",
    "check_move",
    "check_move_on",
    "count_cash",
    "counters_with_cash",
    "drawer_in",
    "drawer_view",
    "drawers",
    "expected_cash",
    "give_count_reason",
    "move_cash",
    "reason_label",
    "record_count",
    "record_move",
    "sees_expected",
]
