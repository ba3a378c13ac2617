"""Capture the SQL a service call runs and judge each statement's query plan.

``capture()`` sets a trace callback on every SQLite connection opened while it is
active (the store's, whatever layer opens them), so a statement is seen as SQLite
ran it, parameters bound. ``unbounded(path, sql)`` asks ``EXPLAIN QUERY PLAN`` on
its own connection and returns the plan lines that read a history table without
bounding the read by the business day or a key:

- ``SCAN <table>`` (every row; also through an index), unless the statement reads
  the table newest-first with a ``LIMIT`` and no condition on it (a fixed number
  of rows, e.g. the audit chain's last row);
- ``SEARCH <table> USING INDEX ... (col=? ...)`` whose conditions include neither
  ``business_day=?`` nor a key: the row id, every column of a unique index, a
  parent's id (a declared foreign key to another history table, e.g. a sale's
  lines by ``sale_id``) or an item's serial number.

A ``SEARCH`` with no condition at all is SQLite's min/max optimisation (one index
probe) and passes.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Tables that grow every business day (their rows are kept for ever).
HISTORY = (
    "ticket", "ticket_event", "visit", "counter_event", "sale", "sale_line", "payment",
    "sale_reversal", "sale_reversal_line", "reversal_payment", "cash_movement", "cash_count",
    "stock_document", "stock_move", "stocktake", "stocktake_line", "audit_log", "handover",
    "handover_line", "handover_pending", "sale_cart", "taken_payment", "cart_hold",
    "command", "sequence", "day_close",
)
# Columns that name one item (a few rows over its life) or one parent's rows (a cart's
# holds), not a growing set.
ITEM_KEYS = {"serial", "cart_id"}
# Work in progress: rows in these states are the few not finished yet, whatever the
# history (a handover, a stocktake or a paid cart may outlive its day; the day close
# lists them). A search by ``state`` in these states only is bounded. Not tickets: a
# ticket belongs to its day, and a forced close leaves its held tickets there.
LIVE = {
    "handover": {"started", "counted", "reviewed"},
    "stocktake": {"open", "finished"},
    "sale_cart": {"open"},
}
_WORDS = {"where", "on", "join", "left", "inner", "cross", "order", "group", "limit",
          "using", "natural", "set", "values", "select", "as", "and", "or", "union", "having"}


@contextmanager
def capture() -> Iterator[list[str]]:
    """Every statement run on a SQLite connection opened inside the block."""
    seen: list[str] = []
    real = sqlite3.connect

    def connect(*args, **kwargs):
        con = real(*args, **kwargs)
        con.set_trace_callback(seen.append)
        return con

    sqlite3.connect = connect  # type: ignore[assignment]
    try:
        yield seen
    finally:
        sqlite3.connect = real  # type: ignore[assignment]


def statements(seen: list[str]) -> list[str]:
    """The data statements among ``seen`` (no BEGIN/COMMIT/PRAGMA, no trigger lines)."""
    out = []
    for sql in seen:
        head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if head in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            out.append(sql)
    return out


class Judge:
    """Plans of statements against one store file, judged for history tables."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = {r[0] for r in self.con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        self.history = [t for t in HISTORY if t in tables]
        self.keys: dict[str, set[str]] = {}
        self.unique: dict[str, list[str]] = {}
        for t in self.history:
            cols = {r[1]: r for r in self.con.execute(f"PRAGMA table_info({t})")}
            keys = {"rowid", *(c for c, r in cols.items() if r[5])} | (ITEM_KEYS & set(cols))
            for fk in self.con.execute(f"PRAGMA foreign_key_list({t})"):
                if fk[2] in HISTORY and fk[2] != t:
                    keys.add(fk[3])
            self.keys[t] = keys
            for ix in self.con.execute(f"PRAGMA index_list({t})"):
                self.unique[ix[1]] = ([r[2] for r in self.con.execute(
                    f"PRAGMA index_info('{ix[1]}')")] if ix[2] else [])

    def close(self) -> None:
        self.con.close()

    def aliases(self, sql: str) -> dict[str, str]:
        """alias -> table for every history table the statement names."""
        out = {}
        for m in re.finditer(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?",
                             sql, re.IGNORECASE):
            table, alias = m.group(1), m.group(2)
            if table not in self.history:
                continue
            out[table] = table
            if alias and alias.lower() not in _WORDS:
                out[alias] = table
        return out

    def unbounded(self, sql: str) -> list[str]:
        """The plan lines of ``sql`` that read a history table unbounded."""
        names = self.aliases(sql)
        if not names:
            return []
        plan = [r[3] for r in self.con.execute(f"EXPLAIN QUERY PLAN {sql}")]
        bad = []
        for line in plan:
            m = re.match(r"(SCAN|SEARCH) (\w+)(?: USING (.*))?$", line)
            if not m or m.group(2) not in names:
                continue
            table = names[m.group(2)]
            how = m.group(3) or ""
            if m.group(1) == "SCAN":
                if not self._newest_first(sql, table, m.group(2)):
                    bad.append(f"{line}  [{table}]")
                continue
            cond = re.search(r"\((.*)\)$", how)
            if cond is None:
                continue  # min/max: one probe
            cols = {re.split(r"[=<>]", c.strip())[0] for c in cond.group(1).split(" AND ")}
            equal = {re.split(r"=", c.strip())[0] for c in cond.group(1).split(" AND ")
                     if "=" in c and not any(x in c for x in "<>")}
            if "business_day" in equal or equal & self.keys[table]:
                continue
            if "state" in equal and self._live(sql, table):
                continue
            if any(c.strip().startswith("at>") for c in cond.group(1).split(" AND ")):
                continue  # the rows since a moment (today's): a time range, not history
            index = re.search(r"INDEX (\w+)", how)
            unique = self.unique.get(index.group(1), []) if index else []
            if unique and set(unique) <= equal:
                continue
            bad.append(f"{line}  [{table}: {sorted(cols)}]")
        return bad

    @staticmethod
    def _live(sql: str, table: str) -> bool:
        """Every state the statement names is a live one of ``table``."""
        named = set()
        for m in re.finditer(r"\bstate\s*(?:=\s*'(\w+)'|IN\s*\(([^)]*)\))", sql, re.IGNORECASE):
            named |= {m.group(1)} if m.group(1) else set(re.findall(r"'(\w+)'", m.group(2)))
        return bool(named) and named <= LIVE.get(table, set())

    @staticmethod
    def _newest_first(sql: str, table: str, alias: str) -> bool:
        """``FROM table ORDER BY key DESC LIMIT n`` with no condition: n rows read."""
        pattern = (rf"\bFROM\s+{table}(?:\s+(?:AS\s+)?{alias})?\s+ORDER\s+BY\s+\w+\s+DESC\s+"
                   r"LIMIT\b")
        return re.search(pattern, sql, re.IGNORECASE) is not None


def report(judge: Judge, seen: list[str]) -> list[tuple[str, list[str]]]:
    """``(statement, unbounded plan lines)`` for each statement that has any."""
    out = []
    for sql in dict.fromkeys(statements(seen)):
        bad = judge.unbounded(sql)
        if bad:
            out.append((sql, bad))
    return out
