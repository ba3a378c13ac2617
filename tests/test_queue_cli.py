"""``hallterm queue``: the kiosk command, status, counter commands, and user errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hallterm.cli.main import app

runner = CliRunner()


def run(hall, *args, now="2026-11-25T10:00:00+08:00", pin=None):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": now}
    if pin:
        env["HALLTERM_PIN"] = pin
    return runner.invoke(app, [*args[:2], *args[2:], "--store", str(hall.path)], env=env)


def test_issue_json_is_one_line_with_the_contract_keys(hall):
    r = run(hall, "queue", "issue", "A", "--priority", "vip", "--json")
    assert r.exit_code == 0, r.output
    assert r.stdout.count("\n") == 1
    data = json.loads(r.stdout)
    assert data["number"] == "A001" and data["service"] == "A" and data["priority"] == "vip"
    assert data["issued_at"].startswith("2026-11-25T10:00") and isinstance(data["visit"], int)
    r = run(hall, "queue", "issue", "b")
    assert r.exit_code == 0 and "B001" in r.stdout
    r = run(hall, "queue", "issue", "A", "--priority", "appointment", "--appointment", "AP-77",
            "--json")
    assert json.loads(r.stdout)["appointment_code"] == "AP-77"


def test_issue_user_errors_are_one_stderr_line(hall):
    r = run(hall, "queue", "issue", "Z")
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "No service Z" in r.stderr
    r = run(hall, "queue", "issue", "A", "--priority", "gold")
    assert r.exit_code == 2 and "Unknown priority" in r.stderr
    r = run(hall, "queue", "issue", "A", now="2026-11-25T20:00:00+08:00")
    assert r.exit_code == 3 and "closed now" in r.stderr and r.stderr.count("\n") == 1
    r = run(hall, "queue", "issue", "A", now="2026-11-26T10:00:00+08:00")
    assert r.exit_code == 3 and "not open" in r.stderr


def test_status_json_and_counter_commands(hall):
    hall.add("8004", "sales")
    run(hall, "queue", "issue", "A")
    run(hall, "queue", "issue", "A")
    r = run(hall, "queue", "counter", "1", "open", "--as", "8004", pin="246810")
    assert r.exit_code == 3 and "only your own" in r.stderr  # no counter given to this terminal
    r = runner.invoke(app, ["--counter", "1", "queue", "counter", "1", "open", "--as", "8004",
                            "--store", str(hall.path)],
                      env={"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_PIN": "246810",
                           "HALLTERM_NOW": "2026-11-25T10:00:00+08:00"})
    assert r.exit_code == 0, r.output
    r = run(hall, "queue", "call", "--as", "8004", "--counter", "1", "--json", pin="246810")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["number"] == "A001"
    r = run(hall, "queue", "status", "--json")
    data = json.loads(r.stdout)
    a = next(s for s in data["services"] if s["code"] == "A")
    assert a["waiting"] == 1 and a["longest_wait_s"] == 0 and a["name"]
    c1 = next(c for c in data["counters"] if c["number"] == 1)
    assert c1["state"] == "open" and c1["current_ticket"] == "A001"
    r = run(hall, "queue", "finish", "--as", "8004", "--counter", "1", pin="246810")
    assert r.exit_code == 0 and "A001" in r.stdout
    r = run(hall, "queue", "status")
    assert r.exit_code == 0 and "1 waiting" in r.stdout
    r = run(hall, "queue", "figures", "--json")
    assert json.loads(r.stdout)["total"]["served"] == 1


def test_counter_command_needs_sign_in(hall):
    r = run(hall, "queue", "call", "--counter", "1")
    assert r.exit_code == 2 and "--as" in r.stderr


def test_issue_prints_a_bilingual_slip(hall, tmp_path):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_RECEIPTS_DIR": str(tmp_path / "slips")}
    r = runner.invoke(app, ["queue", "issue", "A", "--priority", "care", "--print",
                            "--store", str(hall.path)], env=env)
    assert r.exit_code == 0, r.output
    (slip,) = (tmp_path / "slips").glob("ticket-*A001*.txt")
    text = slip.read_text(encoding="utf-8")
    assert "A001" in text and "话费充值与缴费" in text and "Top-up and bill payment" in text
    assert "前面还有 0 人" in text
