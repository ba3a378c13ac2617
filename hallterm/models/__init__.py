"""The store's tables (SQLModel), one module per area; importing this registers them all."""

from hallterm.models import closing as closing
from hallterm.models import complaints as complaints
from hallterm.models import customers as customers
from hallterm.models import handover as handover
from hallterm.models import orders as orders
from hallterm.models import queue as queue
from hallterm.models import review as review
from hallterm.models import sales as sales
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
