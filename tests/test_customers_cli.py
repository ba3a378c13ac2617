"""``hallterm customer check-id|show|find``: exit codes, one-line errors, masks, reveal."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.services.customers import Person
from hallterm.store import execute
from tests.conftest import STAFF_PIN
from tests.test_customers import NUMBER, PHONE, gb, identify

runner = CliRunner()


def run(hall, *args, pin=STAFF_PIN):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_PIN": pin}
    return runner.invoke(app, ["customer", *args, "--store", str(hall.path)], env=env)


def check(*args):
    return runner.invoke(app, ["customer", "check-id", *args],
                         env={"HALLTERM_NOW": "2026-11-25T10:00:00+08:00"})


@pytest.mark.sqlite_only
def test_check_id_prints_the_normalised_number_and_type():
    r = check("110105 19491231 002x")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "11010519491231002X resident"
    r = check("--type", "passport", "e1234 5678")
    assert (r.exit_code, r.stdout.strip()) == (0, "E12345678 passport")
    r = check(gb("83000019800101001"))
    assert r.stdout.split()[1] == "hmt_residence"
    r = check("--json", NUMBER)
    assert json.loads(r.stdout)["birth"] == "1949-12-31"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("args", "reason"), [
    (["110105194912310021"], "Wrong check digit"),
    ([gb("11010519491331002")], "not a real date"),
    (["--type", "hk_macao_permit", "X1234"], "H or M and 8 digits"),
    (["--type", "licence", NUMBER], "Unknown document type"),
    (["--type", "household", NUMBER], "minors only"),
])
def test_check_id_refuses_with_the_reason_on_one_line(args, reason):
    r = check(*args)
    assert r.exit_code == 2, r.output
    assert reason in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert r.stdout == ""


@pytest.mark.sqlite_only
def test_check_id_warns_of_an_unknown_birthplace_and_passes():
    r = check(gb("10000019800101001"))
    assert r.exit_code == 0 and "100000" in r.stderr


def test_show_masks_and_reveal_asks_a_reason_and_the_permission(hall):
    clerk = hall.add("1001", "acceptance")
    hall.add("1002", "sales")
    identify(clerk, Person("resident", NUMBER, "张三", PHONE))
    r = run(hall, "show", NUMBER.lower(), "--as", "1002")
    assert r.exit_code == 0, r.output
    assert "110***********002X" in r.stdout and "138****1234" in r.stdout
    assert NUMBER not in r.stdout and PHONE not in r.stdout
    r = run(hall, "show", NUMBER, "--reveal", "--as", "1001")
    assert r.exit_code == 2 and "why" in r.stderr
    r = run(hall, "show", NUMBER, "--reveal", "--reason", "confirming", "--as", "1002")
    assert r.exit_code == 3 and "data.reveal" in r.stderr
    r = run(hall, "show", NUMBER, "--reveal", "--reason", "confirming", "--as", "1001", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["number"] == NUMBER
    r = run(hall, "show", NUMBER, "--reveal", "--reason", "confirming", "--as", "1001")
    assert r.exit_code == 0 and NUMBER in r.stdout and PHONE in r.stdout
    with hall.ctx.store.read() as session:
        assert execute(session, "SELECT COUNT(*) FROM audit_log WHERE action = 'data.reveal'"
                       ).scalar() == 2
    r = run(hall, "show", gb("11010519800101001"), "--as", "1001")
    assert r.exit_code == 2 and "No customer" in r.stderr


def test_find_by_phone_or_name_and_sign_in_needed(hall):
    clerk = hall.add("1001", "acceptance")
    identify(clerk, Person("resident", NUMBER, "张三", PHONE))
    r = run(hall, "find", "--phone", "138 1234 1234", "--as", "1001", "--json")
    assert r.exit_code == 0, r.output
    assert [c["id_masked"] for c in json.loads(r.stdout)] == ["110***********002X"]
    r = run(hall, "find", "--name", "张", "--as", "1001")
    assert r.exit_code == 0 and "张三" in r.stdout
    r = run(hall, "find", "--name", "李", "--as", "1001")
    assert r.exit_code == 0 and "No customer found" in r.stderr
    r = run(hall, "find", "--name", "张")
    assert r.exit_code == 2 and "--as" in r.stderr
    r = run(hall, "find", "--as", "1001")
    assert r.exit_code == 2 and "Give a document number" in r.stderr
    r = run(hall, "find", "--name", "张", "--as", "1001", pin="000000")
    assert r.exit_code == 3
