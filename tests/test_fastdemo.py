"""The demo's fast start never swallows a settings error: bad settings take the Typer path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hallterm.cli.fastdemo import fast_path

ROOT = Path(__file__).parent.parent


def test_plain_demo_takes_the_fast_path():
    assert fast_path(["demo"]) is not None
    assert fast_path(["--language", "zh_CN", "demo", "--reset"]) is not None


def test_settings_files_and_bad_values_take_the_checked_path(tmp_path, monkeypatch):
    cfg = tmp_path / "h.toml"
    cfg.write_text("colour = 1\n")
    assert fast_path(["--config", str(cfg), "demo"]) is None
    assert fast_path(["--language", "fr", "demo"]) is None
    monkeypatch.setenv("HALLTERM_IDLE_LOCK_MINUTES", "0")
    assert fast_path(["demo"]) is None


def test_bad_config_for_demo_is_one_line_and_exit_2(tmp_path):
    cfg = tmp_path / "h.toml"
    cfg.write_text("colour = 1\n")
    result = subprocess.run([sys.executable, "-c", "from hallterm.cli.main import run; run()",
                             "--config", str(cfg), "demo"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"{cfg}: unknown setting 'colour'"
