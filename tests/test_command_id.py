"""A ``--command-id`` is a retry only when the same person asks the same thing (issue 12).

Reused with other arguments, or by someone else, it used to return the first
command's result with exit 0: the second request silently did nothing while the
caller believed it done. Now it is refused: one line, exit 2, nothing written.
"""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.errors import BadInput
from tests.storedump import business_dump

runner = CliRunner()
PIN = {"HALLTERM_PIN": "123456"}
NEW = {**PIN, "HALLTERM_NEW_PIN": "246810"}


def invoke(*args, env=None):
    return runner.invoke(app, list(args), env=env or {})


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "x.db"
    r = invoke("init", "--store", str(path), "--manager", "9001", "--name", "Boss", env=PIN)
    assert r.exit_code == 0, r.output
    r = invoke("staff", "add", "9002", "--name", "Second", "--roles", "manager", "--as", "9001",
               "--store", str(path), env={**PIN, "HALLTERM_NEW_PIN": "123456"})
    assert r.exit_code == 0, r.output
    return path


def dump(path):
    return business_dump(path)


def add(store, empno, name, *, as_="9001", cid="kiosk-1"):
    return invoke("staff", "add", empno, "--name", name, "--roles", "sales", "--as", as_,
                  "--command-id", cid, "--store", str(store), env=NEW)


def test_the_same_request_again_is_a_retry(store):
    assert add(store, "8004", "Chen").exit_code == 0
    before = dump(store)
    r = add(store, "8004", "Chen")
    assert r.exit_code == 0, r.stderr
    assert dump(store) == before


def test_the_same_id_with_other_arguments_is_refused(store):
    assert add(store, "8004", "Chen").exit_code == 0
    before = dump(store)
    r = add(store, "8005", "Lin")  # a new person to add, the old id: not a retry
    assert r.exit_code == 2, r.output
    assert "other arguments" in r.stderr and "\n" not in r.stderr.strip()
    assert dump(store) == before
    r = invoke("staff", "list", "--as", "9001", "--store", str(store), env=PIN)
    assert "8005" not in r.output


def test_the_same_id_by_another_person_is_refused(store):
    assert add(store, "8004", "Chen").exit_code == 0
    before = dump(store)
    r = add(store, "8004", "Chen", as_="9002")
    assert r.exit_code == 2, r.output
    assert "someone else" in r.stderr and "\n" not in r.stderr.strip()
    assert dump(store) == before


def test_a_reused_id_is_refused_before_the_approver_is_asked(store):
    """``sales void`` checks the id before it asks the duty manager for a PIN."""
    from hallterm.bootstrap import open_ctx
    from hallterm.context import command_done, command_request
    from hallterm.services.staff import authenticate
    from hallterm.settings import load_settings

    assert add(store, "8004", "Chen").exit_code == 0
    settings, cfg = load_settings(None, store=store)
    ctx = open_ctx(settings, cfg)
    boss = ctx.as_actor(authenticate(ctx, empno="9001", pin="123456"))
    with pytest.raises(BadInput, match="other arguments"), command_request({"x": 1}):
        command_done(boss, "kiosk-1")
    ctx.store.dispose()


def test_a_service_caller_gives_its_arguments(hall):
    from hallterm.context import run_write

    def work(uow):
        uow.audit("test.note", payload={"n": 1})
        return 1

    assert run_write(hall.manager, "test.note", work, command_id="c1", request={"n": 1}) == 1
    assert run_write(hall.manager, "test.note", work, command_id="c1", request={"n": 1}) == 1
    with pytest.raises(BadInput, match="other arguments"):
        run_write(hall.manager, "test.note", work, command_id="c1", request={"n": 2})
    other = hall.add("8010", "manager")
    with pytest.raises(BadInput, match="someone else"):
        run_write(other, "test.note", work, command_id="c1", request={"n": 1})


def test_the_stored_hash_does_not_reveal_the_arguments(store):
    """Keyed with the hall secret: the store alone cannot be searched for what was typed."""
    import hashlib

    assert add(store, "8004", "Chen").exit_code == 0
    con = sqlite3.connect(store)
    (stored,) = con.execute("SELECT request_hash FROM command WHERE id = 'kiosk-1'").fetchone()
    con.close()
    assert stored and len(stored) == 64
    assert "Chen" not in stored and stored != hashlib.sha256(b"Chen").hexdigest()
