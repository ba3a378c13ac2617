"""The store's tables (SQLModel), one module per area; importing this registers them all."""

from hallterm.models import queue as queue
from hallterm.models import stock as stock
from hallterm.models.core import (
    AuditRow,
    BusinessDay,
    Command,
    Counter,
    Hall,
    Meta,
    Sequence,
    Service,
    Staff,
)
from hallterm.models import queue as queue  # noqa: E402  (queue area tables)

__all__ = [
    "AuditRow",
    "BusinessDay",
    "Command",
    "Counter",
    "Hall",
    "Meta",
    "Sequence",
    "Service",
    "Staff",
]
