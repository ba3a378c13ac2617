"""The queue (排队叫号): tickets, visits, counters, calls, and the day's queue figures.

A ticket moves ``waiting → called → serving → done``; it may also end as
``no_show``, ``cancelled`` or ``transferred`` (its next hop waits in the new
service with the original issue time). A serving ticket can be ``parked`` (挂起)
and resumed; parked time is kept apart from service time. Who is called next is
``policy``'s decision; who works a counter is its keeper's (``keepers``).

Ticket kiosk: ``issue_ticket`` with nobody signed in acts as the kiosk (actor
``kiosk`` on this terminal, no PIN: customers take their own tickets); a
signed-in person needs ``queue.issue``. Every write goes through ``run_write``,
adds a ticket or counter event (whose newest ids are the change counter live
screens poll: ``changes``), and is audited.

The modules, one per section: ``views`` (states, labels, read models), ``tickets``
(issuing), ``counter_actions`` (call, recall, start, finish, park, resume, no-show),
``guide_actions`` (transfer, cancel, re-insert), ``counters`` (a counter's state and
clerk), ``handovers`` (what a handover does to the queue, in its transaction),
``keepers`` (the counter's keeper), ``policy`` (who is next; pure), ``reads``,
``figures`` (the day's figures), ``texts`` (what the panel says, the printed slip),
``day`` (closing blocker, day report section, export tables, home figure), and
``rows`` (helpers the modules share). Other areas use only the names below.
"""

from __future__ import annotations

from hallterm.services.queue import day, policy
from hallterm.services.queue.counter_actions import (
    call_next,
    finish,
    no_show,
    park,
    recall,
    resume,
    start_serving,
)
from hallterm.services.queue.counters import (
    configure,
    counter_keeper,
    require_counter,
    set_counter_state,
)
from hallterm.services.queue.figures import day_figures, figures_in
from hallterm.services.queue.guide_actions import cancel, reinsert, transfer
from hallterm.services.queue.handovers import (
    HANDOVER_MOVES,
    counter_of_clerk,
    hand_over_tickets,
    handover_counter_state,
    held_at,
    waiting_for,
)
from hallterm.services.queue.keepers import (
    Keeper,
    OverrideNeeded,
    check_early,
    clean_reason,
    keeper,
    keeper_in,
    keeper_known,
    keeper_once,
    refusal,
    require_keeper,
    require_no_handover,
)
from hallterm.services.queue.reads import (
    blockers,
    board,
    changes,
    counter_view,
    current_visit,
    get_visit,
    queue_status,
    ticket_exists,
    waiting_tickets,
)
from hallterm.services.queue.texts import RULE_TEXTS, apology, print_slip, slip_text, why
from hallterm.services.queue.tickets import issue_ticket, open_walk_up_visit
from hallterm.services.queue.views import (
    COUNTER_LABELS,
    COUNTER_MOVES,
    COUNTER_STATES,
    HELD,
    KIOSK,
    PRIORITIES,
    PRIORITY_LABELS,
    STATE_LABELS,
    VERSION_SQL,
    Board,
    CallInfo,
    CounterInfo,
    CounterView,
    DayFigures,
    NoShowResult,
    QueueStatus,
    ServiceFigures,
    ServiceQueue,
    Slip,
    TicketInfo,
    VisitInfo,
)

# The tables the queue owns: only this package writes them; other areas call its functions.
TABLES: tuple[str, ...] = ("service", "counter", "counter_event", "ticket", "ticket_event",
                           "visit")

__all__ = [
    "COUNTER_LABELS", "COUNTER_MOVES", "COUNTER_STATES", "HANDOVER_MOVES", "HELD", "KIOSK",
    "PRIORITIES", "PRIORITY_LABELS", "RULE_TEXTS", "STATE_LABELS", "TABLES", "VERSION_SQL",
    "Board", "CallInfo", "CounterInfo", "CounterView", "DayFigures", "Keeper", "NoShowResult",
    "OverrideNeeded", "QueueStatus", "ServiceFigures", "ServiceQueue", "Slip", "TicketInfo",
    "VisitInfo", "apology", "blockers", "board", "call_next", "cancel", "changes",
    "check_early", "clean_reason", "configure", "counter_keeper", "counter_of_clerk", "counter_view",
    "current_visit", "day", "day_figures", "figures_in", "finish", "get_visit",
    "hand_over_tickets", "handover_counter_state", "held_at", "issue_ticket", "keeper",
    "keeper_in", "keeper_known", "keeper_once", "no_show", "open_walk_up_visit", "park",
    "policy", "print_slip",
    "queue_status", "recall", "refusal", "reinsert", "require_counter", "require_keeper",
    "require_no_handover", "resume", "set_counter_state", "slip_text", "start_serving",
    "ticket_exists", "transfer", "waiting_for", "waiting_tickets", "why",
]
