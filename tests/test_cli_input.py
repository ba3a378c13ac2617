"""CLI input as scripts meet it: PINs without a terminal, unknown counters, employee numbers."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app

runner = CliRunner()
PIN = {"HALLTERM_PIN": "123456"}


def invoke(*args, env=None, input=None):
    return runner.invoke(app, list(args), env=env or {}, input=input)


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "x.db"
    r = invoke("init", "--store", str(path), "--manager", "9001", "--name", "Boss", env=PIN)
    assert r.exit_code == 0, r.output
    return path


def one_line(r):
    assert "Traceback" not in r.output + r.stderr
    assert "Aborted" not in r.output + r.stderr
    assert r.stderr.strip() and "\n" not in r.stderr.strip(), r.stderr
    return r.stderr.strip()


# --- PINs without a terminal ----------------------------------------------------------


def test_a_pin_prompt_with_nothing_to_read_is_one_line_exit_2_naming_the_variable(store):
    r = invoke("day", "open", "--as", "9001", "--store", str(store))
    assert r.exit_code == 2
    assert "HALLTERM_PIN" in one_line(r)


def test_init_without_a_terminal_names_the_variable(tmp_path):
    r = invoke("init", "--store", str(tmp_path / "n.db"), "--manager", "9001", "--name", "B")
    assert r.exit_code == 2 and "HALLTERM_PIN" in one_line(r)
    assert not (tmp_path / "n.db").exists()


def test_a_piped_pin_is_read_from_stdin(store):
    r = invoke("day", "open", "--as", "9001", "--store", str(store), input="123456\n")
    assert r.exit_code == 0, r.output + r.stderr


def test_pin_from_env_never_prompts(store):
    r = invoke("--pin-from-env", "day", "open", "--as", "9001", "--store", str(store),
               input="123456\n")
    assert r.exit_code == 2 and "HALLTERM_PIN" in one_line(r)
    r = invoke("--pin-from-env", "day", "open", "--as", "9001", "--store", str(store), env=PIN)
    assert r.exit_code == 0, r.stderr


def test_a_new_pin_asked_twice_from_a_script_must_match(store):
    r = invoke("staff", "add", "8001", "--name", "Li", "--roles", "sales", "--as", "9001",
               "--store", str(store), env=PIN | {"HALLTERM_PIN": "123456"},
               input="246810\n135790\n")
    # HALLTERM_PIN signs the manager in; the new PIN comes from stdin, twice
    assert r.exit_code == 2 and "differ" in one_line(r)
