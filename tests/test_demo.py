"""The demo hall a newcomer opens: every area's seed runs and leaves a consistent store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
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


def test_the_demo_starts_as_counter_1s_terminal_on_its_first_run(tmp_path):
    """The README's `HALLTERM_COUNTER=1 uv run hallterm demo`: seeding works the demo
    hall's counters as their keepers, not as this terminal (it was refused, exit 3)."""
    store = tmp_path / "demo" / "demo.db"
    r = runner.invoke(app, ["--counter", "1", "demo", "--no-app", "--store", str(store)])
    assert r.exit_code == 0, r.output + r.stderr
    r = runner.invoke(app, ["stock", "verify", "--store", str(store)])
    assert r.exit_code == 0, r.output + r.stderr


def test_demo_store_still_opens_after_a_real_init(tmp_path):
    """A real hall's secret in the config folder does not hide the demo store's own."""
    store = tmp_path / "demo" / "demo.db"
    assert runner.invoke(app, ["demo", "--no-app", "--store", str(store)]).exit_code == 0
    r = runner.invoke(app, ["init", "--store", str(tmp_path / "real.db"), "--manager", "1001",
                            "--name", "Real"], env={"HALLTERM_PIN": "135790"})
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(app, ["queue", "status", "--store", str(store)])
    assert r.exit_code == 0, r.stderr


ROOT = Path(__file__).parent.parent


def readme_handover_example() -> str:
    """The handover guide's demo example: the sh block after the paragraph naming it."""
    text = (ROOT / "docs" / "guide" / "handover.md").read_text(encoding="utf-8")
    start = text.index("counter 1 from 8004 to 8007")
    block = text[text.index("```sh\n", start) + len("```sh\n"):]
    return block[:block.index("```")]


def test_demo_keeps_the_retention_clerk_free(tmp_path):
    store = tmp_path / "demo.db"
    assert runner.invoke(app, ["demo", "--no-app", "--store", str(store)]).exit_code == 0
    r = runner.invoke(app, ["queue", "status", "--json", "--store", str(store)])
    clerks = {c["number"]: c["clerk"] for c in json.loads(r.stdout)["counters"]}
    assert "8007" not in clerks.values()
    assert clerks[1] == "8004"


@pytest.mark.slow
def test_readme_handover_example_runs_as_written(tmp_path):
    """The handover guide's example, run by bash line for line (only /tmp/ is a temp folder)."""
    script = readme_handover_example()
    assert "--outgoing 8004 --incoming 8007" in script
    shim = (f'uv() {{ shift 2; "{sys.executable}" -c '
            "'from hallterm.cli.main import run; run()' \"$@\"; }\n")
    result = subprocess.run(["bash", "-euc", shim + script.replace("/tmp/", f"{tmp_path}/")],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8007 now serves at counter 1" in result.stdout
    assert "difference -¥10.00" in result.stdout
    assert "differences worth ¥0.00" in result.stdout, result.stdout
    store = str(tmp_path / "ho-demo.db")
    env = {"HALLTERM_KEY_FILE": str(tmp_path / "hallterm.key")}
    r = runner.invoke(app, ["queue", "status", "--json", "--store", store], env=env)
    counter = next(c for c in json.loads(r.stdout)["counters"] if c["number"] == 1)
    assert (counter["state"], counter["clerk"]) == ("open", "8007")


def test_demo_store_uses_the_key_file_the_settings_name(tmp_path):
    """``HALLTERM_KEY_FILE`` is honoured: the next command with the same settings opens it."""
    key = tmp_path / "keys" / "hall.key"
    key.parent.mkdir()
    store = tmp_path / "d" / "demo.db"
    env = {"HALLTERM_KEY_FILE": str(key)}
    r = runner.invoke(app, ["demo", "--no-app", "--store", str(store)], env=env)
    assert r.exit_code == 0, r.output + r.stderr
    assert key.exists() and not (store.parent / "hallterm.key").exists()
    r = runner.invoke(app, ["queue", "status", "--store", str(store)], env=env)
    assert r.exit_code == 0, r.stderr


def test_the_fast_demo_path_uses_the_key_file_too(tmp_path, monkeypatch):
    import screens.app
    from hallterm.cli.fastdemo import fast_path

    key = tmp_path / "keys" / "hall.key"
    key.parent.mkdir()
    store = tmp_path / "d" / "demo.db"
    monkeypatch.setenv("HALLTERM_KEY_FILE", str(key))
    seen = {}

    def fake_run_app(early, config_file, *, demo, load_settings, prepare):
        settings, _cfg = load_settings()
        seen["demo"] = prepare(settings, None)

    monkeypatch.setattr(screens.app, "run_app", fake_run_app)
    opener = fast_path(["demo", "--store", str(store)])
    assert opener is not None
    opener()
    assert seen["demo"].store == store
    assert key.exists() and not (store.parent / "hallterm.key").exists()
