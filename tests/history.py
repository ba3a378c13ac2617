"""A store with many past business days, built fast (the hot-path plan test, the figures).

One template day is worked through the real services (tickets through every state, a
sale with stock, cash moves) and closed with ``day close --force`` while counter 1
still holds a serving and a parked ticket. Its rows are then copied with plain SQL
into every day up to yesterday (``reps`` copies a day), each day opened before its
rows go in and closed after — so the day-lock triggers see what the app would have
written, and the app sees every one of them as a past, closed day. Today is opened
through the service, as a hall manager does each morning.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from hallterm.services import cash, catalog, queue, sales, stock
from hallterm.services.sales import PaymentIn
from hallterm.services.stock import LineIn
from tests.conftest import T0, Hall, make_hall
from tests.sales_fixtures import HANDSETS, PIN, ROOT, SIMS, item_line

# Rows keyed by their day that are not copied: the day itself and its close are written
# by hand below; ``sequence`` is keyed by text that carries the day.
_SPECIAL = {"business_day", "day_close"}


@dataclass
class History:
    """A hall with ``days`` closed days behind today (``T0``), counter 1 kept by 8004."""

    hall: Hall
    days: int
    template: date
    sales: object  # ctx acting as 8004, keeper of counter 1
    guide: object  # ctx acting as 8010 (reception)


def _work_a_day(h: Hall, clerk, guide) -> None:
    """Tickets through every state, a sale with stock and cash, a cash move."""
    slips = [queue.issue_ticket(guide, service="A") for _ in range(6)]
    queue.issue_ticket(guide, service="A", priority="vip")
    for _ in range(3):
        queue.call_next(clerk, counter=1)
        queue.start_serving(clerk, counter=1)
        queue.finish(clerk, counter=1)
    queue.call_next(clerk, counter=1)
    queue.recall(clerk, counter=1)
    queue.transfer(guide, number=slips[5].number, service="B", reason="wrong line")
    queue.start_serving(clerk, counter=1)
    lines = [item_line(clerk, "ACC-CASE"), item_line(clerk, "HS-HW-M60", serial=HANDSETS[0])]
    total = sales.cart_total(lines)
    visit = queue.current_visit(clerk, counter=1)
    sales.complete_sale(clerk, counter=1, visit_id=visit, lines=lines,
                        payments=[PaymentIn("cash", total, total + 1000)])
    queue.park(clerk, counter=1, reason="fetching ID")
    queue.call_next(clerk, counter=1)
    queue.start_serving(clerk, counter=1)  # left serving, another parked: the forced close
    cash.move_cash(clerk, counter=1, kind="out", reason="bank_drop", amount_fen=1000)


def build(tmp_path: Path, *, weeks: int = 4, reps: int = 1) -> History:
    """A store whose template day is ``weeks`` weeks before ``T0`` (the same weekday),
    every day since then closed, and today open."""
    start = T0 - timedelta(days=7 * weeks)
    h = make_hall(tmp_path, at=start)
    catalog.load_catalog(h.manager, path=ROOT / "data" / "catalog.toml")
    keeper = h.add("8008", "warehouse")
    clerk = h.add("8004", "sales")
    guide = h.add("8010", "guide")
    stock.receive(keeper, document_no="DN-H1", supplier="GD Devices",
                  lines=[LineIn("HS-HW-M60", s) for s in HANDSETS]
                  + [LineIn("SIM-5G", s) for s in SIMS]
                  + [LineIn("ACC-CASE", None, 50)])
    queue.set_counter_state(h.manager, counter=1, state="open", clerk="8004")
    from hallterm.services.staff import confirm_person

    stock.issue(keeper, counter=1, receiver=confirm_person(keeper, empno="8004", pin=PIN),
                lines=[LineIn("HS-HW-M60", s) for s in HANDSETS[:3]]
                + [LineIn("ACC-CASE", None, 20)])
    _work_a_day(h, clerk, guide)
    from hallterm.services.day import closing

    closing.close_day(h.manager, force=True, reason="history builder",
                      reports_dir=tmp_path / "reports")
    template = start.date()
    _copy_days(h.path, template, T0.date(), reps)
    h.clock.set(T0)
    from hallterm.services.day import open_day

    open_day(h.manager)
    return History(h, (T0.date() - template).days, template, clerk, guide)


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]


def _copy_days(path: Path, template: date, today: date, reps: int) -> None:
    """Copy the template day's rows into every day after it up to yesterday."""
    con = sqlite3.connect(path, isolation_level=None)
    con.row_factory = sqlite3.Row
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    dayed = [t for t in tables if "business_day" in _columns(con, t) and t not in _SPECIAL]
    t = template.isoformat()
    # Rows of a copy point at the copy's parents: a parent's ids move by ``k * span``.
    fks = {table: {r[3]: r[2] for r in con.execute(f"PRAGMA foreign_key_list({table})")}
           for table in dayed}
    spans: dict[str, tuple[str, int]] = {}
    for table in dayed:
        info = {r[1]: r for r in con.execute(f"PRAGMA table_info({table})")}
        pk = [c for c, r in info.items() if r[5]]
        if len(pk) == 1 and info[pk[0]][2].upper() == "INTEGER":
            lo, hi, n = con.execute(f"SELECT min({pk[0]}), max({pk[0]}), count(*) FROM "
                                    f"{table} WHERE business_day = :t", {"t": t}).fetchone()
            top = con.execute(f"SELECT max({pk[0]}) FROM {table}").fetchone()[0]
            if n and n == hi - lo + 1 and top == hi:
                spans[table] = (pk[0], hi - lo + 1)
    plans = []
    for table in dayed:
        cols = _columns(con, table)
        info = {r[1]: r for r in con.execute(f"PRAGMA table_info({table})")}
        pk = [c for c in cols if info[c][5]]
        rowid_pk = len(pk) == 1 and info[pk[0]][2].upper() == "INTEGER"
        uniq = {cols_[0] for cols_ in _text_keys(con, table, info, within_day=reps > 1)}
        out = []
        for c in cols:
            if c == "business_day":
                out.append((c, ":d"))
            elif table in spans and c == spans[table][0]:
                out.append((c, f"{c} + :k * {spans[table][1]}"))
            elif rowid_pk and c == pk[0]:
                continue
            elif fks[table].get(c) in spans:
                out.append((c, f"{c} + :k * {spans[fks[table][c]][1]}"))
            elif c in uniq:
                out.append((c, f"{c} || :tag"))
            else:
                out.append((c, c))
        names = ", ".join(c for c, _ in out)
        values = ", ".join(v for _, v in out)
        plans.append(f"INSERT INTO {table} ({names}) SELECT {values} FROM {table} "
                     "WHERE business_day = :t ORDER BY 1")
    day_row = con.execute("SELECT * FROM business_day WHERE day = :t",
                          {"t": template.isoformat()}).fetchone()
    close_row = con.execute("SELECT * FROM day_close WHERE business_day = :t",
                            {"t": template.isoformat()}).fetchone()
    seq_rows = con.execute("SELECT key, value FROM sequence WHERE key LIKE :k",
                           {"k": f"%{template.isoformat()}"}).fetchall()
    con.execute("BEGIN")
    day = template + timedelta(days=1)
    n = 1
    while day < today:
        d = day.isoformat()
        con.execute("INSERT INTO business_day (day, state, opened_at, opened_by) "
                    "VALUES (:d, 'open', :at, :by)",
                    {"d": d, "at": day_row["opened_at"], "by": day_row["opened_by"]})
        for rep in range(reps):
            for sql in plans:
                con.execute(sql, {"d": d, "t": t, "k": (n - 1) * reps + rep + 1,
                                  "tag": f".{d}.{rep}"})
        for r in seq_rows:
            con.execute("INSERT INTO sequence (key, value) VALUES (:k, :v)",
                        {"k": r["key"].replace(template.isoformat(), d), "v": r["value"]})
        row = dict(close_row)
        row.update(business_day=d, z_number=close_row["z_number"] + n)
        con.execute(f"INSERT INTO day_close ({', '.join(row)}) VALUES "
                    f"({', '.join(':' + k for k in row)})", row)
        con.execute("UPDATE business_day SET state = 'closed', closed_at = :at, closed_by = "
                    ":by, z_number = :z WHERE day = :d",
                    {"at": day_row["closed_at"], "by": day_row["closed_by"],
                     "z": close_row["z_number"] + n, "d": d})
        day += timedelta(days=1)
        n += 1
    # The copies moved stock without touching balances: a balance is its ledger.
    con.execute(
        "UPDATE stock_balance SET quantity = coalesce((SELECT sum(quantity) FROM stock_move m "
        "WHERE m.sku = stock_balance.sku AND m.to_place = stock_balance.place), 0) - "
        "coalesce((SELECT sum(quantity) FROM stock_move m WHERE m.sku = stock_balance.sku "
        "AND m.from_place = stock_balance.place), 0) WHERE place NOT IN ('supplier', 'found')")
    con.execute("COMMIT")
    con.close()


def _text_keys(con, table: str, info, *, within_day: bool) -> list[tuple[str, ...]]:
    """UNIQUE keys without ``business_day`` (copies must differ there; with it too when a
    day gets several copies): the first text column of each, which a copy suffixes."""
    out = []
    for index in con.execute(f"PRAGMA index_list({table})").fetchall():
        if not index[2]:
            continue
        cols = [r[2] for r in con.execute(f"PRAGMA index_info('{index[1]}')")]
        if "business_day" in cols and not within_day:
            continue
        text = [c for c in cols if c and ("CHAR" in info[c][2].upper() or info[c][2] == "")]
        if text:
            out.append((text[0],))
    return out


def at_day(days_ago: int) -> datetime:
    """10:00 ``days_ago`` days before today (``T0``)."""
    return T0 - timedelta(days=days_ago)
