"""The PostgreSQL side of the test suite: a fresh database per store a test makes.

``HALLTERM_TEST_PG`` names a server (a ``postgresql://`` URL of a role that may create
databases, e.g. ``postgresql://postgres@/postgres?host=/tmp/pg``; ``.ci/run`` starts a
throwaway cluster and sets it). Unset, every test runs on SQLite as always.

Databases are made fast: one template per test process is migrated and initialised once
(``make_hall``'s hall at ``T0``), then each test's store is ``CREATE DATABASE x TEMPLATE t``
(a file copy on the server, milliseconds). Everything a process made is dropped when
its test ends (``drop_made``) and the template when the process ends.
"""

from __future__ import annotations

import itertools
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

SERVER = os.environ.get("HALLTERM_TEST_PG") or None  # read before tests clear HALLTERM_*
_RUN = uuid.uuid4().hex[:8]
_counter = itertools.count(1)
_made: list[str] = []


def url_for(database: str) -> str:
    """The server's URL with another database in its path."""
    assert SERVER is not None
    parts = urlsplit(SERVER)
    return urlunsplit(parts._replace(path="/" + database))


def _admin():
    import psycopg

    assert SERVER is not None
    return psycopg.connect(SERVER, autocommit=True)


def new_name(kind: str = "t") -> str:
    return f"ht_{kind}_{_RUN}_{os.getpid()}_{next(_counter)}"


def create(template: str | None = None) -> str:
    """A new database (empty, or a copy of ``template``); its URL. Dropped by ``drop_made``."""
    name = new_name()
    with _admin() as conn:
        if template:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            conn.execute(f'CREATE DATABASE "{name}"')
    _made.append(name)
    return url_for(name)


def drop(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_made() -> None:
    """Drop the databases made since the last call (a test's teardown)."""
    while _made:
        drop(_made.pop())


class Template:
    """``make_hall``'s store, made once per process: a database, its key files."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.key_dir = None

    def get(self, build) -> str:
        """The template's name; ``build(url, key_dir)`` initialises it the first time."""
        if self.name is None:
            import tempfile
            from pathlib import Path

            name = new_name("tpl")
            with _admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self.key_dir = Path(tempfile.mkdtemp(prefix="hallterm-pg-template-"))
            build(url_for(name), self.key_dir)
            self.name = name
        return self.name

    def close(self) -> None:
        if self.name is not None:
            drop(self.name)
            self.name = None
