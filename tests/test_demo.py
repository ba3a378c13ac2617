"""The demo hall a newcomer opens: every area's seed runs and leaves a consistent store."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hallterm.cli.main import app

runner = CliRunner()


def test_demo_store_is_seeded_and_consistent(tmp_path):
    store = tmp_path / "demo" / "demo.db"
    r = runner.invoke(app, ["demo", "--no-app", "--store", str(store)])
    assert r.exit_code == 0, r.output + r.stderr
    assert r.stdout.strip() == str(store)
    for args in (["audit", "verify"], ["stock", "verify"]):
        r = runner.invoke(app, [*args, "--store", str(store)])
        assert r.exit_code == 0, r.output + r.stderr
    r = runner.invoke(app, ["queue", "status", "--json", "--store", str(store)])
    status = json.loads(r.stdout)
    assert sum(s["waiting"] for s in status["services"]) > 0
    assert {c["state"] for c in status["counters"]} >= {"open", "paused", "closing", "closed"}
    # A second start reuses the store and writes nothing.
    r = runner.invoke(app, ["demo", "--no-app", "--store", str(store)])
    assert r.exit_code == 0
    r = runner.invoke(app, ["day", "close", "--as", "8001", "--store", str(store)],
                      env={"HALLTERM_PIN": "246810"})
    assert r.exit_code == 3 and "waiting" in r.stderr


def test_demo_store_still_opens_after_a_real_init(tmp_path):
    """A real hall's secret in the config folder does not hide the demo store's own."""
    store = tmp_path / "demo" / "demo.db"
    assert runner.invoke(app, ["demo", "--no-app", "--store", str(store)]).exit_code == 0
    r = runner.invoke(app, ["init", "--store", str(tmp_path / "real.db"), "--manager", "1001",
                            "--name", "Real"], env={"HALLTERM_PIN": "135790"})
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(app, ["queue", "status", "--store", str(store)])
    assert r.exit_code == 0, r.stderr
