"""Queue tables (排队叫号): visits, tickets, ticket events, counter events.

The core's ``service`` and ``counter`` tables say what the hall offers and where;
these tables hold one business day's queue. A ticket row is one stay of a ticket
in one service: a transfer (转移) closes the row as ``transferred`` and opens the
next ``hop`` of the same number in the new service, keeping the original issue
time. ``queue_key`` orders the waiting line (the issue time as epoch seconds,
moved on when a missed ticket is re-inserted 顺延).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class Visit(SQLModel, table=True):
    """A customer's visit (到访): the one id everything done for them today links to."""

    __tablename__ = "visit"
    id: int | None = Field(default=None, primary_key=True)
    business_day: date = Field(index=True)
    opened_at: datetime = Field(sa_type=AwareDateTime)
    terminal: str = Field(max_length=32)


class Ticket(SQLModel, table=True):
    """A queue ticket (排队号) in one service."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("business_day", "number", "hop", name="uq_ticket_number_hop"),
        Index("ix_ticket_line", "business_day", "state", "priority", "queue_key"),
        Index("ix_ticket_service_line", "business_day", "service", "state", "priority",
              "queue_key"),
        # A counter's tickets of one day (what it holds now): never its whole history.
        Index("ix_ticket_counter_day", "counter", "business_day", "state"),
    )
    id: int | None = Field(default=None, primary_key=True)
    business_day: date
    number: str = Field(max_length=8)
    seq: int
    hop: int = 0
    service: str = Field(foreign_key="service.code", max_length=4)
    priority: str = Field(max_length=12)  # vip | care | appointment | normal
    appointment_code: str | None = Field(default=None, max_length=32)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    state: str = Field(max_length=12)
    issued_at: datetime = Field(sa_type=AwareDateTime)
    issued_by: str = Field(max_length=16)
    queue_key: float
    counter: int | None = Field(default=None, foreign_key="counter.number")
    clerk_id: int | None = Field(default=None, foreign_key="staff.id")
    called_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    first_called_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    recalls: int = 0
    call_rule: str | None = Field(default=None, max_length=16)
    serving_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    parked_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    parked_s: int = 0
    finished_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    misses: int = 0
    auto_reinserted: bool = False
    transferred_from: int | None = Field(default=None, foreign_key="ticket.id")
    reason: str | None = Field(default=None, max_length=200)


class TicketEvent(SQLModel, table=True):
    """One thing that happened to a ticket (issue, call, recall, ...): the replayable log."""

    __tablename__ = "ticket_event"
    __table_args__ = (
        Index("ix_ticket_event_kind", "business_day", "kind", "id"),
        Index("ix_ticket_event_counter_day", "counter", "business_day", "kind", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    business_day: date
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    kind: str = Field(max_length=16)
    counter: int | None = Field(default=None, foreign_key="counter.number")
    priority: str = Field(max_length=12)
    actor: str | None = Field(default=None, max_length=16)
    detail: str = "{}"


class CounterEvent(SQLModel, table=True):
    """A counter's state change and who is at it (open, paused, closing, closed)."""

    __tablename__ = "counter_event"
    id: int | None = Field(default=None, primary_key=True)
    business_day: date = Field(index=True)
    counter: int = Field(foreign_key="counter.number")
    state: str = Field(max_length=16)
    clerk_id: int | None = Field(default=None, foreign_key="staff.id")
    at: datetime = Field(sa_type=AwareDateTime)
    actor: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, max_length=200)
