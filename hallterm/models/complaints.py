"""Complaint tables (投诉): the complaint, its event log, its status, its compensations.

A complaint is opened on a business day and never changes after (``complaint``);
everything that happens to it afterwards is an event of the day it happened
(``complaint_event``: opened, stage_done, paused, resumed, transferred, accepted,
appealed, closed), so both are locked with their day like every business row. The
deadlines are computed from the events when read (``services.complaints.clock``),
never stored. ``complaint_status`` is the one row per complaint that changes — who
owns it, its state and the last stage done, written in the same transaction as the
event that changed them — so the open complaints and a clerk's own are found by
their state without replaying every complaint's log; it belongs to no business day.
A compensation (cash, bill credit, goods) is a row of the day it was approved; cash
paid names the drawer's ``cash_movement`` (a plain column: that table lives on the
sales branch).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class Complaint(SQLModel, table=True):
    """One complaint as it was opened: who took it, the customer, what it is about."""

    __tablename__ = "complaint"
    # The repeat check: a customer's earlier complaints by keyed hash, newest first.
    __table_args__ = (Index("ix_complaint_phone_key", "phone_key", "at"),
                      Index("ix_complaint_id_key", "id_key", "at"))
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)  # TS<year>-<n>, gapless per year
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    taken_by: str = Field(max_length=16)  # employee number: the first owner (首问负责制)
    counter: int | None = None  # where it was taken (None: by phone away from a counter)
    channel: str = Field(max_length=8)  # counter | phone
    category: str = Field(max_length=24)
    text: str = Field(max_length=500)
    customer_id: int | None = None  # the customer record, when there is one
    phone_sealed: str | None = Field(default=None, max_length=200)  # encrypted (customers.seal)
    phone_key: str | None = Field(default=None, max_length=96)  # keyed hash (customers.phone_key)
    phone_masked: str | None = Field(default=None, max_length=16)
    id_key: str | None = Field(default=None, max_length=96)  # keyed hash of the ID number
    receipt: str | None = Field(default=None, max_length=32)
    order_no: str | None = Field(default=None, max_length=32)
    ticket: str | None = Field(default=None, max_length=16)
    repeat_of: str | None = Field(default=None, max_length=200)  # earlier numbers, comma-separated


class ComplaintEvent(SQLModel, table=True):
    """One thing that happened to a complaint, on the day it happened."""

    __tablename__ = "complaint_event"
    __table_args__ = (Index("ix_complaint_event_complaint", "complaint_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id")
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    kind: str = Field(max_length=12)
    stage: int | None = None  # 1-4 for stage_done
    actor: str = Field(max_length=16)  # who did it (the "by" of the event)
    to_empno: str | None = Field(default=None, max_length=16)  # transferred: offered to
    note: str | None = Field(default=None, max_length=500)  # what was done, why, the summary
    reference: str | None = Field(default=None, max_length=64)  # appealed: the regulator's
    result: str | None = Field(default=None, max_length=16)  # closed: the follow-up result
    attempts: int | None = None  # closed: follow-up attempts made


class ComplaintStatus(SQLModel, table=True):
    """Where a complaint stands now (one row, changed with each event that changes it)."""

    __tablename__ = "complaint_status"
    __table_args__ = (Index("ix_complaint_status_state_owner", "state", "owner"),)
    complaint_id: int = Field(primary_key=True, foreign_key="complaint.id")
    state: str = Field(max_length=12)  # open | paused | appealed | closed
    stage: int = 0  # the last stage done (0-4)
    owner: str = Field(max_length=16)
    offered_to: str | None = Field(default=None, max_length=16)  # a transfer not yet accepted
    last_event_id: int


class ComplaintCompensation(SQLModel, table=True):
    """A compensation approved for a complaint; cash paid names its drawer movement."""

    __tablename__ = "complaint_compensation"
    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    kind: str = Field(max_length=8)  # cash | credit | goods
    amount_fen: int
    description: str = Field(max_length=200)
    actor: str = Field(max_length=16)
    approver: str = Field(max_length=16)
    counter: int | None = None  # cash: the drawer it was paid from
    cash_movement_id: int | None = None
