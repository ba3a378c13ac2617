"""Hostile input on the CLI (issue 12): every bad input is one line on stderr, exit 2.

Full-width digits from a Chinese input method are the same employee number and PIN;
control characters, line breaks and bidi overrides never reach a name or a reason;
a usage error is one line; a number past SQLite's integers is bad input; a reader
that goes away (``| head -1``) ends the command quietly.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app

runner = CliRunner()
PIN = {"HALLTERM_PIN": "123456"}


def invoke(*args, env=None):
    return runner.invoke(app, list(args), env=env or {})


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "x.db"
    r = invoke("init", "--store", str(path), "--manager", "9001", "--name", "Boss", env=PIN)
    assert r.exit_code == 0, r.output
    return path


def one_line(r):
    assert "Traceback" not in r.output + r.stderr
    assert r.stderr.strip() and "\n" not in r.stderr.strip(), r.stderr
    assert "Usage:" not in r.stderr
    return r.stderr.strip()


# --- full-width digits ---------------------------------------------------------------


def test_a_full_width_employee_number_and_pin_sign_in_as_the_ascii_ones(store):
    r = invoke("day", "open", "--as", "９００１", "--store", str(store),
               env={"HALLTERM_PIN": "１２３４５６"})
    assert r.exit_code == 0, r.stderr
    r = invoke("audit", "list", "--as", "9001", "--store", str(store), env=PIN)
    assert r.exit_code == 0 and "day.open" in r.stdout


def test_a_full_width_employee_number_is_the_same_account_not_a_second_one(store):
    r = invoke("staff", "add", "８００４", "--name", "Li", "--roles", "sales", "--as", "9001",
               "--store", str(store), env={**PIN, "HALLTERM_NEW_PIN": "２４６８１０"})
    assert r.exit_code == 0, r.stderr
    r = invoke("staff", "add", "8004", "--name", "Li again", "--roles", "sales", "--as",
               "9001", "--store", str(store), env={**PIN, "HALLTERM_NEW_PIN": "246810"})
    assert r.exit_code != 0 and "8004" in one_line(r)
    r = invoke("day", "open", "--as", "8004", "--store", str(store),
               env={"HALLTERM_PIN": "246810"})
    assert "PIN" not in r.stderr  # the full-width PIN was stored as 246810


# --- names and reasons ----------------------------------------------------------------


@pytest.mark.parametrize("reason", ["short\nof cash", "cash \u202etuo", "tab\there"])
def test_a_reason_with_a_line_break_or_a_bidi_override_is_one_line_exit_2(store, reason):
    r = invoke("day", "open", "--as", "9001", "--store", str(store), env=PIN)
    assert r.exit_code == 0, r.stderr
    r = invoke("day", "close", "--force", "--reason", reason, "--as", "9001",
               "--store", str(store), env=PIN)
    assert r.exit_code == 2
    assert "U+" in one_line(r) and "reason" in r.stderr.lower()


def test_a_name_with_a_bidi_override_is_refused(store):
    r = invoke("staff", "add", "8004", "--name", "Li\u202eoB", "--roles", "sales", "--as",
               "9001", "--store", str(store), env={**PIN, "HALLTERM_NEW_PIN": "246810"})
    assert r.exit_code == 2 and "U+202E" in one_line(r)


# --- usage errors and huge numbers -----------------------------------------------------


def test_an_unknown_option_is_one_line_exit_2():
    r = invoke("day", "status", "--bogus")
    assert r.exit_code == 2
    line = one_line(r)
    assert "--bogus" in line and line.startswith("hallterm day status")


def test_a_group_without_a_command_still_shows_its_help():
    r = invoke("day")
    assert "open" in r.output + r.stderr and "Traceback" not in r.output + r.stderr


@pytest.mark.parametrize("args", [
    ["--counter", "9223372036854775808", "queue", "status"],
    ["--counter", "9223372036854775808", "queue", "call", "--as", "9001"],
    ["queue", "counter", "9223372036854775808", "open", "--as", "9001"],
])
def test_a_number_past_64_bits_is_one_line_exit_2(store, args):
    assert invoke("day", "open", "--as", "9001", "--store", str(store), env=PIN).exit_code == 0
    r = invoke(*args, "--store", str(store), env=PIN)
    assert r.exit_code == 2, r.output + r.stderr
    one_line(r)


# --- a reader that goes away ------------------------------------------------------------


@pytest.mark.parametrize("command", [["audit", "list", "--as", "9001"], ["--help"],
                                     ["stock", "show"]])
def test_a_closed_stdout_ends_quietly_with_exit_0(store, command):
    read_end, write_end = os.pipe()
    os.close(read_end)  # `| head -1` after head has gone
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env.update(PIN)
    try:
        done = subprocess.run(
            [sys.executable, "-c", "import sys; sys.argv[0] = 'hallterm'; "
             "from hallterm.cli.main import run; run()", *command, "--store", str(store)]
            if command != ["--help"] else
            [sys.executable, "-c", "import sys; sys.argv[0] = 'hallterm'; "
             "from hallterm.cli.main import run; run()", "--help"],
            stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=120, text=True)
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_help_shows_no_internal_number_limit():
    """`hallterm --help` showed `[x<=9223372036854775807]` under --counter."""
    r = invoke("--help")
    assert r.exit_code == 0 and "9223372036854775807" not in r.output
