"""PostgreSQL: what differs from SQLite (issue 15), through psycopg 3.

A hall whose counters are separate machines keeps its store on a PostgreSQL server,
named by a ``postgresql://user@host/database`` URL (never with a password: libpq's
``~/.pgpass``, ``PGPASSWORD`` or a service file give it; docs/operations/postgresql.md).

- SQL text keeps SQLite's ``:name`` parameters; ``translate`` turns them into psycopg's
  ``%(name)s`` once per statement text (cached), leaving ``::casts``, string literals,
  quoted names and comments alone, and doubling a literal ``%``.
- DATE columns load as their ISO text and BOOLEAN as 0/1, the values SQLite gives, so
  fingerprints, exports and hashes are the same bytes on both engines.
- A write is ``BEGIN`` (READ COMMITTED) and one transaction-level advisory lock, in one
  round trip: the audit chain has one writer at a time, as with SQLite's ``BEGIN
  IMMEDIATE``, and a counter row updated with ``UPDATE … RETURNING`` stays gapless. A
  serialization failure or a deadlock (SQLSTATE 40001, 40P01) runs the unit of work
  again (``Store.transact``); a clerk never sees one.
- A read is a ``REPEATABLE READ`` transaction: one snapshot for all its statements.
- Failures become the user's one line: a trigger's ``hallterm: …`` text the same words
  as on SQLite; a server that cannot be reached "unavailable" (exit 75); a database
  that does not exist or a login refused, a bad setting (exit 2).
"""

from __future__ import annotations

import functools
import random
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from hallterm.errors import BadInput, Refused, StoreUnavailable
from hallterm.i18n import _
from hallterm.store.sqlite import day_lock_message

RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
WRITE_LOCK = 0x48414C4C  # "HALL": every write transaction's advisory lock (migrations' too)
CONNECT_TIMEOUT_S = 10  # unless the URL says otherwise: a counter never hangs on a dead server
_KEY_COLUMNS_SQL = (
    "SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_index i "
    "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
    "WHERE i.indrelid = to_regclass(:t) AND i.indisprimary "
    "ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)")
_INTEGERS = ("smallint", "integer", "bigint")
UNAVAILABLE_SQLSTATES = frozenset({
    "25006",  # read-only transaction: a standby server
    "53100", "53200", "53300",  # disk full, out of memory, too many connections
    "57P01", "57P02", "57P03",  # shut down, crashed, starting up
})

_TOKENS = re.compile(r"""
    (?P<literal>'(?:[^']|'')*')            # a string literal ('' inside)
  | (?P<ident>"(?:[^"]|"")*")              # a quoted name
  | (?P<comment>--[^\n]*|/\*.*?\*/)        # comments
  | (?P<cast>::)                           # a cast, not a parameter
  | :(?P<param>[A-Za-z_][A-Za-z0-9_]*)     # :name
  | (?P<percent>%)                         # psycopg's own marker: doubled
""", re.VERBOSE | re.DOTALL)


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """``:name`` → ``%(name)s`` (and ``%`` → ``%%``), once per statement text."""

    def sub(match: re.Match[str]) -> str:
        if match.group("param"):
            return f"%({match.group('param')})s"
        if match.group("percent"):
            return "%%"
        text = match.group(0)
        # psycopg reads the whole text, literals included: a % there is doubled too.
        return text if match.group("cast") else text.replace("%", "%%")

    return _TOKENS.sub(sub, sql)


def libpq_url(location: str) -> str:
    """The URL as libpq reads it (SQLAlchemy's ``postgresql+psycopg://`` spelling too)."""
    return re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", location)


def shown(location: str) -> str:
    """The URL for messages: a password, should one have come this far, is masked."""
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def database_name(location: str) -> str:
    """The database a URL names (libpq's default: the user's name), fit for a folder name."""
    parts = urlsplit(location)
    query = parse_qs(parts.query)
    name = unquote(parts.path.lstrip("/")) or (query.get("dbname") or [""])[0]
    if not name:
        name = unquote(parts.username or "") or (query.get("user") or [""])[0]
    if not name:
        import getpass

        name = getpass.getuser()
    # A folder name: nothing that climbs out of the data folder.
    return name.replace("/", "_").replace("\\", "_").lstrip(".") or "postgresql"


