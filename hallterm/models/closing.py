"""The closing record (日结记录): one row per closed business day, the Z report's facts."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class DayClose(SQLModel, table=True):
    """A closed business day's record: Z number, receipts, totals, audit head, report.

    It is inserted in the same transaction that flips ``business_day`` to closed,
    just before the flip, so the day-lock triggers make it as unchangeable as the
    rest of the day. ``audit_first_seq``..``audit_head_seq`` is this closing's part
    of the audit chain (every row since the previous closing), which the export
    sends to headquarters; ``prev_audit_head_hash`` is where that part chains on.
    """

    __tablename__ = "day_close"
    business_day: date = Field(primary_key=True, foreign_key="business_day.day")
    z_number: int = Field(unique=True)  # the Z counter: only ever grows, no gaps
    closed_at: datetime = Field(sa_type=AwareDateTime)
    closed_by: int = Field(foreign_key="staff.id")
    closed_by_empno: str = Field(max_length=16)
    forced: bool = False
    reason: str | None = Field(default=None, max_length=500)
    blockers_json: str = "[]"
    first_receipt: str | None = Field(default=None, max_length=32)
    last_receipt: str | None = Field(default=None, max_length=32)
    receipt_count: int | None = None
    totals_json: str = "{}"
    grand_totals_json: str = "{}"
    audit_first_seq: int
    audit_head_seq: int
    audit_head_hash: str = Field(max_length=64)
    prev_audit_head_hash: str = Field(max_length=64)
    generator: str = Field(max_length=32)
    report_json: str
