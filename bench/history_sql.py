"""The history builder's bulk SQL: a template day's rows copied into later days.

Part of ``bench.history`` (which documents the method): every table with a
``business_day`` column is found from the schema, its ids moved past the template's,
its foreign keys with them and the dates in its text moved to the new day; the day's
audit rows appended, the day closed with the next Z number (``copy_days``), or one
day of another store grafted in (``graft_day``).
"""

from __future__ import annotations

import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SOURCES = ("supplier", "found")
# Tables whose numbers run per year (prefix, digits, sequence key): copies take new ones.
YEAR_NUMBERED = {"stock_document": ("SD", 6, "stockdoc"), "stocktake": ("PD", 5, "stocktake")}


@dataclass
class Table:
    name: str
    columns: list[tuple[str, str]]  # (name, declared type)
    pk: str | None  # a single INTEGER primary key, moved per copy
    refs: dict[str, str]  # column -> the per-day table its ids point into
    span: int = 0  # ids of the template day's rows are in (0, span]


def _day_tables(con: sqlite3.Connection, template: str, source: str = "main") -> list[Table]:
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    tables: dict[str, Table] = {}
    for name in names:
        if name in ("business_day", "audit_log", "day_close"):
            continue
        info = con.execute(f"PRAGMA table_info({name})").fetchall()
        cols = [(r[1], (r[2] or "").upper()) for r in info]
        if "business_day" not in {c for c, _t in cols}:
            continue
        pks = [r for r in info if r[5]]
        pk = pks[0][1] if len(pks) == 1 and "INT" in (pks[0][2] or "").upper() else None
        tables[name] = Table(name, cols, pk, {})
    for t in tables.values():
        for fk in con.execute(f"PRAGMA foreign_key_list({t.name})").fetchall():
            if fk[2] in tables and tables[fk[2]].pk:
                t.refs[fk[3]] = fk[2]
        for col, _type in t.columns:  # ids kept without a declared foreign key
            if col.endswith("_id") and col not in t.refs:
                target = col[:-3]
                if target in tables and tables[target].pk:
                    t.refs[col] = target
        if t.pk:
            t.span = con.execute(f"SELECT coalesce(max({t.pk}), 0) FROM {t.name}").fetchone()[0]
    # Parents before children (foreign keys are on in the services, not here; still tidy).
    ordered: list[Table] = []
    pending = dict(tables)
    while pending:
        for name, t in list(pending.items()):
            if all(r not in pending or r == name for r in t.refs.values()):
                ordered.append(t)
                del pending[name]
                break
        else:
            ordered.extend(pending.values())
            break
    return [t for t in ordered if con.execute(
        f"SELECT 1 FROM {source}.{t.name} WHERE business_day = ? LIMIT 1", (template,)
    ).fetchone()]


def _moved(col: str, ctype: str, t: Table, k: int, spans: dict[str, int]) -> str:
    if col == t.pk:
        return f"{col} + {k * t.span}"
    if col in t.refs:
        return f"{col} + {k * spans[t.refs[col]]}"
    if col == "business_day":
        return ":d"
    if col == "number" and t.name in YEAR_NUMBERED:  # numbered per year, not per day
        return (f"'{YEAR_NUMBERED[t.name][0]}' || substr(:d, 1, 4) || '-' || "
                f"printf('%0{YEAR_NUMBERED[t.name][1]}d', {t.pk} + {k * t.span})")
    if any(word in ctype for word in ("INT", "BOOL", "NUM", "REAL", "FLOAT", "BLOB")) \
            and "DATE" not in ctype:
        return col
    return f"replace(replace({col}, :t, :d), :tc, :dc)"


