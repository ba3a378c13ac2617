"""The store: one hall's books in SQLite (embedded, the default) or PostgreSQL.

``Store.transact`` is the unit-of-work entry point every service uses for writes (via
``hallterm.context.run_write``): it begins a write transaction (SQLite: ``BEGIN
IMMEDIATE``; PostgreSQL: ``BEGIN`` and one advisory lock, so the audit chain has one
writer at a time on both), runs the service's work, and commits — or rolls
everything back. Lock contention (and on PostgreSQL a serialization failure or a
deadlock) is retried here and never reaches a clerk; only a store that stays busy
past ``busy_deadline_s`` becomes ``StoreUnavailable`` (exit 75).

Statements run on the driver's own connection (``Conn.execute``), not through
SQLAlchemy sessions: on the hot paths SQLAlchemy's execution layer cost more than
the statements (issue 14's profile: 61 % of a write's CPU). SQLAlchemy, SQLModel and
Alembic remain for the schema and its migrations (``write_engine``/``read_engine``).
What differs between the engines lives in one driver object (``store.driver``):
``hallterm.store.sqlite`` and ``hallterm.store.postgres``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from hallterm.errors import DayNotOpen, StoreUnavailable
from hallterm.i18n import _
from hallterm.store.results import Result
from hallterm.store.sqlite import (
    SINK_PLACES,
    SOURCE_PLACES,
    SQLITE_HEADER,
    SqliteDriver,
    check_store_file,
    closed_books_sql,
    day_lock_message,
    day_lock_sql,
    drop_day_lock_sql,
    is_busy,
    raw_connect,
    unique_keys,
)

__all__ = [
    "SINK_PLACES", "SOURCE_PLACES", "SQLITE_HEADER", "Conn", "Result", "Store", "check_store_file",
    "closed_books_sql", "day_lock_sql", "drop_day_lock_sql", "execute", "is_busy",
    "is_url", "raw_connect", "unique_keys",
]

T = TypeVar("T")
URL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_url(location: str | Path) -> bool:
    """Whether a store location names a database server rather than a SQLite file."""
    return str(location).startswith(URL_SCHEMES)


class Conn:
    """One connection of the store's pool, used by one transaction at a time.

    Services call it their ``session``: ``execute(session, sql, params)``. ``info``
    lives as long as the connection (per-connection set-up done once, e.g. the audit
    rows' TEMP triggers).
    """

    __slots__ = ("broken", "driver", "gate", "info", "pid", "raw", "write")

    def __init__(self, raw: Any, driver: Any, *, write: bool) -> None:
        self.raw = raw
        # The writers' gate (SQLite: a file lock before BEGIN IMMEDIATE), if the
        # driver has one.
        self.gate = driver.gate() if write and hasattr(driver, "gate") else None
        self.driver = driver
        self.write = write
        self.info: dict[str, Any] = {}
        self.pid = os.getpid()
        self.broken = False

    def execute(self, sql: str,
                params: dict[str, Any] | Sequence[dict[str, Any]] | None = None) -> Result:
        """Run one statement (``:name`` parameters; a list of dicts runs it for each)."""
        text = self.driver.translate(sql)
        cursor = self.raw.cursor()
        if isinstance(params, list | tuple):
            cursor.executemany(text, params)
        else:
            cursor.execute(text, params or {})
        return Result(cursor)

    @property
    def dialect(self) -> str:
        return str(self.driver.name)


def execute(session: Conn, sql: str,
            params: dict[str, Any] | Sequence[dict[str, Any]] | None = None) -> Result:
    """Run a plain SQL statement in a transaction (``session`` from ``read``/``transact``)."""
    return session.execute(sql, params)


class Store:
    """One hall's store, shared by every terminal process of the hall.

    ``location`` is a SQLite file path or a ``postgresql://`` URL.
    """

    def __init__(self, location: str | Path, *, busy_deadline_s: float = 20.0) -> None:
        self.driver: Any
        if is_url(location):
            import importlib

            postgres = importlib.import_module("hallterm.store.postgres")
            self.driver = postgres.PostgresDriver(str(location))
            self.path: Path | None = None
        else:
            self.path = Path(location)
            self.driver = SqliteDriver(self.path)
        self.location: str = self.driver.location
        self.busy_deadline_s = busy_deadline_s
        self._lock = threading.Lock()
        self._idle: dict[bool, list[Conn]] = {True: [], False: []}
        self._pid = os.getpid()
        self._engines: dict[bool, Any] = {}

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return str(self.driver.name)

    @property
    def folder(self) -> Path:
        """The hall's folder on this machine (reports are written under it): the
        store file's folder, or for a server the driver's local folder."""
        return self.path.parent if self.path is not None else Path(self.driver.folder)

    # -- connections ---------------------------------------------------------------
    def _checkout(self, write: bool) -> Conn:
        with self._lock:
            if self._pid != os.getpid():  # a forked child never uses its parent's
                self._idle = {True: [], False: []}
                self._engines = {}
                self._pid = os.getpid()
            idle = self._idle[write]
            if idle:
                return idle.pop()
        try:
            return Conn(self.driver.connect(write=write), self.driver, write=write)
        except self.driver.Error as exc:
            _raise_for(self.driver.unavailable(exc), exc)
            raise

    def _checkin(self, conn: Conn) -> None:
        if conn.broken or conn.pid != os.getpid() or not self._alive(conn):
            _close(conn)
            return
        with self._lock:
            if conn.pid == self._pid:
                self._idle[conn.write].append(conn)
                return
        _close(conn)

    def dispose(self) -> None:
        """Close every idle connection (before forking, at exit, in tests)."""
        self._drop_idle()
        with self._lock:
            engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.dispose()

    # -- SQLAlchemy, for the schema's migrations only ----------------------------------
    @property
    def write_engine(self) -> Any:
        if True not in self._engines:
            self._engines[True] = self.driver.sqlalchemy_engine(write=True)
        return self._engines[True]

    @property
    def read_engine(self) -> Any:
        if False not in self._engines:
            self._engines[False] = self.driver.sqlalchemy_engine(write=False)
        return self._engines[False]

    # -- reads -------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Conn]:
        """A short read transaction (a consistent snapshot; never blocks writers)."""
        conn = self._begun()
        try:
            try:
                yield conn
                conn.raw.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        except self.driver.Error as exc:
            _raise_for(self.driver.unavailable(exc), exc)
            raise
        finally:
            self._checkin(conn)

    def _begun(self) -> Conn:
        """A read connection inside its transaction: a pooled one whose server went
        away (restarted, dropped the session) is thrown away with the rest of the idle
        ones and a fresh one is made, so the terminal carries on once the server is back."""
        conn = self._checkout(False)
        try:
            self.driver.begin(conn.raw, write=False)
            return conn
        except self.driver.Error as exc:
            if self._alive(conn):
                self._checkin(conn)
                _raise_for(self.driver.unavailable(exc), exc)
                raise
            self._checkin(conn)
            self._drop_idle()
        conn = self._checkout(False)
        try:
            self.driver.begin(conn.raw, write=False)
        except self.driver.Error as exc:
            self._checkin(conn)
            _raise_for(self.driver.unavailable(exc), exc)
            raise
        return conn

    def _alive(self, conn: Conn) -> bool:
        alive = getattr(self.driver, "alive", None)
        return True if alive is None else bool(alive(conn.raw))

    def _drop_idle(self) -> None:
        """Close every idle connection (after one was found dead: they all are)."""
        with self._lock:
            idle = self._idle[True] + self._idle[False]
            self._idle = {True: [], False: []}
        for conn in idle:
            _close(conn)

    # -- writes ------------------------------------------------------------------
    def transact(self, work: Callable[[Conn], T]) -> T:
        """Run ``work`` in one write transaction, retrying lock contention.

        ``work`` may run more than once (only when the lock could not be had, or the
        server asked for a retry, before anything was committed), so it must only
        touch the connection it is given. Services never call this directly: they go
        through ``uow.run_write``.
        """
        driver = self.driver
        deadline = time.monotonic() + self.busy_deadline_s
        attempt = 0
        reconnected = False
        while True:
            conn = self._checkout(True)
            try:
                gate = conn.gate
                if gate is not None and not gate.enter(deadline - time.monotonic()):
                    raise self._busy()
                try:
                    driver.begin(conn.raw, write=True)
                except driver.Error:
                    # A pooled connection the server has dropped (a restart): nothing
                    # was sent; throw the idle ones away and begin on a fresh one.
                    if reconnected or self._alive(conn):
                        raise
                    reconnected = True
                    self._drop_idle()
                    continue
                try:
                    result = work(conn)
                    conn.raw.execute("COMMIT")
                except BaseException:
                    _rollback(conn)
                    raise
                return result
            except driver.Error as exc:
                if not driver.retryable(exc):
                    message = day_lock_message(exc)
                    if message:
                        raise DayNotOpen(message) from exc
                    _raise_for(driver.unavailable(exc), exc)
                    raise
                error = exc
            finally:
                if conn.gate is not None:
                    conn.gate.leave()
                self._checkin(conn)
            if time.monotonic() >= deadline:
                raise self._busy() from error
            attempt += 1
            driver.pause(attempt)

    def _busy(self) -> StoreUnavailable:
        return StoreUnavailable(
            _("The store is busy; try again in a moment ({path}).").format(path=self.location))

    # -- errors ------------------------------------------------------------------
    def unusable(self, exc: BaseException) -> BaseException:
        """The user-facing error for ``exc`` met on this store (read-only, unreadable,
        busy), or ``exc`` itself when it is a bug (for code that holds an engine)."""
        return self.driver.unavailable(exc)


def _raise_for(error: BaseException, exc: BaseException) -> None:
    """Raise the user-facing ``error`` for driver error ``exc`` (a bug stays itself)."""
    if error is not exc:
        raise error from exc


def _rollback(conn: Conn) -> None:
    try:
        conn.raw.execute("ROLLBACK")
    except Exception:  # the connection is gone or was never in a transaction
        conn.broken = True


def _close(conn: Conn) -> None:
    with suppress(Exception):  # already closed: nothing to keep
        conn.raw.close()
    if conn.gate is not None:
        conn.gate.close()
