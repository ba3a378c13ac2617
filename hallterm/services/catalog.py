"""The catalog in the store: load it (hall manager, audited), look items up, alternatives.

Items are updated in place by a new load (a sale copies the price onto its line,
so history never changes); items no longer in the file stay, inactive, because
ledger rows refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hallterm.catalog import CatalogEntry, parse_catalog
from hallterm.clock import utc_text
from hallterm.context import Ctx, ReadUnit, UnitOfWork, run_write
from hallterm.errors import NotFound
from hallterm.i18n import _, get_language
from hallterm.permissions import require
from hallterm.store import execute

_COLUMNS = ("sku, name_zh, name_en, kind, serial_type, face_value_fen, price_fen, offered, "
            "alternatives, effective_zh, effective_en, active, plan_effective")


@dataclass(frozen=True)
class Item:
    """A catalog item as services and screens use it."""

    sku: str
    name_zh: str
    name_en: str
    kind: str
    serial_type: str | None
    face_value_fen: int | None
    price_fen: int
    offered: bool
    alternatives: tuple[str, ...]
    effective_zh: str | None
    effective_en: str | None
    active: bool = True
    plan_effective: str | None = None  # plans (套餐): next_month | immediate

    @property
    def serialised(self) -> bool:
        """Each unit has its own serial (handsets, SIM cards, valuable cards)."""
        return self.kind in ("serialised", "valuable_card")

    @property
    def stocked(self) -> bool:
        """Whether the item is held in stock at all (services are not)."""
        return self.kind not in ("service", "plan")

    @property
    def unit_value_fen(self) -> int:
        """What one unit is worth in stock figures (a card's face value, else the price)."""
        if self.kind == "valuable_card" and self.face_value_fen is not None:
            return self.face_value_fen
        return self.price_fen

    def name(self, language: str | None = None) -> str:
        """The name in ``language`` (default: the current one)."""
        return self.name_zh if (language or get_language()).startswith("zh") else self.name_en

    def effective(self, language: str | None = None) -> str | None:
        """When a service takes effect, in ``language``."""
        zh = (language or get_language()).startswith("zh")
        return self.effective_zh if zh else self.effective_en


@dataclass(frozen=True)
class CatalogLoaded:
    """What ``load_catalog`` changed."""

    items: int
    added: int
    updated: int
    retired: int


def item_from_row(row: Any) -> Item:
    """An ``Item`` from a row selecting ``_COLUMNS`` (read by name)."""
    return Item(row.sku, row.name_zh, row.name_en, row.kind, row.serial_type,
                row.face_value_fen, row.price_fen, bool(row.offered),
                tuple(row.alternatives.split()), row.effective_zh, row.effective_en,
                bool(row.active), row.plan_effective)


def write_catalog(uow: UnitOfWork, entries: list[CatalogEntry], *, source: str) -> CatalogLoaded:
    """Store checked entries inside a write (used by ``load_catalog`` and the demo)."""
    existing = {r.sku for r in uow.sql("SELECT sku FROM catalog_item").all()}
    at = utc_text(uow.now)
    uow.sql("DELETE FROM catalog_barcode")
    uow.sql("UPDATE catalog_item SET active = FALSE")
    for e in entries:
        uow.sql(
            "INSERT INTO catalog_item (sku, name_zh, name_en, kind, serial_type, face_value_fen, "
            "price_fen, offered, alternatives, effective_zh, effective_en, active, loaded_at, "
            "plan_effective) VALUES (:sku, :zh, :en, :kind, :st, :face, :price, :offered, :alts, "
            ":ezh, :een, TRUE, :at, :pe) ON CONFLICT(sku) DO UPDATE SET name_zh = :zh, "
            "name_en = :en, kind = :kind, serial_type = :st, face_value_fen = :face, "
            "price_fen = :price, offered = :offered, alternatives = :alts, effective_zh = :ezh, "
            "effective_en = :een, active = TRUE, loaded_at = :at, plan_effective = :pe",
            {"sku": e.sku, "zh": e.name_zh, "en": e.name_en, "kind": e.kind,
             "st": e.serial_type, "face": e.face_value_fen, "price": e.price_fen,
             "offered": bool(e.offered), "alts": " ".join(e.alternatives),
             "ezh": e.effective_zh, "een": e.effective_en, "at": at,
             "pe": e.plan_effective})
        for code in e.barcodes:
            uow.sql("INSERT INTO catalog_barcode (barcode, sku) VALUES (:b, :s)",
                    {"b": code, "s": e.sku})
    skus = {e.sku for e in entries}
    result = CatalogLoaded(len(entries), len(skus - existing), len(skus & existing),
                           len(existing - skus))
    uow.audit("catalog.load", entity="catalog", entity_id=Path(source).name[:64],
              payload={"items": result.items, "added": result.added,
                       "updated": result.updated, "retired": result.retired})
    return result


def load_catalog(ctx: Ctx, *, path: Path, command_id: str | None = None) -> CatalogLoaded:
    """Check a catalog file and load it (hall manager); a bad file loads nothing."""
    require(ctx.actor, "catalog.load")
    entries = parse_catalog(path)
    return run_write(ctx, "catalog.load",
                     lambda uow: write_catalog(uow, entries, source=str(path)),
                     command_id=command_id, result_type=CatalogLoaded)


def items(ctx: Ctx, *, include_inactive: bool = False) -> list[Item]:
    """Every catalog item, by SKU."""
    where = "" if include_inactive else "WHERE active = TRUE "
    with ctx.store.read() as session:
        rows = execute(session, f"SELECT {_COLUMNS} FROM catalog_item {where}ORDER BY sku").all()
    return [item_from_row(r) for r in rows]


def find_item(session, code: str) -> Item | None:
    """An item by SKU or one of its barcodes, on an open session (or ``None``)."""
    code = (code or "").strip()
    row = execute(session, f"SELECT {_COLUMNS} FROM catalog_item WHERE sku = :c", {"c": code}
                  ).first()
    if row is None:
        row = execute(session, f"SELECT {', '.join('i.' + c.strip() for c in _COLUMNS.split(','))} "
                      "FROM catalog_barcode b JOIN catalog_item i ON i.sku = b.sku "
                      "WHERE b.barcode = :c", {"c": code}).first()
    return item_from_row(row) if row else None


def item_in(unit: ReadUnit, code: str) -> Item | None:
    """``find_item`` inside a transaction, read once per transaction (a sale reads each
    line's item for its price, the stock check and the ledger: one statement)."""
    code = (code or "").strip()
    return unit.remember((("catalog_item", "catalog_barcode"), code),
                         lambda: find_item(unit.session, code))


def lookup(ctx: Ctx, *, code: str) -> Item:
    """An item by SKU or barcode, or ``NotFound``."""
    with ctx.store.read() as session:
        item = find_item(session, code)
    if item is None:
        raise NotFound(_("No catalog item with SKU or barcode {code}.").format(code=code))
    return item


def search(ctx: Ctx, *, text: str, limit: int = 50) -> list[Item]:
    """Active items whose SKU, Chinese or English name contains ``text``."""
    pattern = _contains(text)
    with ctx.store.read() as session:
        rows = execute(session, f"SELECT {_COLUMNS} FROM catalog_item WHERE active = TRUE AND "
                       "(lower(sku) LIKE :p OR lower(name_zh) LIKE :p OR lower(name_en) LIKE :p) "
                       "ORDER BY sku "
                       "LIMIT :n", {"p": pattern, "n": limit}).all()
    return [item_from_row(r) for r in rows]


def _contains(text: str | None) -> str:
    """A LIKE pattern for ``text`` anywhere, any case (compared with ``lower(...)``: SQLite's
    LIKE ignores ASCII case, PostgreSQL's does not)."""
    return "%" + (text or "").strip().replace("%", "").replace("_", "").lower() + "%"


def offered_matching(session, text: str, *, limit: int = 9) -> list[Item]:
    """Items on sale in this hall (active, offered) whose SKU or a name contains ``text``."""
    pattern = _contains(text)
    rows = execute(session, f"SELECT {_COLUMNS} FROM catalog_item WHERE active = TRUE AND "
                   "offered = TRUE AND (lower(sku) LIKE :p OR lower(name_zh) LIKE :p OR "
                   "lower(name_en) LIKE :p) "
                   "ORDER BY sku LIMIT :n", {"p": pattern, "n": limit}).all()
    return [item_from_row(r) for r in rows]


@dataclass(frozen=True)
class Alternative:
    """An item proposed instead of another (主动介绍替代性业务), with what is at hand."""

    item: Item
    available: int  # units at the counter (or in the hall when no counter is given)


def alternatives(ctx: Ctx, *, sku: str, counter: int | None = None) -> list[Alternative]:
    """The offered alternatives of ``sku``, with the stock at ``counter`` (or the hall)."""
    item = lookup(ctx, code=sku)
    out: list[Alternative] = []
    with ctx.store.read() as session:
        for alt in item.alternatives:
            other = find_item(session, alt)
            if other is None or not other.active or not other.offered:
                continue
            if counter is not None:
                places, params = "place = :p", {"s": alt, "p": f"counter:{counter}"}
            else:
                places, params = "(place = 'warehouse' OR place LIKE 'counter:%')", {"s": alt}
            qty = execute(session, f"SELECT COALESCE(SUM(quantity), 0) FROM stock_balance "
                          f"WHERE sku = :s AND {places}", params).scalar()
            out.append(Alternative(other, int(qty or 0)))
    return out