def local_folder(location: str) -> Path:
    """Where this machine keeps what belongs beside the store (reports, receipts, the
    secret when none is beside the configuration): the data folder's
    ``postgresql/<database>/``."""
    from hallterm import paths

    return paths.data_dir() / "postgresql" / database_name(location)


class PostgresDriver:
    """What the store needs to know about PostgreSQL (one database of a server)."""

    name = "postgresql"
    tables_sql = ("SELECT table_name FROM information_schema.tables "
                  "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
    table_sql = "SELECT 1 WHERE to_regclass(:name) IS NOT NULL"

    def __init__(self, location: str) -> None:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        self.Error = psycopg.Error
        self.url = libpq_url(location)
        self.location = shown(location)
        self.folder = local_folder(location)
        try:
            given = conninfo_to_dict(self.url)
        except psycopg.ProgrammingError as exc:  # a URL libpq cannot read
            raise BadInput(_("Not a PostgreSQL URL: {url} ({error})").format(
                url=self.location, error=first_line(exc))) from None
        self._options: dict[str, Any] = {"application_name": "hallterm"}
        if "connect_timeout" not in given:
            self._options["connect_timeout"] = CONNECT_TIMEOUT_S

    def connect(self, *, write: bool) -> Any:
        """A psycopg connection, autocommit at the driver (``begin`` says BEGIN),
        DATE read as ISO text and BOOLEAN as 0/1.

        A write connection makes the session's ``hallterm_touched`` table, where the
        schema's triggers note the rows each write touches for its audit seal
        (``services/audit/rows.py``): made here, outside any transaction, so a rolled
        back write cannot take it away; emptied at every commit.
        """
        import psycopg

        conn = psycopg.connect(self.url, autocommit=True, **self._options)
        sqlite_values(conn.adapters)
        if write:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS hallterm_touched "
                         "(tbl text NOT NULL, k text NOT NULL) ON COMMIT DELETE ROWS")
        return conn

    @staticmethod
    def alive(conn: Any) -> bool:
        """Whether a pooled connection can still be used (False once the server
        dropped it: psycopg marks it closed or broken at the first failure)."""
        return not (conn.closed or getattr(conn, "broken", False))

    def begin(self, conn: Any, *, write: bool) -> None:
        if write:
            conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        else:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")

    def translate(self, sql: str) -> str:
        return translate(sql)

    def retryable(self, exc: BaseException) -> bool:
        """A serialization failure or a deadlock: the whole unit of work runs again."""
        return getattr(exc, "sqlstate", None) in RETRY_SQLSTATES

    def pause(self, attempt: int) -> None:
        """Wait before running the unit of work again: short, growing, jittered."""
        time.sleep(min(0.05, 0.001 * 2 ** attempt) * (0.5 + random.random()))

    def unavailable(self, exc: BaseException) -> BaseException:
        """The user-facing error for a PostgreSQL failure, or ``exc`` itself (a bug)."""
        return unavailable(exc, self.location)

    def sqlalchemy_engine(self, *, write: bool) -> Any:
        """A SQLAlchemy engine on the database, for Alembic (migrations) only: a write
        engine's transactions take the advisory lock too (two ``init`` at once)."""
        import psycopg
        from sqlalchemy import event
        from sqlalchemy.engine import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine("postgresql+psycopg://", poolclass=NullPool,
                               creator=lambda: psycopg.connect(self.url, **self._options))
        if write:
            @event.listens_for(engine, "begin")
            def _on_begin(conn) -> None:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

        return engine

    # -- SQL that differs between the engines (``SqliteDriver`` has the same names) --
    @staticmethod
    def seconds_between(start: str, end: str) -> str:
        """SQL for the seconds (a float) from timestamp ``start`` to ``end``: ISO text
        columns or expressions."""
        return (f"CAST(EXTRACT(EPOCH FROM (CAST({end} AS timestamptz) - "
                f"CAST({start} AS timestamptz))) AS double precision)")

    @staticmethod
    def joined(expr: str, separator: str, order: str) -> str:
        """SQL aggregate: ``expr`` of the group's rows joined by ``separator`` (a SQL
        literal), in ``order``."""
        return f"string_agg({expr}, {separator} ORDER BY {order})"

    def key_columns(self, conn: Any, table: str) -> list[str]:
        """``table``'s primary key columns in key order."""
        return [name for name, _type in self._key(conn, table)]

    def insertion_order(self, conn: Any, table: str) -> str:
        """SQL for a row's place in the order ``table``'s rows were added (the audit
        seals' bound for rows older than them): an integer key (SQLite's rowid is that
        key, so a store copied from SQLite keeps its bound); ``NULL`` (not known, no
        row exempt) for a table keyed otherwise."""
        key = self._key(conn, table)
        return key[0][0] if len(key) == 1 and key[0][1] in _INTEGERS else "NULL"

    def _key(self, conn: Any, table: str) -> list[tuple[str, str]]:
        # Read once per store: the schema is this code's (``require_current``).
        cache: dict[str, list[tuple[str, str]]] = self.__dict__.setdefault("_keys", {})
        if table not in cache:
            cache[table] = [(r[0], r[1]) for r in
                            conn.execute(_KEY_COLUMNS_SQL, {"t": table}).all()]
        return cache[table]


