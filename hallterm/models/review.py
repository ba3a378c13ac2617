"""The audit review tables (稽核): the reviews of a closed day's records, as events.

A review never touches the record it reviews: each step (OK, exception,
rectification, acceptance, sending back) is a row of its own, written in the
business day that is open when it is taken and pointing at the reviewed record by
its day, kind and reference (``target_day``, ``kind``, ``reference``). A record's
review state is its latest event; the rows are locked with the day they were
written in, like every business row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class ReviewEvent(SQLModel, table=True):
    """One step of the review of one record: ok | exception | rectified | accepted | reopened."""

    __tablename__ = "review_event"
    # A record's events (its state: the latest) and a day's queue; a reference as typed;
    # the open exceptions (few: found by their action, then each record's latest event).
    __table_args__ = (Index("ix_review_event_record", "target_day", "kind", "reference"),
                      Index("ix_review_event_reference", "reference"),
                      Index("ix_review_event_open", "action", "owner"))
    id: int | None = Field(default=None, primary_key=True)
    business_day: date = Field(index=True)  # the open day it was written in
    at: datetime = Field(sa_type=AwareDateTime)
    target_day: date  # the (closed) day of the reviewed record
    kind: str = Field(max_length=24)  # the registered kind: sale, refund, handover, …
    reference: str = Field(max_length=64)  # the record's number in its area
    owner: str = Field(max_length=16)  # whose record it is (their inbox)
    action: str = Field(max_length=12)
    category: str | None = Field(default=None, max_length=24)
    note: str | None = Field(default=None, max_length=200)
    with_kind: str | None = Field(default=None, max_length=24)  # the corrective record
    with_reference: str | None = Field(default=None, max_length=64)
    actor: str = Field(max_length=16)
