"""Core tables: hall configuration, staff, business days, sequences, audit log, commands."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class Meta(SQLModel, table=True):
    """Store-wide facts (schema purpose, hall secret fingerprint)."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str


class Hall(SQLModel, table=True):
    """The loaded hall configuration (one row, replaced by ``hall load``)."""

    __tablename__ = "hall"
    id: int = Field(default=1, primary_key=True)
    code: str = Field(max_length=32)
    name_zh: str
    name_en: str
    config_json: str
    sha256: str = Field(max_length=64)
    loaded_at: datetime = Field(sa_type=AwareDateTime)


class Service(SQLModel, table=True):
    """A service offered at the counters, with its ticket prefix."""

    __tablename__ = "service"
    code: str = Field(primary_key=True, max_length=4)
    prefix: str = Field(max_length=2, unique=True)
    name_zh: str
    name_en: str
    active: bool = True


class Counter(SQLModel, table=True):
    """A counter (窗口): which services it serves, its state and its clerk."""

    __tablename__ = "counter"
    number: int = Field(primary_key=True)
    services: str  # space-separated service codes
    name_zh: str | None = None
    name_en: str | None = None
    active: bool = True
    state: str = Field(default="closed", max_length=16)
    clerk_id: int | None = Field(default=None, foreign_key="staff.id")
    state_since: datetime | None = Field(default=None, sa_type=AwareDateTime)


class Staff(SQLModel, table=True):
    """A member of staff: employee number, roles, PIN hash, lockout state."""

    __tablename__ = "staff"
    id: int | None = Field(default=None, primary_key=True)
    empno: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=60)
    roles: str  # space-separated role names
    pin_hash: str
    active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(sa_type=AwareDateTime)


class BusinessDay(SQLModel, table=True):
    """A business day (营业日): opened by the hall manager, closed and locked by 日结."""

    __tablename__ = "business_day"
    day: date = Field(primary_key=True)
    state: str = Field(default="open", max_length=8)  # open | closed
    opened_at: datetime = Field(sa_type=AwareDateTime)
    opened_by: int = Field(foreign_key="staff.id")
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    closed_by: int | None = Field(default=None, foreign_key="staff.id")
    z_number: int | None = None


class Sequence(SQLModel, table=True):
    """The gapless number allocator's counters, one row per numbered series."""

    __tablename__ = "sequence"
    key: str = Field(primary_key=True, max_length=80)
    value: int = 0


class AuditRow(SQLModel, table=True):
    """One append-only, hash-chained audit record of a write (or a sensitive read)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        # Recent rows of one terminal (wrong approval PINs per terminal) and of one
        # entity since a time (today's wrong PINs typed for a person) without scanning the
        # log or the entity's whole history.
        Index("ix_audit_log_terminal_at", "terminal", "at"),
        Index("ix_audit_log_entity_at", "entity", "entity_id", "at"),
    )
    seq: int = Field(primary_key=True)
    at: datetime = Field(sa_type=AwareDateTime)
    business_day: date | None = Field(default=None, index=True)
    actor: str | None = Field(default=None, max_length=16)
    approver: str | None = Field(default=None, max_length=16)
    terminal: str = Field(max_length=32)
    action: str = Field(max_length=48)
    entity: str | None = Field(default=None, max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    payload: str = "{}"
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Command(SQLModel, table=True):
    """A write command already carried out, by its caller-chosen id (idempotency)."""

    __tablename__ = "command"
    id: str = Field(primary_key=True, max_length=64)
    action: str = Field(max_length=48)
    actor: str | None = Field(default=None, max_length=16)
    at: datetime = Field(sa_type=AwareDateTime)
    result_json: str
    # HMAC (hall secret) of the command's arguments: the same id with other ones is refused.
    request_hash: str | None = Field(default=None, max_length=64)
