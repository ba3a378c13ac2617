"""A store path that cannot be a store: one line, exit 2, never a hang (issue 12)."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app

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
