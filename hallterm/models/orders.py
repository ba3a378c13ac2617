"""Service order tables (业务受理): the number pool, lines in service, service orders,
retention attempts and the archive positions of their paper forms.

A line's plan and SIM are not kept on the line: they are read from its completed
orders (the latest new line, plan change or SIM replacement in effect), so nothing
drifts. Customers are referred to by id (``services.customers`` owns them); the
visit, the sale and the stock documents are plain columns on other branches.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class NumberPoolEntry(SQLModel, table=True):
    """A mobile number of the hall's pool (号码池): free, held for an open order, in service."""

    __tablename__ = "number_pool"
    __table_args__ = (Index("ix_number_pool_state", "state", "number"),)
    # A surrogate key: the audit seals name rows by key, and a number is customer data.
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=11, unique=True)
    state: str = Field(max_length=12)  # free | held | in_service
    added_at: datetime = Field(sa_type=AwareDateTime)
    added_by: str = Field(max_length=16)


class ServiceLine(SQLModel, table=True):
    """A number in service with this operator, and its holder (the 一证五号 count)."""

    __tablename__ = "service_line"
    __table_args__ = (Index("ix_service_line_holder", "customer_id", "state"),
                      Index("ix_service_line_number", "number", "state"))
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=11)
    customer_id: int
    state: str = Field(max_length=12)  # active | cancelled
    opened_order: str = Field(max_length=24)
    opened_day: date
    closed_order: str | None = Field(default=None, max_length=24)
    closed_day: date | None = None


class ServiceOrder(SQLModel, table=True):
    """One service order (受理单), numbered gaplessly per business day: O<yyyymmdd>-<nnnn>."""

    __tablename__ = "service_order"
    __table_args__ = (Index("ix_service_order_counter_day", "counter", "business_day", "state"),
                      Index("ix_service_order_line", "line_id", "state"),
                      Index("ix_service_order_state", "state", "business_day"))
    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(max_length=24, unique=True)
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    kind: str = Field(max_length=12)  # new_line | plan_change | sim_replace | cancel | port_out
    state: str = Field(max_length=12)  # open | completed | withdrawn | retained
    counter: int
    terminal: str = Field(max_length=32)
    clerk: str = Field(max_length=16)
    visit_id: int | None = None
    customer_id: int  # the holder
    agent_id: int | None = None  # 代办: the agent's customer record
    guardian_id: int | None = None  # a minor's guardian
    line_id: int | None = None
    number: str = Field(max_length=11)
    plan_sku: str | None = Field(default=None, max_length=32)
    effective_on: date | None = None  # when the plan (or the change) takes effect
    iccid: str | None = Field(default=None, max_length=20)  # the SIM the order gives
    old_iccid: str | None = Field(default=None, max_length=20)  # the SIM it retires
    receipt_no: str | None = Field(default=None, max_length=24)  # the sale of its payment
    id_copy: bool = False
    form_signed: bool = False
    photo: bool = False
    completed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    reason: str | None = Field(default=None, max_length=200)  # why it was withdrawn


class RetentionAttempt(SQLModel, table=True):
    """A retention attempt (维系挽留) recorded with a cancellation or a port-out enquiry."""

    __tablename__ = "retention_attempt"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="service_order.id", index=True)
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    clerk: str = Field(max_length=16)  # who made the attempt
    heard: bool  # the customer agreed to hear an offer (port-out: never assumed)
    offer: str | None = Field(default=None, max_length=200)
    outcome: str = Field(max_length=12)  # stayed | left
    reason: str | None = Field(default=None, max_length=200)


class ArchivePosition(SQLModel, table=True):
    """Where a completed order's paper form is filed (第五章): a day's numbered box, a place."""

    __tablename__ = "archive_position"
    __table_args__ = (UniqueConstraint("box_no", "position"),)
    order_id: int = Field(foreign_key="service_order.id", primary_key=True)
    business_day: date = Field(index=True)
    box_no: str = Field(max_length=16)
    position: int
