"""Shift handover tables (交接班): the handover, its stock count lines, what passed on.

A handover is a small state machine kept in the store (``started → counted →
reviewed → done``, or ``cancelled``), each step its own transaction, so a handover
interrupted halfway resumes where it stopped. The cash count itself is a
``cash_count`` row of the sales area (``cash_count_id``: a plain column, that
table lives on another migration branch); stock differences are recorded here
as lines, never posted to the ledger by the handover. Every row belongs to its
business day and is locked once that day is closed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class Handover(SQLModel, table=True):
    """One handover of a counter (交接班单): who, when, what was counted, who witnessed."""

    __tablename__ = "handover"
    # Handovers in progress (a counter's, or the day's open items): few, whatever the history
    # (a counter's finished handovers were walked newest-first with ``counter`` alone).
    __table_args__ = (Index("ix_handover_state", "state", "counter"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    business_day: date = Field(index=True)
    counter: int
    kind: str = Field(max_length=8)  # shift | day_end
    state: str = Field(max_length=12)  # started | counted | reviewed | done | cancelled
    actor: str = Field(max_length=16)  # who ran it (the outgoing clerk, or the duty manager)
    outgoing: str = Field(max_length=16)
    incoming: str | None = Field(default=None, max_length=16)
    witness: str | None = Field(default=None, max_length=16)
    counter_state_before: str = Field(max_length=16)
    started_at: datetime = Field(sa_type=AwareDateTime)
    counted_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    reviewed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    counted_fen: int | None = None
    denominations: str | None = Field(default=None, max_length=400)  # JSON {face_fen: count}
    expected_fen: int | None = None
    difference_fen: int | None = None
    stock_difference_fen: int | None = None  # value of the stock differences (absolute)
    cash_reason: str | None = Field(default=None, max_length=200)
    stock_reason: str | None = Field(default=None, max_length=200)
    cash_count_id: int | None = None
    note: str | None = Field(default=None, max_length=200)  # why it was cancelled


class HandoverLine(SQLModel, table=True):
    """One line of the custody stock count: a serial (found, missing, extra) or an item count."""

    __tablename__ = "handover_line"
    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True)
    business_day: date = Field(index=True)
    sku: str = Field(max_length=32)
    serial: str | None = Field(default=None, max_length=32)
    expected_quantity: int
    counted_quantity: int
    difference: int
    unit_value_fen: int
    status: str = Field(max_length=8)  # ok | missing | extra | short | over


class HandoverPending(SQLModel, table=True):
    """Something left open that passed to the incoming clerk (a called ticket, a complaint…)."""

    __tablename__ = "handover_pending"
    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True)
    business_day: date = Field(index=True)
    kind: str = Field(max_length=24)
    reference: str = Field(max_length=64)
    description: str = Field(max_length=200)
