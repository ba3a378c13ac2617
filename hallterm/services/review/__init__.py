"""The audit review (稽核): every record of a closed day reviewed, exceptions rectified.

Each area registers its reviewable records (``register_source(Source(...))``, like
the day report's parts); the auditor marks each OK or raises an exception with a
category and a note; the exception lands in the record owner's inbox; the owner
rectifies it with a linked corrective record (or a note when nothing can be
changed); the auditor accepts it or sends it back. Reviews are rows of their own
(``review_event``) written in the open day: a closed day never changes.

Modules: ``registry`` (the sources and their records), ``loop`` (the writes),
``reads`` (a day's queue, an owner's inbox, the open exceptions), ``views`` (the cash
reconciliation, who viewed customer data), ``day`` (the day report's section and
the manager's home figure). Other areas use the names exported here only.
"""

from __future__ import annotations

from hallterm.services.review import day as day
from hallterm.services.review.loop import (
    CATEGORIES,
    NOTE,
    OPEN_STATES,
    STATES,
    Step,
    accept,
    category_label,
    check_rectify,
    mark_ok,
    parse_category,
    raise_exception,
    rectify,
    reopen,
    state_label,
)
from hallterm.services.review.reads import (
    OpenException,
    QueueRow,
    day_queue,
    mine,
    open_exceptions,
)
from hallterm.services.review.registry import (
    Record,
    Source,
    kind_title,
    records_of,
    register_source,
    sources,
    split_ref,
)
from hallterm.services.review.views import (
    CounterCash,
    CountLine,
    Reveal,
    cash_lines,
    cash_reconciliation,
    reveals,
)

TABLES: tuple[str, ...] = ("review_event",)

__all__ = [
    "CATEGORIES", "NOTE", "OPEN_STATES", "STATES", "TABLES", "CountLine", "CounterCash",
    "OpenException", "QueueRow", "Record", "Reveal", "Source", "Step", "accept", "cash_lines",
    "cash_reconciliation", "category_label", "check_rectify", "day", "day_queue", "kind_title",
    "mark_ok", "mine", "open_exceptions", "parse_category", "raise_exception", "records_of",
    "rectify", "register_source", "reopen", "reveals", "sources", "split_ref", "state_label",
]
