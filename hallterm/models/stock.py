"""Stock tables: the catalog, the stock ledger (库存台账), balances, serials, stocktakes.

The ledger (``stock_move``) is the truth: every movement is one row, grouped in a
numbered ``stock_document``. ``stock_balance`` (per item and place) and
``stock_serial`` (where each serial is now) are kept in the same transaction as
the ledger rows and can be recomputed from them (``services.stock.verify``).
Catalog tables are configuration (no business day); documents, moves and
stocktakes are day rows, locked once their day is closed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from hallterm.models.types import AwareDateTime


class CatalogItem(SQLModel, table=True):
    """An item of the hall's catalog (商品/业务), updated in place by ``catalog load``.

    Sales copy the price onto their lines, so updating an item never rewrites history.
    """

    __tablename__ = "catalog_item"
    sku: str = Field(primary_key=True, max_length=32)
    name_zh: str = Field(max_length=60)
    name_en: str = Field(max_length=80)
    kind: str = Field(max_length=16)  # counted | serialised | valuable_card | service | plan
    serial_type: str | None = Field(default=None, max_length=8)  # imei | iccid
    face_value_fen: int | None = None
    price_fen: int
    offered: bool = True
    alternatives: str = ""  # space-separated SKUs
    effective_zh: str | None = None
    effective_en: str | None = None
    active: bool = True  # False once a later catalog file no longer lists it
    loaded_at: datetime = Field(sa_type=AwareDateTime)
    plan_effective: str | None = Field(default=None, max_length=12)  # plans: next_month | immediate


class CatalogBarcode(SQLModel, table=True):
    """A barcode (EAN etc.) that a scanner reads for a catalog item."""

    __tablename__ = "catalog_barcode"
    barcode: str = Field(primary_key=True, max_length=32)
    sku: str = Field(foreign_key="catalog_item.sku", max_length=32, index=True)


class StockDocument(SQLModel, table=True):
    """One numbered stock document (入库单, 领用单, 退库单, 报损单, 盘点调整…)."""

    __tablename__ = "stock_document"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    kind: str = Field(max_length=16)
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    actor: str = Field(max_length=16)
    confirmer: str | None = Field(default=None, max_length=16)  # the receiving clerk
    approver: str | None = Field(default=None, max_length=16)  # manager or card witness
    from_place: str | None = Field(default=None, max_length=24)
    to_place: str | None = Field(default=None, max_length=24)
    reference: str | None = Field(default=None, max_length=64, index=True)
    supplier: str | None = Field(default=None, max_length=80)
    reason: str | None = Field(default=None, max_length=200)
    lines: int
    quantity: int
    value_fen: int


class StockMove(SQLModel, table=True):
    """One ledger row: ``quantity`` of ``sku`` (one ``serial``) moved between places."""

    __tablename__ = "stock_move"
    # The balance = ledger trigger sums an item's moves into and out of a place on every
    # balance change: covering indexes keep that an index-only range (it read every move
    # of the item through ``sku`` alone: 30 ms at a year for a popular item).
    __table_args__ = (
        Index("ix_stock_move_sku_to", "sku", "to_place", "quantity"),
        Index("ix_stock_move_sku_from", "sku", "from_place", "quantity"),
    )
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="stock_document.id", index=True)
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    sku: str = Field(max_length=32)
    serial: str | None = Field(default=None, max_length=32, index=True)
    quantity: int
    from_place: str = Field(max_length=24)
    to_place: str = Field(max_length=24)
    unit_value_fen: int


class StockBalance(SQLModel, table=True):
    """How many of an item are at a place now (kept with every ledger row)."""

    __tablename__ = "stock_balance"
    __table_args__ = (CheckConstraint("quantity >= 0", name="stock_balance_not_negative"),)
    sku: str = Field(primary_key=True, max_length=32)
    place: str = Field(primary_key=True, max_length=24)
    quantity: int


class StockSerial(SQLModel, table=True):
    """Where one serial (IMEI, ICCID, card number) is now: exactly one place."""

    __tablename__ = "stock_serial"
    serial: str = Field(primary_key=True, max_length=32)
    sku: str = Field(max_length=32, index=True)
    place: str = Field(max_length=24, index=True)
    last_move_id: int = Field(foreign_key="stock_move.id")


class Stocktake(SQLModel, table=True):
    """A stocktake (盘点) of one place: open → finished → posted (or cancelled)."""

    __tablename__ = "stocktake"
    # Stocktakes in progress (a place's, or the day's open items): few, whatever the history.
    __table_args__ = (Index("ix_stocktake_state", "state", "place"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    place: str = Field(max_length=24, index=True)
    business_day: date = Field(index=True)
    state: str = Field(max_length=12)
    started_at: datetime = Field(sa_type=AwareDateTime)
    started_by: str = Field(max_length=16)
    finished_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    posted_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    approver: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, max_length=200)
    document_id: int | None = Field(default=None, foreign_key="stock_document.id")


class StocktakeLine(SQLModel, table=True):
    """One counted line, saved as entered (a scanned serial, or a quantity of an item)."""

    __tablename__ = "stocktake_line"
    __table_args__ = (UniqueConstraint("stocktake_id", "serial"),)
    id: int | None = Field(default=None, primary_key=True)
    stocktake_id: int = Field(foreign_key="stocktake.id", index=True)
    business_day: date = Field(index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    actor: str = Field(max_length=16)
    sku: str = Field(max_length=32)
    serial: str | None = Field(default=None, max_length=32)
    quantity: int