def sqlite_values(adapters: Any) -> None:
    """Load DATE as ISO text and BOOLEAN as 0/1 (what SQLite gives) on these adapters."""
    from psycopg.adapt import Loader

    class DateText(Loader):
        def load(self, data: Any) -> str:
            return bytes(data).decode("ascii")

    class BoolInt(Loader):
        def load(self, data: Any) -> int:
            return 1 if bytes(data) == b"t" else 0

    adapters.register_loader("date", DateText)
    adapters.register_loader("bool", BoolInt)


def first_line(exc: BaseException) -> str:
    """libpq's message in one line (it spreads a connection failure over several)."""
    text = str(exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # "connection failed: connection to server at …, port 5432 failed: Connection refused"
    # then a hint line ("Is the server running …"): the first line says it.
    return (lines[0] if lines else type(exc).__name__).removeprefix("connection failed: ")


def _reason(exc: BaseException) -> str:
    """What libpq says went wrong, without the "connection to server … failed:" frame."""
    line = first_line(exc)
    for prefix in ("connection failed: ", "connection is bad: "):
        line = line.removeprefix(prefix)
    return line.rsplit(" failed: ", 1)[-1].replace("FATAL:  ", "").strip()


def unavailable(exc: BaseException, location: str) -> BaseException:
    """The user-facing error for a PostgreSQL failure, or ``exc`` itself (a bug)."""
    message = day_lock_message(exc)
    if message:
        return Refused(message)
    state = getattr(exc, "sqlstate", None)
    if state is None and type(exc).__name__ == "OperationalError":
        # libpq could not connect (or lost the connection): no SQLSTATE, its words.
        reason = _reason(exc)
        if "database" in reason and "does not exist" in reason:
            return BadInput(_("No database for the store {store} ({reason}); the hall's "
                              "server needs it first (createdb).").format(
                                  store=location, reason=reason))
        if reason.startswith("invalid ") and " value" in reason:
            # libpq refusing a setting of the URL (sslmode=bogus): a wrong setting, not
            # an outage that cron should retry.
            return BadInput(_("Not a PostgreSQL URL: {url} ({error})").format(
                url=location, error=reason))
        if any(word in reason for word in ("password", "role ", "authentication", "pg_hba")):
            return BadInput(_("The PostgreSQL server refused the login to {store}: "
                              "{reason}").format(store=location, reason=reason))
        return StoreUnavailable(_("Cannot reach the PostgreSQL server of {store}: "
                                  "{reason}").format(store=location, reason=reason))
    if state in RETRY_SQLSTATES or state == "55P03":
        return StoreUnavailable(_("The store is busy; try again in a moment ({path}).").format(
            path=location))
    if state in UNAVAILABLE_SQLSTATES or (state or "").startswith("08"):
        return StoreUnavailable(_("The store cannot be used ({error}): {path}").format(
            error=_reason(exc), path=location))
    return exc
