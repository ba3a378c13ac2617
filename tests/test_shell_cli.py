"""The demo's fast start: its command-line reading and the settings it paints with."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallterm.cli import fastdemo
from hallterm.early import early_settings


@pytest.mark.parametrize(("argv", "expected"), [
    (["demo"], ({}, False, None)),
    (["--language", "zh_CN", "demo", "--reset"], ({"language": "zh_CN"}, True, None)),
    (["--store=/x.db", "--counter", "3", "demo", "--store", "/y.db"],
     ({"store": Path("/x.db"), "counter": 3}, False, Path("/y.db"))),
])
def test_plain_demo_lines_take_the_fast_path(argv, expected):
    assert fastdemo.parse(argv) == expected


@pytest.mark.parametrize("argv", [
    [], ["--version"], ["demo", "--no-app"], ["demo", "--help"], ["demo", "-h"],
    ["demo", "--store"], ["--counter", "x", "demo"], ["staff", "list"], ["demo", "--bogus"],
    ["--bogus", "demo"],
])
def test_anything_else_goes_to_typer(argv):
    assert fastdemo.parse(argv) is None


def test_run_opens_the_demo_without_typer(monkeypatch):
    from hallterm.cli import main

    opened = []
    monkeypatch.setattr(fastdemo, "open_demo",
                        lambda opts, *, reset, store: opened.append((opts.values, reset, store)))
    monkeypatch.setattr("sys.argv", ["hallterm", "--terminal", "T9", "demo", "--reset"])
    main.run()
    assert opened == [({"config": None, "store": None, "terminal": "T9", "counter": None,
                        "language": None}, True, None)]


def test_early_settings_follow_options_over_environment_over_file(tmp_path, monkeypatch):
    config = tmp_path / "hallterm.toml"
    config.write_text('terminal = "FILE"\ncounter = 2\nlanguage = "zh_CN"\n'
                      'idle_lock_minutes = 9\n')
    early = early_settings(config, {})
    assert (early.terminal, early.counter, early.language, early.idle_lock_minutes) == (
        "FILE", 2, "zh_CN", 9)
    monkeypatch.setenv("HALLTERM_TERMINAL", "ENV")
    monkeypatch.setenv("HALLTERM_NOW", "2026-11-25T09:00:00+08:00")
    early = early_settings(config, {"counter": 4, "language": None})
    assert (early.terminal, early.counter, early.language) == ("ENV", 4, "zh_CN")
    assert early.now.isoformat() == "2026-11-25T09:00:00+08:00"
    assert early_settings(config, {"terminal": "OPT"}).terminal == "OPT"


def test_early_settings_leave_bad_values_to_the_real_settings(tmp_path):
    config = tmp_path / "hallterm.toml"
    config.write_text('language = "fr"\ncounter = "x"\ntimezone = "Mars/Olympus"\n')
    early = early_settings(config, {})
    assert (early.language, early.counter, early.timezone) == ("en", None, "Asia/Shanghai")
