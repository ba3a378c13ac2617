"""SQLite, the embedded default: its connections, its locking, its errors, its DDL.

A write takes SQLite's write lock with ``BEGIN IMMEDIATE`` (so two processes never
both read-then-write the same counter), without SQLite's own busy handler: that
handler sleeps in steps of up to 100 ms with no fairness, which gave a p99 of 93 ms
at 8 processes against 1.5 ms raw. ``Store.transact`` retries a refused ``BEGIN``
itself with short jittered pauses (``pause``), and only a store that stays busy past
its deadline becomes ``StoreUnavailable`` (exit 75). Reads use deferred ``BEGIN``: in
WAL mode they never block writers and are never blocked by them.
"""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hallterm.errors import BadInput, Refused, StoreUnavailable
from hallterm.i18n import _
from hallterm.store.gate import Gate

BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
READ_BUSY_MS = 10_000  # a reader waits in SQLite's handler only for a WAL recovery


class SqliteDriver:
    """What the store needs to know about SQLite (one store file)."""

    name = "sqlite"
    Error = sqlite3.Error
    tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    table_sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)

    def connect(self, *, write: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.path}", uri=True, check_same_thread=False,
                               timeout=0, isolation_level=None)
        # Writers never sleep in SQLite's busy handler (``pause`` retries instead).
        conn.execute(f"PRAGMA busy_timeout={0 if write else READ_BUSY_MS}")
        if write and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def gate(self) -> Gate | None:
        """A write connection's handle on the writers' gate (``hallterm.store.gate``)."""
        return Gate(self.path.with_name(self.path.name + ".writers"))

    def begin(self, conn: sqlite3.Connection, *, write: bool) -> None:
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def translate(self, sql: str) -> str:
        return sql  # sqlite3 takes ``:name`` parameters as they are

    def retryable(self, exc: BaseException) -> bool:
        return is_busy(exc)

    def pause(self, attempt: int) -> None:
        """Wait before trying ``BEGIN IMMEDIATE`` again: short, growing, jittered.

        A write holds the lock for about a millisecond; waking often (50 us, growing
        to 1 ms) gets the lock soon after it is free, and the jitter keeps waiters
        from waking together.
        """
        time.sleep(min(0.001, 0.00005 * 1.5 ** min(attempt, 8)) * (0.5 + random.random()))

    def unavailable(self, exc: BaseException) -> BaseException:
        """The user-facing error for a store that cannot be used; a SQL bug stays itself."""
        text = str(getattr(exc, "orig", exc))
        path = self.path
        if is_busy(exc):
            return StoreUnavailable(
                _("The store is busy; try again in a moment ({path}).").format(path=path))
        if "readonly" in text.replace(" ", "").lower():
            return StoreUnavailable(
                _("The store is read-only (its file or its folder): {path}").format(path=path))
        if "unable to open" in text.lower():
            return StoreUnavailable(_("Cannot open the store: {path}").format(path=path))
        message = day_lock_message(exc)
        if message:
            return Refused(message)
        lowered = text.lower()
        if any(word in lowered for word in ("disk i/o", "disk is full", "malformed",
                                             "not a database", "out of memory")):
            return StoreUnavailable(
                _("The store cannot be used ({error}): {path}").format(error=text, path=path))
        # Anything else (no such column, syntax error) is a bug: it must surface as
        # one, logged with its traceback, not pass for a busy store that cron retries.
        return exc

    def sqlalchemy_engine(self, *, write: bool) -> Any:
        """A SQLAlchemy engine on the file, for Alembic (migrations) only."""
        from sqlalchemy import event
        from sqlalchemy.engine import create_engine

        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(f"file:{self.path}", uri=True,
                                            check_same_thread=False, timeout=0),
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None
            dbapi_conn.execute(f"PRAGMA busy_timeout={20_000 if write else READ_BUSY_MS}")
            if write and dbapi_conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA foreign_keys=ON")
            dbapi_conn.execute("PRAGMA synchronous=FULL")

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    # -- SQL that differs between the engines (``PostgresDriver`` has the same names) --
    @staticmethod
    def seconds_between(start: str, end: str) -> str:
        """SQL for the seconds (a float) from timestamp ``start`` to ``end``: ISO text
        columns or expressions."""
        return f"((julianday({end}) - julianday({start})) * 86400.0)"

    @staticmethod
    def joined(expr: str, separator: str, order: str) -> str:
        """SQL aggregate: ``expr`` of the group's rows joined by ``separator`` (a SQL
        literal), in ``order`` (SQLite's group_concat follows the scan: the key's)."""
        return f"group_concat({expr}, {separator})"

    @staticmethod
    def key_columns(conn: Any, table: str) -> list[str]:
        """``table``'s primary key columns in key order (``rowid`` when it has none)."""
        rows = conn.execute(f"PRAGMA main.table_info({table})").all()
        key = [r[1] for r in sorted((r for r in rows if r[5]), key=lambda r: r[5])]
        return key or ["rowid"]

    @staticmethod
    def insertion_order(conn: Any, table: str) -> str:
        """SQL for a row's place in the order ``table``'s rows were added (the audit
        seals' bound for rows older than the seals): SQLite's ``rowid``."""
        return "rowid"