def copy_days(path: Path, template: date, count: int, *, progress: bool = True) -> None:
    """Copy the template day's rows onto the ``count`` days after it, each closed."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-200000")
    t = template.isoformat()
    tables = _day_tables(con, t)
    spans = {x.name: x.span for x in tables}
    audit_cols = [r[1] for r in con.execute("PRAGMA table_info(audit_log)")]
    close_cols = [r[1] for r in con.execute("PRAGMA table_info(day_close)")]
    day_cols = [r[1] for r in con.execute("PRAGMA table_info(business_day)")]
    first, last = con.execute("SELECT min(seq), max(seq) FROM audit_log WHERE business_day = ?",
                              (t,)).fetchone()
    base_z = con.execute("SELECT z_number FROM day_close WHERE business_day = ?",
                         (t,)).fetchone()[0]
    seq_keys = [r[0] for r in con.execute("SELECT key FROM sequence WHERE key LIKE ?",
                                          (f"%{t}",))]
    started = time.perf_counter()
    for k in range(1, count + 1):
        d = template + timedelta(days=k)
        p = {"t": t, "d": d.isoformat(), "tc": t.replace("-", ""),
             "dc": d.isoformat().replace("-", "")}
        con.execute("BEGIN")
        fresh = {"day": ":d", "state": "'open'", "closed_at": "NULL", "closed_by": "NULL",
                 "z_number": "NULL", "opened_at": "replace(opened_at, :t, :d)"}
        sel = ", ".join(fresh.get(c, c) for c in day_cols)
        con.execute(f"INSERT INTO business_day ({', '.join(day_cols)}) SELECT {sel} "
                    "FROM business_day WHERE day = :t", p)
        for x in tables:
            cols = [c for c, _ in x.columns]
            moved = [_moved(c, ty, x, k, spans) for c, ty in x.columns]
            sql = (f"INSERT INTO {x.name} ({', '.join(cols)}) SELECT {', '.join(moved)} "
                   f"FROM {x.name} WHERE business_day = :t")
            try:
                con.execute(sql, p)
            except sqlite3.Error as exc:
                raise RuntimeError(f"copying {x.name}: {exc}\n{sql}") from exc
        for key in seq_keys:
            con.execute("INSERT INTO sequence (key, value) SELECT replace(key, :t, :d), value "
                        "FROM sequence WHERE key = :k", {**p, "k": key})
        base = con.execute("SELECT max(seq) FROM audit_log").fetchone()[0] + 1
        shift = base - first
        asel = []
        for c in audit_cols:
            if c == "seq":
                asel.append(f"seq + {shift}")
            elif c == "hash":
                asel.append(f"printf('%064x', seq + {shift})")
            elif c == "prev_hash":
                asel.append(f"printf('%064x', seq + {shift} - 1)")
            elif c == "business_day":
                asel.append(":d")
            elif c in ("at", "payload", "entity_id"):
                asel.append(f"replace(replace({c}, :t, :d), :tc, :dc)")
            else:
                asel.append(c)
        con.execute(f"INSERT INTO audit_log ({', '.join(audit_cols)}) SELECT {', '.join(asel)} "
                    "FROM audit_log WHERE business_day = :t ORDER BY seq", p)
        head = last + shift
        prev_head = con.execute("SELECT audit_head_seq, audit_head_hash FROM day_close "
                                "ORDER BY z_number DESC LIMIT 1").fetchone()
        csel = []
        for c in close_cols:
            if c == "business_day":
                csel.append(":d")
            elif c == "z_number":
                csel.append(str(base_z + k))
            elif c == "audit_first_seq":
                csel.append(str(prev_head[0] + 1))
            elif c == "audit_head_seq":
                csel.append(str(head))
            elif c == "audit_head_hash":
                csel.append(f"printf('%064x', {head})")
            elif c == "prev_audit_head_hash":
                csel.append(f"'{prev_head[1]}'")
            elif c in ("closed_at", "report_json", "totals_json", "first_receipt",
                       "last_receipt", "blockers_json", "reason"):
                csel.append(f"replace(replace({c}, :t, :d), :tc, :dc)")
            else:
                csel.append(c)
        con.execute(f"INSERT INTO day_close ({', '.join(close_cols)}) SELECT {', '.join(csel)} "
                    "FROM day_close WHERE business_day = :t", p)
        con.execute("UPDATE business_day SET state = 'closed', z_number = :z, closed_by = "
                    "(SELECT closed_by FROM business_day WHERE day = :t), closed_at = "
                    "replace((SELECT closed_at FROM business_day WHERE day = :t), :t, :d) "
                    "WHERE day = :d", {**p, "z": base_z + k})
        con.execute("COMMIT")
        if progress and (k % 30 == 0 or k == count):
            print(f"  copied {k}/{count} days ({time.perf_counter() - started:.0f} s)",
                  file=sys.stderr, flush=True)
    con.execute("INSERT INTO sequence (key, value) VALUES ('z', :z) "
                "ON CONFLICT(key) DO UPDATE SET value = :z", {"z": base_z + count})
    _settle(con)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _settle(con: sqlite3.Connection) -> None:
    """After bulk copies: the per-year number series past the numbers used, and every
    stock balance equal to its ledger again (the copies moved counted goods only)."""
    for table, (prefix, _digits, key) in YEAR_NUMBERED.items():
        for year, top in con.execute(
                f"SELECT substr(number, 3, 4), max(CAST(substr(number, 8) AS INTEGER)) "
                f"FROM {table} WHERE number LIKE '{prefix}%' GROUP BY 1").fetchall():
            con.execute("INSERT INTO sequence (key, value) VALUES (:k, :v) ON CONFLICT(key) "
                        "DO UPDATE SET value = max(value, :v)", {"k": f"{key}:{year}", "v": top})
    # Balances equal to the ledger again (the copies moved counted goods only).
    ledger = ("coalesce((SELECT sum(quantity) FROM stock_move m WHERE m.sku = b.sku AND "
              "m.to_place = b.place), 0) - coalesce((SELECT sum(quantity) FROM stock_move m "
              "WHERE m.sku = b.sku AND m.from_place = b.place), 0)")
    sources = ", ".join(f"'{s}'" for s in SOURCES)
    con.execute(f"UPDATE stock_balance AS b SET quantity = {ledger} "
                f"WHERE place NOT IN ({sources})")


def graft_day(path: Path, source: Path, day: date) -> None:
    """Copy ``day``'s rows of the store ``source`` into the store ``path`` (the same day,
    open in both; ids, foreign keys and per-year numbers moved past ``path``'s own, audit
    rows appended): ``bench.closing``'s busy day, written once by the services on a short
    history, laid on a long one."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("ATTACH DATABASE ? AS src", (str(source),))
    d = day.isoformat()
    tables = _day_tables(con, d, "src")
    spans = {x.name: x.span for x in tables}
    p = {"t": d, "d": d, "tc": d.replace("-", ""), "dc": d.replace("-", "")}
    con.execute("BEGIN")
    for x in tables:
        cols = [c for c, _ in x.columns]
        moved = [_moved(c, ty, x, 1, spans) for c, ty in x.columns]
        con.execute(f"INSERT INTO main.{x.name} ({', '.join(cols)}) SELECT {', '.join(moved)} "
                    f"FROM src.{x.name} WHERE business_day = :t", p)
    con.execute("INSERT INTO main.sequence (key, value) SELECT key, value FROM src.sequence "
                "WHERE key LIKE :like ON CONFLICT(key) DO UPDATE SET value = max(value, "
                "excluded.value)", {"like": f"%{d}"})
    audit_cols = [r[1] for r in con.execute("PRAGMA main.table_info(audit_log)")]
    shift = con.execute("SELECT max(seq) FROM main.audit_log").fetchone()[0] - con.execute(
        "SELECT min(seq) FROM src.audit_log WHERE business_day = :t", p).fetchone()[0] + 1
    sel = [f"seq + {shift}" if c == "seq" else f"printf('%064x', seq + {shift})" if c == "hash"
           else f"printf('%064x', seq + {shift} - 1)" if c == "prev_hash" else c
           for c in audit_cols]
    con.execute(f"INSERT INTO main.audit_log ({', '.join(audit_cols)}) SELECT {', '.join(sel)} "
                "FROM src.audit_log WHERE business_day = :t ORDER BY seq", p)
    con.execute("COMMIT")
    _settle(con)
    con.execute("DETACH DATABASE src")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


# -- step 3 and the whole -----------------------------------------------------------
