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

The package, by section: ``views`` (kinds, states, the view), ``inputs`` (what is
typed or scanned), ``open_items`` (what is left open at a counter), ``reads``,
``counter`` (the counter's side, through the queue), ``starting`` (1), ``counting``
and ``custody`` (2), ``witness`` (the people, and 3), ``taking_over`` (4, and cancel),
``day`` (closing's blocker, the day report, the export). Callers use the names
re-exported here only.
"""

from hallterm.services.handover import review_records as review_records
from hallterm.services.handover.counting import check_count, submit_count
from hallterm.services.handover.day import compute, render
from hallterm.services.handover.inputs import (
    DENOMINATIONS_FEN,
    MAX_REASON,
    CountScan,
    add_denomination,
    parse_denominations,
    scan_for_count,
)
from hallterm.services.handover.open_items import (
    Lister,
    Passer,
    PendingItem,
    PendingQuery,
    PendingText,
    describe,
    pending_line,
    pending_text,
    register_pending,
)
from hallterm.services.handover.reads import active, get, handovers, pending
from hallterm.services.handover.starting import check_start, start
from hallterm.services.handover.taking_over import cancel, finish
from hallterm.services.handover.views import (
    ACTIVE,
    KINDS,
    STATES,
    STATUS_LABELS,
    HandoverView,
    StockLine,
    kind_label,
    state_label,
    status_label,
)
from hallterm.services.handover.witness import check_incoming, check_witness, review

# The tables only this package writes; other areas call its functions.
TABLES: tuple[str, ...] = ("handover", "handover_line", "handover_pending")

__all__ = [
    "ACTIVE", "DENOMINATIONS_FEN", "KINDS", "MAX_REASON", "STATES", "STATUS_LABELS", "TABLES",
    "CountScan", "HandoverView", "Lister", "Passer", "PendingItem", "PendingQuery",
    "PendingText", "StockLine", "active", "add_denomination", "cancel", "check_count",
    "check_incoming", "check_start", "check_witness", "compute", "describe", "finish", "get",
    "handovers", "kind_label", "parse_denominations", "pending", "pending_line", "pending_text",
    "register_pending", "render", "review", "scan_for_count", "start", "state_label",
    "status_label", "submit_count",
]
