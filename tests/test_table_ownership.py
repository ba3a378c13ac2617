"""One owner per table: only the area that owns a table writes it (INSERT, UPDATE,
DELETE, REPLACE). Another area calls the owner's functions (docs/architecture.md).

An area package declares ``TABLES`` in its ``__init__.py``. Modules not yet moved into
a package get their area from ``AREA_OF`` and their tables from ``NOT_YET_PACKAGED``;
a package's own ``TABLES`` always win. The scan reads every SQL string literal (and
f-string) of ``hallterm/`` and ``screens/`` except the migrations.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only  # the source code: nothing of the engine

ROOT = Path(__file__).parent.parent
SERVICES = ROOT / "hallterm" / "services"

# A table written by a statement: keywords in capitals, as every SQL string here is written.
WRITE = re.compile(
    r"\b(?:INSERT(?:\s+OR\s+[A-Z]+)?\s+INTO|REPLACE\s+INTO|DELETE\s+FROM)\s+[\"`]?(\w+)"
    r"|\bUPDATE(?:\s+OR\s+[A-Z]+)?\s+[\"`]?(\w+)[\"`]?\s+SET\b")

CORE = "core"
# Tables the core itself keeps for every area.
CORE_TABLES = ("audit_log", "sequence", "command", "meta", "hallterm_touched")

# Modules outside an area package: their area (a module not listed is its own area).
AREA_OF = {
    "hallterm.context": CORE, "hallterm.store": CORE, "hallterm.bootstrap": CORE,
    "hallterm.services.sequences": CORE, "hallterm.services.figures": CORE,
    "hallterm.services.dayparts": "day", "hallterm.services.day": "day",
    "hallterm.services.closing": "day",
    "hallterm.services.export": "export", "hallterm.services.export_verify": "export",
    "hallterm.services.stock": "stock", "hallterm.services.stock_day": "stock",
    "hallterm.services.stocktake": "stock",
    "hallterm.services.sales": "sales", "hallterm.services.sales_day": "sales",
    "hallterm.services.carts": "sales", "hallterm.services.reversals": "sales",
    "hallterm.services.receipts": "sales", "hallterm.services.xreport": "sales",
}

# The tables of areas that are not packages yet (a package's TABLES replaces its line).
NOT_YET_PACKAGED = {
    CORE: CORE_TABLES,
    "stock": ("stock_document", "stock_move", "stock_balance", "stock_serial", "stocktake",
              "stocktake_line"),
    "sales": ("sale", "sale_line", "payment", "cart_hold", "sale_cart", "taken_payment",
              "sale_reversal", "sale_reversal_line", "reversal_payment"),
    "catalog": ("catalog_item", "catalog_barcode"),
    "day": ("business_day", "day_close"),
    "hall": ("hall",),
    "handover": ("handover", "handover_line", "handover_pending"),
}

# Writes into another area's table that issue 13 is removing. The test fails when one
# of them is gone, so take it off this list in the merge that removes it.
KNOWN_TRESPASSES: set[tuple[str, str]] = set()


def _packages() -> dict[str, tuple[str, ...]]:
    """Every area package under hallterm/services and the tables it declares."""
    found = {}
    for init in sorted(SERVICES.glob("*/__init__.py")):
        area = init.parent.name
        module = importlib.import_module(f"hallterm.services.{area}")
        tables = getattr(module, "TABLES", None)
        assert isinstance(tables, tuple) and all(isinstance(t, str) for t in tables), (
            f"hallterm/services/{area}/__init__.py must declare TABLES: tuple[str, ...]")
        found[area] = tables
    return found


def _owners() -> dict[str, str]:
    owners: dict[str, str] = {}
    packages = _packages()
    for area, tables in packages.items():
        for table in tables:
            assert table not in owners, f"{table} is declared by {owners[table]} and {area}"
            owners[table] = area
    for area, tables in NOT_YET_PACKAGED.items():
        if area in packages:
            continue
        for table in tables:
            owners.setdefault(table, area)
    return owners


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _area(module: str) -> str:
    parts = module.split(".")
    if parts[:2] == ["hallterm", "services"] and len(parts) > 2 and (SERVICES / parts[2]).is_dir():
        return parts[2]  # inside an area package
    if parts[0] == "screens":
        return "screens"
    return AREA_OF.get(module, module.rsplit(".", 1)[-1])


def _strings(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str)
                          else "{}" for v in node.values)


def _writes() -> set[tuple[str, str, str]]:
    """(module, area, table) for every table a module's SQL writes."""
    found = set()
    files = [*(ROOT / "hallterm").rglob("*.py"), *(ROOT / "screens").rglob("*.py")]
    for path in sorted(files):
        if "migrations" in path.parts:
            continue
        module = _module_name(path)
        for text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            for match in WRITE.finditer(text):
                table = match.group(1) or match.group(2)
                found.add((module, _area(module), table))
    return found


def test_every_table_has_an_owner():
    from sqlmodel import SQLModel

    import hallterm.models  # noqa: F401  (registers every table)

    owners = _owners()
    assert sorted(set(SQLModel.metadata.tables) - set(owners)) == []
    assert sorted(set(owners) - set(SQLModel.metadata.tables) - {"hallterm_touched"}) == []


def test_only_the_owning_area_writes_a_table():
    owners = _owners()
    writes = _writes()
    assert writes, "the scan found no SQL writes at all: is the pattern still right?"
    trespasses = sorted({(module, area, table, owners.get(table, "nobody"))
                         for module, area, table in writes
                         if owners.get(table) != area and (area, table) not in KNOWN_TRESPASSES})
    assert trespasses == [], "module, its area, table, the table's owner"


def test_the_known_trespasses_still_happen():
    """A trespass that is gone comes off KNOWN_TRESPASSES, so the list only shrinks."""
    seen = {(area, table) for _module, area, table in _writes()}
    assert sorted(KNOWN_TRESPASSES - seen) == []
