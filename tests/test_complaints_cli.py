"""``hallterm complaint``: open prints the number, show/list as JSON, one-line errors."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from tests.complaint_fixtures import a_receipt, make_desk

runner = CliRunner()
PIN = "246810"


def run(hall, *args, counter=None, approver_pin=None):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_PIN": PIN}
    if counter is not None:
        env["HALLTERM_COUNTER"] = str(counter)
    if approver_pin:
        env["HALLTERM_APPROVER_PIN"] = approver_pin
    return runner.invoke(app, ["complaint", *args, "--store", str(hall.path)], env=env)


@pytest.fixture
def desk(hall):
    return make_desk(hall)


def _open(hall, *extra, counter=5):
    r = run(hall, "open", "--phone", "138 1234 5678", "--category", "billing", "--text",
            "Charged twice", "--as", "7001", *extra, counter=counter)
    assert r.exit_code == 0, r.output
    return r.stdout.strip()


def test_open_prints_the_number_and_show_json_has_stages_owner_and_deadlines(desk):
    receipt = a_receipt(desk.hall)
    number = _open(desk.hall, "--receipt", receipt)
    assert number == "TS2026-00001"
    r = run(desk.hall, "stage", number, "--stage", "1", "--done", "took it", "--as", "7001")
    assert r.exit_code == 0 and "stage 1 of 4" in r.stdout
    r = run(desk.hall, "show", number, "--json", "--as", "7001")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["number"], data["owner"], data["channel"], data["phone"]) == (
        number, "7001", "counter", "138****5678")
    assert data["receipt"] == receipt
    assert [s["name"] for s in data["stages"]] == ["accept", "explain", "resolve", "follow_up"]
    assert data["stages"][0]["done"] == "took it" and data["stages"][1]["done_at"] is None
    clocks = {c["name"]: c for c in data["clocks"]["clocks"]}
    assert set(clocks) == {"accept", "explain", "resolve", "reply"}
    assert clocks["accept"]["state"] == "met"
    assert clocks["explain"]["due"] and clocks["explain"]["left_seconds"] > 0
    assert clocks["reply"]["allowance_seconds"] == 15 * 86400
    assert "13812345678" not in r.stdout
    text = run(desk.hall, "show", number, "--as", "7001").stdout
    assert "Owner 7001" in text and "explain" in text and "left" in text


def test_an_unknown_related_record_exits_2_naming_it_and_opens_nothing(desk):
    for option, value in (("--receipt", "R999"), ("--order", "O999"), ("--ticket", "Z")):
        r = run(desk.hall, "open", "--phone", "13912345678", "--category", "billing", "--text",
                "x", option, value, "--as", "7001", counter=5)
        assert r.exit_code == 2, r.output
        assert value in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run(desk.hall, "list", "--json", "--as", "7009")
    assert json.loads(r.stdout) == []


def test_list_json_and_overdue_for_the_morning_check(desk):
    first = _open(desk.hall)
    r = run(desk.hall, "list", "--json", "--as", "7009")
    assert r.exit_code == 0 and [x["number"] for x in json.loads(r.stdout)] == [first]
    r = run(desk.hall, "list", "--overdue", "--json", "--as", "7009")
    assert json.loads(r.stdout) == []
    r = run(desk.hall, "list", "--as", "7009", "--mine")
    assert "No open complaints." in r.stdout


def test_an_overdue_clock_reads_overdue_by_in_working_hours(desk):
    """The morning check reads "overdue by 8h 00m", not a negative time left; a stage
    clock counts working hours, so it is said in hours (24 working hours are no day)."""
    _open(desk.hall, "--received-at", "2026-11-20T10:00:00+08:00")
    r = run(desk.hall, "list", "--overdue", "--as", "7009")
    assert r.exit_code == 0, r.output
    assert "overdue by" in r.stdout and " -" not in r.stdout.split("due", 1)[1]
    assert re.search(r"overdue by \d+h \d\dm", r.stdout), r.stdout


def test_closing_without_a_follow_up_result_is_one_line_exit_2(desk):
    number = _open(desk.hall)
    for n in (1, 2, 3):
        assert run(desk.hall, "stage", number, "--stage", str(n), "--done", "x",
                   "--as", "7001").exit_code == 0
    r = run(desk.hall, "close", number, "--summary", "done", "--as", "7001")
    assert r.exit_code == 2 and "follow-up result" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = run(desk.hall, "close", number, "--result", "unreachable", "--summary", "no answer",
            "--as", "7001")
    assert r.exit_code == 3 and "3 follow-up attempts" in r.stderr
    r = run(desk.hall, "close", number, "--result", "satisfied", "--summary", "credited",
            "--json", "--as", "7001")
    assert r.exit_code == 0 and json.loads(r.stdout)["state"] == "closed"


def test_out_of_order_not_yours_and_bad_values_are_one_line(desk):
    number = _open(desk.hall)
    r = run(desk.hall, "stage", number, "--stage", "3", "--done", "x", "--as", "7001")
    assert r.exit_code == 3 and "comes first" in r.stderr
    r = run(desk.hall, "stage", number, "--stage", "1", "--done", "x", "--as", "7002")
    assert r.exit_code == 3 and "7001" in r.stderr
    r = run(desk.hall, "open", "--phone", "12", "--category", "billing", "--text", "x",
            "--as", "7001")
    assert r.exit_code == 2 and "phone" in r.stderr
    r = run(desk.hall, "open", "--phone", "13812345678", "--category", "billing", "--text",
            "x", "--channel", "fax", "--as", "7001")
    assert r.exit_code == 2 and "counter or phone" in r.stderr
    r = run(desk.hall, "show", "TS2026-00099", "--as", "7001")
    assert r.exit_code == 2 and "no complaint" in r.stderr
    r = run(desk.hall, "show", number)
    assert r.exit_code == 2 and "--as" in r.stderr
    for err in (r.stderr,):
        assert "Traceback" not in err


def test_transfer_accept_pause_resume_appeal_from_the_command_line(desk):
    number = _open(desk.hall)
    r = run(desk.hall, "transfer", number, "--to", "7002", "--reason", "broadband", "--as",
            "7001")
    assert r.exit_code == 0 and "offered to 7002" in r.stdout
    r = run(desk.hall, "accept", number, "--as", "7002", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["owner"] == "7002"
    r = run(desk.hall, "pause", number, "--waiting-for", "bill copy", "--as", "7002")
    assert r.exit_code == 0 and "waiting for the customer" in r.stdout
    r = run(desk.hall, "resume", number, "--as", "7002")
    assert r.exit_code == 0 and "in progress" in r.stdout
    r = run(desk.hall, "appeal", number, "--reference", "GXB-1", "--as", "7009")
    assert r.exit_code == 0 and "appealed" in r.stdout
    # the regulator's dates from the clock: 5 working days to accept, 30 days to reply
    dates = "the regulator accepts by 2026-12-02 10:00, replies by 2026-12-25 10:00"
    assert "Appealed (GXB-1) 2026-11-25 10:00: " + dates in r.stdout, r.stdout
    assert dates in run(desk.hall, "show", number, "--as", "7009").stdout


def test_compensate_asks_the_approver_after_the_check(desk):
    number = _open(desk.hall)
    r = run(desk.hall, "compensate", number, "--kind", "credit", "--amount", "20",
            "--description", "bill credit", "--as", "7001")
    assert r.exit_code == 3 and "approval" in r.stderr
    r = run(desk.hall, "compensate", number, "--kind", "credit", "--amount", "300",
            "--description", "bill credit", "--approver", "7009", "--as", "7001",
            approver_pin=PIN)
    assert r.exit_code == 3 and "may not approve" in r.stderr
    r = run(desk.hall, "compensate", number, "--kind", "credit", "--amount", "20",
            "--description", "bill credit", "--approver", "7009", "--as", "7001",
            approver_pin=PIN)
    assert r.exit_code == 0, r.output
    assert "Bill credit ¥20.00 approved by 7009" in r.stdout
    r = run(desk.hall, "compensate", number, "--kind", "cash", "--amount", "20",
            "--description", "refund", "--approver", "7009", "--as", "7001", counter=5,
            approver_pin=PIN)
    assert r.exit_code == 3 and "Counter 5 is closed" in r.stderr  # nobody keeps its drawer


def test_the_complaint_reads_in_chinese(desk):
    number = _open(desk.hall)
    env = {"HALLTERM_KEY_FILE": str(desk.hall.key_file), "HALLTERM_PIN": PIN,
           "HALLTERM_NOW": "2026-11-25T10:00:00+08:00", "HALLTERM_LANGUAGE": "zh_CN"}
    r = runner.invoke(app, ["complaint", "show", number, "--as", "7001", "--store",
                            str(desk.hall.path)], env=env)
    assert r.exit_code == 0, r.output
    assert "处理中" in r.stdout and "接受投诉" in r.stdout and "营业中" not in r.stdout
    r = runner.invoke(app, ["complaint", "close", number, "--as", "7001", "--store",
                            str(desk.hall.path)], env=env)
    assert r.exit_code == 2 and "回访结果" in r.stderr
