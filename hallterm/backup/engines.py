"""Taking a consistent copy of a live store, and putting one back, per engine.

SQLite: the online backup API copies every page under one read snapshot while the
terminals go on writing (WAL readers never block writers); the facts for the manifest
are then read from the copy itself, so they describe exactly what was copied.
PostgreSQL: ``pg_dump`` runs on a snapshot exported by a REPEATABLE READ transaction
that reads the same facts, so the dump and the manifest agree to the row.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hallterm.errors import BadInput, CheckFailed, ConfigError, Refused
from hallterm.i18n import _

SQLITE_PAYLOAD = "store.sqlite"
PG_PAYLOAD = "store.pgdump"


@dataclass(frozen=True)
class Facts:
    """What a copy of a store holds, for the manifest (and to check a copy against it)."""

    hall: str
    schema: tuple[str, ...]
    audit_head_seq: int
    audit_head_hash: str
    key_fingerprint: str


def read_facts(cur: Any) -> Facts:
    """The facts, read on a DBAPI cursor of the copy (or of the snapshot)."""
    def one(sql: str) -> Any:
        cur.execute(sql)
        row = cur.fetchone()
        return row

    hall = one("SELECT code FROM hall")
    cur.execute("SELECT version_num FROM alembic_version ORDER BY version_num")
    schema = tuple(r[0] for r in cur.fetchall())
    head = one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    fingerprint = one("SELECT value FROM meta WHERE key = 'key_fingerprint'")
    if hall is None or not schema or fingerprint is None:
        raise Refused(_("The store has no hall yet (hallterm init): nothing to back up."))
    return Facts(hall=hall[0], schema=schema, audit_head_seq=head[0] if head else 0,
                 audit_head_hash=head[1] if head else "", key_fingerprint=fingerprint[0])


# -- SQLite --------------------------------------------------------------------------------------
def sqlite_snapshot(store_file: Path, dest: Path) -> Facts:
    """Copy a live SQLite store to ``dest`` (one file, no WAL) and read its facts."""
    source = sqlite3.connect(f"file:{store_file}?mode=ro", uri=True)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # all pages in one step: one consistent read snapshot
        target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        return read_facts(target.cursor())
    finally:
        target.close()
        source.close()


def sqlite_check(copy: Path) -> Facts:
    """Open a copied SQLite store read-only: intact pages and its facts."""
    conn = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
    try:
        try:
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            raise BadInput(_("The backup's store is not a readable SQLite file: {reason}")
                           .format(reason=exc)) from None
        if problems != ["ok"]:
            raise CheckFailed(_("The backup's store is damaged: {reason}").format(
                reason="; ".join(problems[:3])))
        return read_facts(conn.cursor())
    finally:
        conn.close()


def sqlite_is_empty(path: Path) -> bool:
    """Whether a restore target holds nothing (missing, empty, or a store without tables)."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False  # something that is not a store: never overwritten without --force


def sqlite_put(copy: Path, target: Path) -> None:
    """Put a checked copy in place of ``target`` atomically (the old WAL files removed first,
    so SQLite never replays another database's log onto it)."""
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(copy, staged)
    conn = sqlite3.connect(staged)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    staged.replace(target)


# -- PostgreSQL -----------------------------------------------------------------------------------
def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigError(_("{tool} is not installed on this host (the PostgreSQL client "
                            "tools, e.g. the postgresql-client package).").format(tool=name))
    return found


def _run(args: list[str], what: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise Refused(_("{what} failed: {reason}").format(
            what=what, reason=lines[-1] if lines else done.returncode))
    return done.stdout


@contextlib.contextmanager
def _pg(url: str) -> Iterator[Any]:
    import psycopg

    try:
        conn = psycopg.connect(url, autocommit=True)
    except psycopg.Error as exc:
        raise ConfigError(_("Cannot connect to {url}: {reason}").format(
            url=url, reason=str(exc).strip().splitlines()[0])) from None
    try:
        yield conn
    finally:
        conn.close()


def pg_snapshot(url: str, dest: Path) -> Facts:
    """``pg_dump`` (custom format) of the database on a snapshot that the facts are read on."""
    pg_dump = _tool("pg_dump")
    with _pg(url) as conn, conn.cursor() as cur:
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        facts = read_facts(cur)
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
              f"--snapshot={snapshot}", f"--file={dest}", f"--dbname={url}"], "pg_dump")
        cur.execute("COMMIT")
    return facts


def pg_check(dump: Path) -> None:
    """A dump ``pg_restore`` can read (its table of contents lists the audit log)."""
    listing = _run([_tool("pg_restore"), "--list", str(dump)], "pg_restore --list")
    if " audit_log " not in listing:
        raise CheckFailed(_("The backup's dump holds no audit log."))


def pg_is_empty(url: str) -> bool:
    """Whether the target database has no tables of its own."""
    with _pg(url) as conn:
        row = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = "
                           "current_schema()").fetchone()
    return bool(row and row[0] == 0)


def pg_put(dump: Path, url: str, *, clean: bool) -> None:
    """Restore the dump into ``url`` in one transaction (all or nothing)."""
    if clean:
        with _pg(url) as conn:
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={url}", str(dump)], "pg_restore")
