"""Shared fixtures: an isolated environment and a ready hall store with a fixed clock."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hallterm import security
from tests import pgtest

TZ = ZoneInfo("Asia/Shanghai")
# A Wednesday, inside the shipped hall's hours (09:00-18:00).
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
MANAGER_PIN = "123456"
STAFF_PIN = "246810"

security.use_fast_hashing()


def pytest_collection_modifyitems(items):
    """Snapshot tests (they use ``snap_compare``) are ``slow``: the inner loop skips them.

    They are ``sqlite_only`` too, and with them every test so marked is skipped when the
    suite runs on PostgreSQL (``HALLTERM_TEST_PG``): screens, snapshots, docs and
    translations exercise nothing of the engine (docs/development.md).
    """
    skip_pg = pytest.mark.skip(reason="sqlite_only: nothing of the engine (HALLTERM_TEST_PG)")
    for item in items:
        if "snap_compare" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.sqlite_only)
        if pgtest.SERVER and item.get_closest_marker("sqlite_only"):
            item.add_marker(skip_pg)


@pytest.fixture(autouse=True, scope="session")
def _pg_template():
    """The per-process PostgreSQL template (``tests/pgtest.py``), dropped at the end."""
    yield
    _TEMPLATE.close()


@pytest.fixture(autouse=True)
def _pg_databases():
    """Drop the PostgreSQL databases a test made (nothing to do on SQLite)."""
    yield
    if pgtest.SERVER:
        pgtest.drop_made()


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, monkeypatch):
    """Keep a developer's own config, data, language and environment out of tests."""
    home = tmp_path_factory.mktemp("home")
    for key in list(os.environ):
        if key.startswith("HALLTERM_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("LANG", "C.UTF-8")
    from hallterm.i18n import set_language

    set_language("en")
    yield
    set_language("en")


@dataclass
class Hall:
    """A store made by ``hallterm init`` with a clock fixed at ``T0`` and the day open."""

    path: Path | str  # the SQLite file, or the PostgreSQL URL (HALLTERM_TEST_PG)
    key_file: Path
    settings: object
    clock: object
    ctx: object  # no one signed in
    manager: object  # ctx acting as the hall manager 9001

    def as_(self, empno: str, pin: str = STAFF_PIN):
        """A context acting as ``empno`` (authenticated with their PIN)."""
        from hallterm.services.staff import authenticate

        return self.ctx.as_actor(authenticate(self.ctx, empno=empno, pin=pin))

    def add(self, empno: str, *roles: str, name: str | None = None, pin: str = STAFF_PIN):
        """Add a member of staff and return a context acting as them."""
        from hallterm.services.staff import add_staff

        add_staff(self.manager, empno=empno, name=name or f"Staff {empno}", roles=list(roles),
                  pin=pin)
        return self.as_(empno, pin)


def new_store(tmp_path: Path, name: str = "hall.db") -> Path | str:
    """Where a test's new store goes: a file in ``tmp_path``, or on PostgreSQL
    (``HALLTERM_TEST_PG``) the URL of a new empty database, dropped after the test."""
    if pgtest.SERVER:
        return pgtest.create()
    return tmp_path / name


def _init_hall(location: Path | str, key_file: Path, *, hall_file: Path | None = None,
               at: datetime = T0):
    from hallterm.bootstrap import init_store
    from hallterm.clock import FixedClock
    from hallterm.settings import load_settings

    settings, _cfg = load_settings(None, store=location, key_file=key_file, terminal="T-test")
    init_store(settings, None, manager_empno="9001", manager_name="Manager Ma",
               pin=MANAGER_PIN, hall_file=hall_file, clock=FixedClock(at), demo=True)
    return settings


_TEMPLATE = pgtest.Template()


def make_hall(tmp_path: Path, *, hall_file: Path | None = None, open_day: bool = True,
              at: datetime = T0) -> Hall:
    from hallterm.bootstrap import open_ctx
    from hallterm.clock import FixedClock
    from hallterm.services.day import open_day as open_day_
    from hallterm.services.staff import authenticate
    from hallterm.settings import load_settings

    key_file = tmp_path / "hallterm.key"
    if pgtest.SERVER and hall_file is None and at == T0:
        # The usual hall: a copy of the template initialised once per process.
        template = _TEMPLATE.get(lambda url, keys: _init_hall(url, keys / key_file.name))
        path: Path | str = pgtest.create(template)
        for made in _TEMPLATE.key_dir.iterdir():
            shutil.copy2(made, tmp_path / made.name)  # the secret and the signing key
        settings, _cfg = load_settings(None, store=path, key_file=key_file, terminal="T-test")
    else:
        path = new_store(tmp_path)
        settings = _init_hall(path, key_file, hall_file=hall_file, at=at)
    clock = FixedClock(at)
    ctx = open_ctx(settings, None, clock=clock)
    manager = ctx.as_actor(authenticate(ctx, empno="9001", pin=MANAGER_PIN))
    if open_day:
        open_day_(manager)
    return Hall(path, key_file, settings, clock, ctx, manager)


@pytest.fixture
def hall(tmp_path) -> Hall:
    """A fresh hall store, today's day open, manager 9001 signed in."""
    h = make_hall(tmp_path)
    yield h
    h.ctx.store.dispose()
