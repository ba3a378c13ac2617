"""README stays current: every CLI command and every settings key is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from hallterm.cli.main import app
from hallterm.settings import Settings

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _expanded(text: str) -> str:
    """``hallterm queue call|recall`` in the README documents both commands."""
    extra = []
    for m in re.finditer(r"(hallterm (?:[\w-]+ )*?)([\w-]+(?:\|[\w-]+)+)", text):
        extra += [m.group(1) + alt for alt in m.group(2).split("|")]
    return text + "\n".join(extra)


def _commands(cmd, path):
    if getattr(cmd, "commands", None):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, [*path, name])
    else:
        yield " ".join(path)


def test_every_command_is_in_the_readme():
    missing = [c for c in _commands(typer.main.get_command(app), ["hallterm"])
               if c not in _expanded(README)]
    assert missing == []


def test_every_setting_is_in_the_readme():
    missing = [k for k in Settings.model_fields if f"`{k}`" not in README]
    assert missing == []


def test_the_two_commands_are_in_the_readme():
    assert "uv run hallterm demo" in README and "uv run pytest" in README
