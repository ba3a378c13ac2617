"""``hallterm review``: list, ok, exception, mine, rectify, accept, reopen, cash, reveals."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from tests.review_fixtures import DAY, busy_day

runner = CliRunner()


@pytest.fixture
def rv(hall, tmp_path):
    return busy_day(hall, tmp_path)


def run(hall, *args, pin="246810"):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_PIN": pin,
           "HALLTERM_NOW": hall.clock.now().isoformat()}
    return runner.invoke(app, ["review", *args, "--store", str(hall.path)], env=env)


def test_the_loop_on_the_command_line(rv):
    ref = rv.refs["refund"]
    r = run(rv, "list", "--day", DAY.isoformat(), "--json", "--as", "8009")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {row["kind"] for row in rows} >= {"sale", "refund", "handover", "stock"}
    assert all(row["state"] == "unreviewed" for row in rows)
    r = run(rv, "ok", rv.refs["sale"], "--as", "8009")  # default: the last closed day
    assert r.exit_code == 0 and "OK" in r.stdout, r.output
    r = run(rv, "exception", ref, "--category", "approval_missing", "--note", "no slip",
            "--as", "8009")
    assert r.exit_code == 0 and "Exception" in r.stdout, r.output
    r = run(rv, "mine", "--as", "8005", "--json")
    assert [e["reference"] for e in json.loads(r.stdout)] == [ref.split(":", 1)[1]]
    r = run(rv, "rectify", ref, "--with", "note", "--note", "slip found in the drawer",
            "--as", "8005")
    assert r.exit_code == 0 and "Rectified" in r.stdout, r.output
    r = run(rv, "reopen", ref, "--note", "scan the slip", "--as", "8010")
    assert r.exit_code == 0 and "Sent back" in r.stdout, r.output
    r = run(rv, "rectify", ref, "--with", "note", "--note", "scanned", "--as", "8005")
    assert r.exit_code == 0, r.output
    r = run(rv, "accept", ref, "--as", "8010")
    assert r.exit_code == 0 and "Accepted" in r.stdout, r.output
    r = run(rv, "list", "--state", "accepted", "--as", "8009")
    assert ref in r.stdout and rv.refs["sale"] not in r.stdout
    r = run(rv, "mine", "--as", "8005")
    assert "No open exceptions" in r.stdout


def test_one_line_errors_with_the_right_exit_codes(rv):
    ref = rv.refs["sale"]
    r = run(rv, "exception", ref, "--category", "vibes", "--note", "x", "--as", "8009")
    assert r.exit_code == 2 and "Unknown category" in r.stderr and "Traceback" not in r.output
    r = run(rv, "ok", "sale:NOPE", "--as", "8009")
    assert r.exit_code == 2 and "No reviewable record" in r.stderr
    r = run(rv, "list", "--day", "25/11/2026", "--as", "8009")
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    r = run(rv, "ok", ref, "--as", "8005")  # a clerk does not review
    assert r.exit_code == 3 and "review.audit" in r.stderr
    r = run(rv, "ok", ref, "--as", "9001", pin="123456")  # nor does the hall manager
    assert r.exit_code == 3
    run(rv, "exception", ref, "--category", "other", "--note", "look", "--as", "8009")
    r = run(rv, "rectify", ref, "--with", "note", "--note", "x", "--as", "8004")
    assert r.exit_code == 3 and "8005" in r.stderr
    r = run(rv, "rectify", ref, "--with", "refund:F20990101-0001", "--as", "8005")
    assert r.exit_code == 2 and "since the exception" in r.stderr
    own = rv.refs["stock"]  # 8009's own delivery
    r = run(rv, "ok", own, "--as", "8009")
    assert r.exit_code == 3 and "own record" in r.stderr
    run(rv, "exception", own, "--category", "missing_paperwork", "--note", "no note",
        "--as", "8010")
    run(rv, "rectify", own, "--with", "note", "--note", "filed", "--as", "8009")
    r = run(rv, "accept", own, "--as", "8009")
    assert r.exit_code == 3 and "another auditor" in r.stderr
    r = run(rv, "list", "--as", "8005")
    assert r.exit_code == 3


def test_cash_and_reveals(rv):
    r = run(rv, "cash", "--day", DAY.isoformat(), "--as", "8009")
    assert r.exit_code == 0, r.output
    assert "Counter 1" in r.stdout and "witness 8002" in r.stdout and "Day end" in r.stdout
    r = run(rv, "reveals", "--as", "8009")
    assert r.exit_code == 0 and "Nobody viewed" in r.stdout
