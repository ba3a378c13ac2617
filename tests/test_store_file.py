"""A store path that cannot be a store: one line, exit 2, never a hang (issue 12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app

pytestmark = pytest.mark.sqlite_only  # SQLite's store file itself: nothing of the engine

runner = CliRunner()


def status(path):
    return runner.invoke(app, ["day", "status", "--store", str(path)], env={})


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "store.db"
    os.mkfifo(fifo)  # opening it would block for ever (the old hang)
    r = status(fifo)
    assert r.exit_code == 2 and "not a regular file" in r.stderr


@pytest.mark.parametrize("content", [b"hello, not a database\n", b"\x00" * 4096,
                                     b"SQLite format 3\x00" + b"\x00" * 10])
def test_a_file_that_is_no_database_is_not_a_hallterm_store(tmp_path, content):
    path = tmp_path / "store.db"
    path.write_bytes(content)
    before = path.read_bytes()
    r = status(path)
    assert r.exit_code == 2 and "not a HallTerm store" in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.output
    r = runner.invoke(app, ["init", "--store", str(path), "--manager", "9001", "--name", "B"],
                      env={"HALLTERM_PIN": "123456"})
    assert r.exit_code == 2 and "not a HallTerm store" in r.stderr
    assert path.read_bytes() == before


# --- a read-only store (issue 12) ---------------------------------------------------------
# Tests run as root in CI, and root ignores permission bits. The CLI is therefore run in
# a child process without CAP_DAC_OVERRIDE (``setpriv``): the kernel then refuses writes
# to a 0444 file or a 0555 folder exactly as it does for a clerk's account. What is
# exercised is the real thing: SQLite failing to write, not a mocked error.
import hashlib  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402


def _as_unprivileged() -> list[str] | None:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", "--"]


def hallterm(*args, env=None):
    prefix = _as_unprivileged()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")},
           "HALLTERM_PIN": "123456", **(env or {})}
    return subprocess.run(
        [*prefix, sys.executable, "-c", "import sys; sys.argv[0] = 'hallterm'; "
         "from hallterm.cli.main import run; run()", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=120)


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def made(tmp_path):
    folder = tmp_path / "hall"
    folder.mkdir()
    path = folder / "x.db"
    r = runner.invoke(app, ["init", "--store", str(path), "--manager", "9001", "--name", "B"],
                      env={"HALLTERM_PIN": "123456"})
    assert r.exit_code == 0, r.output
    yield path
    folder.chmod(0o755)
    path.chmod(0o644)


def unavailable(done):
    assert "Traceback" not in done.stderr and "Sorry" not in done.stderr, done.stderr
    assert done.returncode == 75, (done.returncode, done.stderr)  # the documented code
    assert "read-only" in done.stderr and "\n" not in done.stderr.strip(), done.stderr


def test_a_read_only_store_file_is_one_line_not_a_traceback(made):
    made.chmod(0o444)
    before = sha(made)
    unavailable(hallterm("day", "open", "--as", "9001", "--store", made))
    assert sha(made) == before
    done = hallterm("day", "status", "--store", made)  # reading it still works
    assert done.returncode == 0, done.stderr


def test_a_read_only_store_folder_is_one_line_not_a_traceback(made):
    made.parent.chmod(0o555)
    before = sha(made)
    unavailable(hallterm("day", "open", "--as", "9001", "--store", made))
    unavailable(hallterm("init", "--store", made))  # was: "Sorry, something went wrong"
    assert sha(made) == before


def test_a_new_store_in_a_read_only_folder_makes_nothing(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    key = tmp_path / "k" / "hallterm.key"
    try:
        done = hallterm("init", "--store", folder / "new.db", "--manager", "9001",
                        "--name", "B", env={"HALLTERM_KEY_FILE": str(key)})
        unavailable(done)
        assert list(folder.iterdir()) == [] and not key.exists()
    finally:
        folder.chmod(0o755)


# --- a store made by a newer HallTerm (issue 12) -----------------------------------------


def _from_the_future(path):
    import sqlite3

    con = sqlite3.connect(path)
    with con:  # a migration this program does not have (a later release's area branch)
        con.execute("INSERT INTO alembic_version (version_num) VALUES ('0099future')")
    con.close()


def test_init_on_a_store_with_a_newer_schema_refuses_and_leaves_it_alone(made):
    _from_the_future(made)
    before = sha(made)
    config = Path(os.environ["XDG_CONFIG_HOME"])
    for key in [p for p in config.rglob("*") if p.is_file()]:
        key.unlink()  # the keys were moved away: a refused init must not make new ones
    r = runner.invoke(app, ["init", "--store", str(made)], env={})
    assert r.exit_code == 2, (r.exit_code, r.output)  # was: exit 1, "Sorry, something..."
    assert "newer HallTerm" in r.stderr and "\n" not in r.stderr.strip()
    assert sha(made) == before
    assert [p for p in config.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("command", [["day", "status"], ["audit", "verify"],
                                     ["day", "open", "--as", "9001"]])
def test_other_commands_on_a_newer_store_say_the_same(made, command):
    _from_the_future(made)
    before = sha(made)
    r = runner.invoke(app, [*command, "--store", str(made)], env={"HALLTERM_PIN": "123456"})
    assert r.exit_code == 2, (r.exit_code, r.output)
    assert "newer HallTerm" in r.stderr and "\n" not in r.stderr.strip()
    assert sha(made) == before
