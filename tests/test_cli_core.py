"""The CLI skeleton as a new user meets it: init, day, staff, audit, and every user error."""

from __future__ import annotations

import hashlib
import sqlite3

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


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_init_day_open_audit_verify(store):
    r = invoke("day", "open", "--as", "9001", "--store", str(store), env=PIN)
    assert r.exit_code == 0 and "is open" in r.output
    r = invoke("audit", "verify", "--store", str(store))
    assert r.exit_code == 0
    assert "Audit chain intact" in r.output and "head" in r.output


def test_tampering_makes_verify_exit_1_naming_the_row(store):
    invoke("day", "open", "--as", "9001", "--store", str(store), env=PIN)
    con = sqlite3.connect(store)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    con.commit()
    con.close()
    r = invoke("audit", "verify", "--store", str(store))
    assert r.exit_code == 1
    assert "row 3" in r.stderr


def test_init_again_upgrades_and_keeps_data(store):
    r = invoke("init", "--store", str(store))
    assert r.exit_code == 0 and "up to date" in r.output
    r = invoke("staff", "list", "--json", "--as", "9001", "--store", str(store), env=PIN)
    assert '"empno":"9001"' in r.output


def test_new_store_needs_a_manager(tmp_path):
    r = invoke("init", "--store", str(tmp_path / "n.db"))
    assert r.exit_code == 2 and "first hall manager" in r.stderr


def test_wrong_pin_is_one_line_exit_3_and_changes_nothing_but_the_count(store):
    r = invoke("day", "open", "--as", "9001", "--store", str(store),
               env={"HALLTERM_PIN": "000000"})
    assert r.exit_code == 3
    assert r.stderr.strip().count("\n") == 0 and "wrong PIN" in r.stderr
    assert "Traceback" not in r.output + r.stderr
    r = invoke("day", "status", "--json", "--store", str(store))
    assert '"state":"not_opened"' in r.output


def test_as_an_unknown_number_answers_like_a_wrong_pin(store):
    """--as cannot be used to find out which staff numbers exist."""
    wrong = invoke("day", "open", "--as", "9001", "--store", str(store),
                   env={"HALLTERM_PIN": "000000"})
    unknown = invoke("day", "open", "--as", "9999", "--store", str(store),
                     env={"HALLTERM_PIN": "000000"})
    assert (wrong.exit_code, wrong.stderr) == (unknown.exit_code, unknown.stderr)
    assert unknown.stderr.strip() == "Unknown employee number or wrong PIN."


def test_day_open_twice_is_refused(store):
    invoke("day", "open", "--as", "9001", "--store", str(store), env=PIN)
    before = digest(store)
    r = invoke("day", "open", "--as", "9001", "--store", str(store), env=PIN)
    assert r.exit_code == 3 and "already open" in r.stderr
    # only the sign-in row was added: the day itself is unchanged
    r = invoke("day", "status", "--json", "--store", str(store))
    assert '"state":"open"' in r.output and before


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [(["day", "status", "--store", "/nonexistent/dir/x.db"], 2, "No store"),
     (["init", "--store", "/nonexistent/dir/x.db", "--manager", "1001", "--name", "A"], 2,
      "does not exist"),
     (["day", "status", "2026-13-01"], 2, "Not a date")],
)
def test_user_errors_are_one_line(store, args, code, text):
    if "--store" not in args:
        args = [*args, "--store", str(store)]
    r = invoke(*args, env=PIN)
    assert r.exit_code == code, r.output
    assert text in r.stderr and "Traceback" not in r.stderr


def test_bad_config_key_names_file_and_key(store, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("idle_lock = 5\n")
    r = invoke("--config", str(cfg), "day", "status", "--store", str(store))
    assert r.exit_code == 2
    assert str(cfg) in r.stderr and "idle_lock" in r.stderr


def test_staff_add_and_roles(store):
    env = {**PIN, "HALLTERM_NEW_PIN": "246810"}
    r = invoke("staff", "add", "8004", "--name", "Chen", "--roles", "sales,acceptance",
               "--as", "9001", "--store", str(store), env=env)
    assert r.exit_code == 0, r.stderr
    r = invoke("staff", "add", "8005", "--name", "X", "--roles", "cashier", "--as", "9001",
               "--store", str(store), env=env)
    assert r.exit_code == 2 and "Unknown role" in r.stderr
    r = invoke("staff", "add", "8006", "--name", "Y", "--roles", "sales", "--as", "8004",
               "--store", str(store), env={"HALLTERM_PIN": "246810", "HALLTERM_NEW_PIN": "1"})
    assert r.exit_code == 3
    r = invoke("staff", "disable", "8004", "--as", "9001", "--store", str(store), env=PIN)
    assert r.exit_code == 0
    r = invoke("staff", "list", "--as", "9001", "--store", str(store), env=PIN)
    assert "disabled" in r.output


def test_command_id_makes_a_retry_harmless(store):
    env = {**PIN, "HALLTERM_NEW_PIN": "246810"}
    args = ["staff", "add", "8004", "--name", "Chen", "--roles", "sales", "--as", "9001",
            "--command-id", "kiosk-1", "--store", str(store)]
    assert invoke(*args, env=env).exit_code == 0
    r = invoke(*args, env=env)
    assert r.exit_code == 0, r.stderr


def test_version_and_help():
    assert invoke("--version").output.startswith("hallterm ")
    r = invoke("--help")
    assert r.exit_code == 0 and "init" in r.output


def test_every_command_has_help_text():
    import typer.main

    group = typer.main.get_command(app)

    def walk(cmd, path):
        if getattr(cmd, "commands", None):
            for name, sub in cmd.commands.items():
                yield from walk(sub, [*path, name])
        else:
            yield path, cmd

    for path, cmd in walk(group, []):
        assert (cmd.help or "").strip(), f"hallterm {' '.join(path)} has no help"


def test_init_on_an_up_to_date_store_writes_nothing(store):
    def audit_rows():
        con = sqlite3.connect(store)
        try:
            return con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        finally:
            con.close()

    before = audit_rows()
    assert invoke("init", "--store", str(store)).exit_code == 0
    assert audit_rows() == before


def test_an_unexpected_error_is_logged_to_the_log_file_setting(store, tmp_path, monkeypatch):
    import hallterm.services.day as day_service
    from hallterm import paths

    def broken(*args, **kwargs):
        raise RuntimeError("boom in day status")

    monkeypatch.setattr(day_service, "day_status", broken)
    log = tmp_path / "logs" / "errors.log"
    cfg = tmp_path / "hallterm.toml"
    key = paths.config_dir() / "hallterm.key"  # where init put the hall secret
    cfg.write_text(f'log_file = "{log}"\nkey_file = "{key}"\n')
    r = invoke("--config", str(cfg), "day", "status", "--store", str(store))
    assert r.exit_code == 1, r.stderr
    assert str(log) in r.stderr and "Traceback" not in r.stderr
    assert "RuntimeError: boom in day status" in log.read_text(encoding="utf-8")
