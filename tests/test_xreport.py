"""The interim X report and closing from the app: figures so far, nothing locked."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.errors import Forbidden, Refused
from hallterm.services.day import closing, day_state, x_report
from tests.conftest import MANAGER_PIN, STAFF_PIN
from tests.sales_fixtures import item_line, stock_hall


def sell(ctx, sku="ACC-CASE"):
    from hallterm.services import sales
    from hallterm.services.sales import PaymentIn

    line = item_line(ctx, sku)
    return sales.complete_sale(ctx, counter=1, visit_id=None, lines=[line],
                               payments=[PaymentIn("cash", sales.cart_total([line]))])


def test_x_report_shows_figures_so_far_and_locks_nothing(hall, tmp_path):
    stock_hall(hall)
    sell(hall.sales)
    duty = hall.as_("8002")  # any manager, not only the hall manager
    first = x_report(duty, reports_dir=tmp_path)
    assert first.x_number == 1 and first.by == "8002"
    assert first.data["receipts"]["count"] == 1 and first.data["kind"] == "X"
    assert "INTERIM REPORT (X) 1" in first.text and "not a Z report" in first.text
    assert any("closes at 18:00" in b for b in first.blockers)
    assert (tmp_path / "x-report-2026-11-25-01.txt").read_text(encoding="utf-8").startswith(
        "INTERIM REPORT (X) 1")
    assert json.loads((tmp_path / "x-report-2026-11-25-01.json").read_text())["x_number"] == 1
    # Nothing is locked or numbered as a Z: the day goes on and sells again.
    assert day_state(hall.ctx) == "open"
    sell(hall.sales)
    second = x_report(hall.manager, reports_dir=tmp_path)
    assert second.x_number == 2 and second.data["receipts"]["count"] == 2
    # The Z report that follows is still Z 1, and it counts both sales.
    z = closing.close_day(hall.manager, force=True, reason="test", reports_dir=tmp_path)
    assert z.z_number == 1
    with pytest.raises(Refused, match="is closed"):
        x_report(duty, reports_dir=tmp_path)


def test_x_report_is_for_managers_only(hall, tmp_path):
    clerk = hall.add("8004", "sales")
    with pytest.raises(Forbidden):
        x_report(clerk, reports_dir=tmp_path)
    assert not list(tmp_path.glob("x-report-*"))


@pytest.mark.sqlite_only  # its reports beside the store file
def test_cli_day_xreport(hall):
    hall.add("8002", "duty_manager")
    runner = CliRunner()
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T12:00:00+08:00",
           "HALLTERM_PIN": STAFF_PIN}
    r = runner.invoke(app, ["day", "xreport", "--as", "8002", "--store", str(hall.path)], env=env)
    assert r.exit_code == 0, r.output
    assert "INTERIM REPORT (X) 1" in r.stdout and "x-report-2026-11-25-01.txt" in r.stdout
    assert (hall.path.parent / "reports" / "x-report-2026-11-25-01.txt").exists()
    r = runner.invoke(app, ["day", "xreport", "--json", "--as", "9001", "--store",
                            str(hall.path)], env={**env, "HALLTERM_PIN": MANAGER_PIN})
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["x_number"] == 2
    r = runner.invoke(app, ["day", "status", "--json", "--store", str(hall.path)], env=env)
    assert '"state":"open"' in r.stdout and '"z_number":null' in r.stdout
