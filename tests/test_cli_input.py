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


# --- an unknown counter ----------------------------------------------------------------


def run_on(hall, *args, approver_pin=None, pin="246810"):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_PIN": pin}
    if approver_pin:
        env["HALLTERM_APPROVER_PIN"] = approver_pin
    return runner.invoke(app, [*args, "--store", str(hall.path)], env=env)


@pytest.mark.parametrize("args", [
    ("cash", "expected", "--counter", "99", "--as", "8004"),
    ("cash", "expected", "--counter", "99", "--json", "--as", "8004"),
    ("cash", "count", "--counter", "99", "--counted", "0", "--as", "8004"),
    ("cash", "move", "--counter", "99", "--kind", "float", "--amount", "5", "--as", "8004"),
    ("sales", "list", "--counter", "99", "--as", "8004"),
    ("stock", "show", "--place", "counter:99"),
    ("--counter", "99", "queue", "finish", "--as", "8004"),
    ("queue", "call", "--counter", "99", "--as", "8004"),
    ("queue", "counter", "99", "open", "--as", "9001"),
])
def test_an_unknown_counter_is_one_line_exit_2(hall, args):
    from tests.sales_fixtures import stock_hall

    stock_hall(hall)
    r = run_on(hall, *args, pin="123456" if "9001" in args else "246810")
    assert r.exit_code == 2, (r.output, r.stderr)
    assert "99" in one_line(r)
    assert r.stdout == ""


def test_a_void_paying_out_of_an_unknown_counter_is_refused_and_nothing_changes(hall):
    from hallterm.services import sales
    from hallterm.services.sales import PaymentIn
    from tests.sales_fixtures import item_line, stock_hall

    stock_hall(hall)
    done = sales.complete_sale(hall.sales, counter=1, visit_id=None,
                               lines=[item_line(hall.sales, "ACC-CASE")],
                               payments=[PaymentIn("cash", 4900, 4900)])
    r = run_on(hall, "--counter", "99", "sales", "void", done.receipt_no, "--reason", "x",
               "--as", "8004", "--approver", "8002", approver_pin="246810")
    assert r.exit_code == 2 and "99" in one_line(r)
    assert sales.get_sale(hall.sales, receipt_no=done.receipt_no).state != "void"


def test_the_app_with_an_unknown_counter_says_so_before_any_screen(hall):
    r = runner.invoke(app, ["--counter", "99", "app", "--store", str(hall.path)],
                      env={"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert r.exit_code == 2 and "99" in one_line(r)


# --- employee numbers: one rule ---------------------------------------------------------


@pytest.mark.parametrize("empno", ["abc", "80a1", "12", "1234567890123", " "])
def test_init_refuses_a_malformed_employee_number_and_creates_nothing(tmp_path, empno):
    path = tmp_path / "n.db"
    r = invoke("init", "--store", str(path), "--manager", empno, "--name", "Boss", env=PIN)
    assert r.exit_code == 2 and "employee number" in one_line(r)
    assert not path.exists() or path.stat().st_size == 0


def test_staff_add_and_as_use_the_same_rule(store):
    r = invoke("staff", "add", "abc", "--name", "Li", "--roles", "sales", "--as", "9001",
               "--store", str(store), env=PIN | {"HALLTERM_NEW_PIN": "246810"})
    assert r.exit_code == 2 and "employee number" in one_line(r)
    r = invoke("day", "open", "--as", "abc", "--store", str(store))  # no PIN asked first
    assert r.exit_code == 2 and "employee number" in one_line(r)
    r = invoke("staff", "add", "8001", "--name", "Li", "--roles", "sales", "--as", "9001",
               "--store", str(store), env=PIN | {"HALLTERM_NEW_PIN": "246810"})
    assert r.exit_code == 0, r.stderr


# --- columns by display width -----------------------------------------------------------


def test_staff_list_lines_up_with_chinese_names(hall):
    from rich.cells import cell_len

    hall.add("8004", "sales", name="王芳")
    hall.add("8005", "sales", name="Li Fang")
    hall.add("8006", "sales", name="欧阳小明")
    r = run_on(hall, "staff", "list", "--as", "9001", pin="123456")
    assert r.exit_code == 0, r.stderr
    rows = [line for line in r.stdout.splitlines() if line[:4] in ("8004", "8005", "8006")]
    starts = {cell_len(line[:line.index("active")]) for line in rows}
    assert len(rows) == 3 and len(starts) == 1, r.stdout


def test_staff_list_lines_up_in_chinese_too(hall):
    from rich.cells import cell_len

    from hallterm.i18n import _, set_language

    hall.add("8004", "sales", name="王芳")
    hall.add("8005", "duty_manager", name="Li Fang")
    r = runner.invoke(app, ["--language", "zh_CN", "staff", "list", "--as", "9001", "--store",
                            str(hall.path)],
                      env={"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_PIN": "123456"})
    set_language("zh_CN")
    active = _("active")
    rows = [line for line in r.stdout.splitlines() if line[:4] in ("8004", "8005", "9001")]
    states = {cell_len(line[:line.index(active)]) for line in rows}
    assert active != "active" and len(rows) == 3 and len(states) == 1, r.stdout


@pytest.mark.parametrize("args", [
    ("cash", "expected", "--counter", "99", "--as", "8004"),
    ("sales", "list", "--counter", "99", "--as", "8004"),
    ("--counter", "99", "queue", "finish", "--as", "8004"),
])
def test_an_unknown_counter_is_said_before_a_pin_is_asked(hall, args):
    r = runner.invoke(app, [*args, "--store", str(hall.path)],
                      env={"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert r.exit_code == 2 and "No counter 99" in one_line(r)


def test_init_says_a_bad_employee_number_before_asking_for_a_pin(tmp_path):
    r = invoke("init", "--store", str(tmp_path / "n.db"), "--manager", "abc", "--name", "B")
    assert r.exit_code == 2 and "employee number" in one_line(r)


def test_staff_list_lines_up_with_long_names(hall):
    from rich.cells import cell_len

    hall.add("8004", "sales", name="陈销售 Chen (sales)")
    hall.add("8005", "sales", name="刘受理 Liu (acceptance)")
    r = run_on(hall, "staff", "list", "--as", "9001", pin="123456")
    rows = [line for line in r.stdout.splitlines() if line[:4] in ("8004", "8005", "9001")]
    assert len({cell_len(line[:line.index("active")]) for line in rows}) == 1, r.stdout