def is_busy(exc: BaseException) -> bool:
    """Whether an exception is SQLite saying another connection holds the lock."""
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in BUSY_CODES
        text = str(orig).lower()
        return "locked" in text or "busy" in text
    return False


def day_lock_message(exc: BaseException) -> str | None:
    """The user's words for a refusal by the store's own triggers (either engine)."""
    text = str(getattr(exc, "orig", exc))
    if "hallterm: business day closed" in text:
        return _("That business day is closed and locked; nothing in it can change.")
    if "hallterm: stock balance differs from the ledger" in text:
        return _("A stock balance changes only with a stock document.")
    if "hallterm: audit log is append-only" in text:
        return _("The audit log cannot be changed.")
    return None


SQLITE_HEADER = b"SQLite format 3\x00"


def check_store_file(path: Path, *, missing_ok: bool = False) -> None:
    """Refuse early, with one clear line, a store path that cannot be a store.

    Looks with ``os.stat`` before anything opens the path: a FIFO would block the
    open for ever, a folder or a device is no store. A file that is not an SQLite
    database (a truncated copy, a text file) is "not a HallTerm store" (exit 2), said
    before SQLite reports it halfway through a command. ``missing_ok``: for ``init``.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if missing_ok:
            return
        raise BadInput(
            _("No store at {path}; create it with: hallterm init --store {path}").format(
                path=path
            )
        ) from None
    except OSError as exc:
        raise BadInput(_("Cannot open the store {path}: {error}").format(
            path=path, error=exc.strerror or type(exc).__name__)) from None
    if stat.S_ISDIR(info.st_mode):
        raise BadInput(_("The store path is a folder, not a file: {path}").format(path=path))
    if not stat.S_ISREG(info.st_mode):
        raise BadInput(_("The store path is not a regular file (a pipe or a device): "
                         "{path}").format(path=path))
    if info.st_size == 0:
        return  # an empty file: init makes it a store; opening it says "not a HallTerm store"
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise BadInput(_("Cannot open the store {path}: {error}").format(
            path=path, error=exc.strerror or type(exc).__name__)) from None
    if head != SQLITE_HEADER or info.st_size < 512:
        raise BadInput(_("{path} is not a HallTerm store (not an SQLite database).").format(
            path=path))


def day_lock_sql(table: str, column: str = "business_day",
                 keys: Sequence[Sequence[str]] = ()) -> list[str]:
    """Triggers that make every row of a closed business day unchangeable.

    Migrations add these for every table whose rows belong to a business day, so
    not even a bug in a service, or someone with ``sqlite3`` on the store file, can
    change a closed day. The new row is checked as well as the old one (an UPDATE
    cannot move a row *into* a closed day), and ``keys`` (the table's primary and
    unique keys, see ``unique_keys``) make an INSERT refuse to land on a closed
    day's row: ``INSERT OR REPLACE`` deletes the row it conflicts with without
    firing any DELETE trigger (unless a connection turns ``recursive_triggers`` on,
    which an attacker's connection does not), so the INSERT itself must refuse.
    """
    def closed(row: str, alias: str | None = None) -> str:
        ref = f"{alias}.{column}" if alias else f"{row}.{column}"
        return f"(SELECT state FROM business_day WHERE day = {ref}) = 'closed'"

    insert = [closed("NEW")]
    for cols in keys:
        match = " AND ".join(f"x.{c} = NEW.{c}" for c in cols)
        insert.append(f"EXISTS (SELECT 1 FROM {table} AS x WHERE {match} AND {closed('', 'x')})")
    conditions = {
        "INSERT": " OR ".join(insert),
        "UPDATE": f"{closed('OLD')} OR {closed('NEW')}",
        "DELETE": closed("OLD"),
    }
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_closed_day_{op.lower()} "
        f"BEFORE {op} ON {table} WHEN {cond} "
        f"BEGIN SELECT RAISE(ABORT, 'hallterm: business day closed'); END"
        for op, cond in conditions.items()
    ]


def drop_day_lock_sql(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_closed_day_{op}" for op in ("insert", "update", "delete")
    ]


def unique_keys(conn: Any, table: str) -> list[tuple[str, ...]]:
    """The column sets an INSERT OR REPLACE into ``table`` can conflict on (PK, UNIQUE).

    ``conn`` is anything with ``exec_driver_sql`` (a SQLAlchemy connection).
    """
    info = conn.exec_driver_sql(f"PRAGMA table_info({table})").all()
    pk = tuple(r.name for r in sorted((r for r in info if r.pk), key=lambda r: r.pk))
    keys = [pk] if pk else []
    for index in conn.exec_driver_sql(f"PRAGMA index_list({table})").all():
        if not index.unique:
            continue
        cols = tuple(r.name for r in conn.exec_driver_sql(
            f"PRAGMA index_info('{index.name}')").all())
        if cols and None not in cols and cols not in keys:
            keys.append(cols)
    return keys


_CLOSED = "(SELECT state FROM business_day WHERE day = {day}) = 'closed'"
_ABORT = "BEGIN SELECT RAISE(ABORT, 'hallterm: {why}'); END"
SOURCE_PLACES = ("supplier", "found")  # services.stock.SOURCES: stock enters from them
# services.stock: SOLD and WRITE_OFF_PLACES, where stock leaves the hall. Their balance
# is a running count whose ledger grows with every sale for ever; from migration
# 0014sinks the triggers leave them to ``stock verify`` and the audit rows' seals.
SINK_PLACES = ("sold", "damaged", "lost", "returned")


def closed_books_sql(exempt: Sequence[str] = SOURCE_PLACES) -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER) for the rows outside the per-table day lock.

    - ``business_day``: a closed day cannot be inserted again (``INSERT OR REPLACE``
      would reopen it) and a day cannot be opened on or before the last closed one.
    - ``sequence``: a counter scoped to a day (``receipt:2026-11-25``) is frozen
      once that day is closed.
    - ``audit_log``: a row cannot replace another (``INSERT OR REPLACE`` on a seq)
      and no row is written into a closed day.
    - ``stock_balance``: a balance always equals its ledger (``stock_move``), whose
      closed-day rows are locked; so a balance changes only with a ledger row in an
      open day.
    """
    closed_day = _ABORT.format(why="business day closed")
    seq_day = "substr({row}.key, -10)"
    ledger = (
        "COALESCE((SELECT SUM(quantity) FROM stock_move WHERE sku = {r}.sku AND "
        "to_place = {r}.place), 0) - COALESCE((SELECT SUM(quantity) FROM stock_move "
        "WHERE sku = {r}.sku AND from_place = {r}.place), 0)"
    )
    sources = ", ".join(f"'{p}'" for p in exempt)
    unbalanced = _ABORT.format(why="stock balance differs from the ledger")
    return [
        ("business_day_closed_insert",
         "CREATE TRIGGER business_day_closed_insert BEFORE INSERT ON business_day "
         "WHEN NEW.day <= (SELECT max(day) FROM business_day WHERE state = 'closed') "
         f"OR NEW.state != 'open' {closed_day}"),
        ("sequence_closed_day_insert",
         "CREATE TRIGGER sequence_closed_day_insert BEFORE INSERT ON sequence WHEN "
         f"{_CLOSED.format(day=seq_day.format(row='NEW'))} {closed_day}"),
        ("sequence_closed_day_update",
         "CREATE TRIGGER sequence_closed_day_update BEFORE UPDATE ON sequence WHEN "
         f"{_CLOSED.format(day=seq_day.format(row='OLD'))} OR "
         f"{_CLOSED.format(day=seq_day.format(row='NEW'))} {closed_day}"),
        ("sequence_closed_day_delete",
         "CREATE TRIGGER sequence_closed_day_delete BEFORE DELETE ON sequence WHEN "
         f"{_CLOSED.format(day=seq_day.format(row='OLD'))} {closed_day}"),
        ("audit_log_no_replace",
         "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log WHEN EXISTS "
         "(SELECT 1 FROM audit_log WHERE seq = NEW.seq) "
         + _ABORT.format(why="audit log is append-only")),
        ("audit_log_closed_day_insert",
         "CREATE TRIGGER audit_log_closed_day_insert BEFORE INSERT ON audit_log WHEN "
         f"{_CLOSED.format(day='NEW.business_day')} {closed_day}"),
        ("stock_balance_ledger_insert",
         "CREATE TRIGGER stock_balance_ledger_insert BEFORE INSERT ON stock_balance WHEN "
         f"NEW.place NOT IN ({sources}) AND NEW.quantity != {ledger.format(r='NEW')} "
         f"{unbalanced}"),
        ("stock_balance_ledger_update",
         "CREATE TRIGGER stock_balance_ledger_update BEFORE UPDATE ON stock_balance WHEN "
         f"NEW.place NOT IN ({sources}) AND NEW.quantity != {ledger.format(r='NEW')} "
         f"{unbalanced}"),
        ("stock_balance_ledger_delete",
         "CREATE TRIGGER stock_balance_ledger_delete BEFORE DELETE ON stock_balance WHEN "
         f"OLD.place NOT IN ({sources}) AND 0 != {ledger.format(r='OLD')} {unbalanced}"),
    ]


def raw_connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, for tools and tests that bypass the store."""
    return sqlite3.connect(path)
