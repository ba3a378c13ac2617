"""The docs stay current: every command and setting documented, references generated,
links that resolve, and a README that stays a front door."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from hallterm.cli.main import app
from hallterm.settings import Settings
from hallterm.tools import docgen

pytestmark = pytest.mark.sqlite_only  # the docs: nothing of the engine

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted((ROOT / "docs").rglob("*.md"))
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in PAGES)


def _expanded(text: str) -> str:
    """``hallterm queue call|recall`` in the docs documents both commands."""
    extra = []
    for m in re.finditer(r"(hallterm (?:[\w-]+ )*?)([\w-]+(?:\|[\w-]+)+)", text):
        extra += [m.group(1) + alt for alt in m.group(2).split("|")]
    return text + "\n".join(extra)


def _commands(cmd, path):
    if getattr(cmd, "commands", None):
        if len(path) > 1 and getattr(cmd, "invoke_without_command", False):
            yield " ".join(path)  # a group that runs on its own: `hallterm export --to DIR`
        for name, sub in cmd.commands.items():
            yield from _commands(sub, [*path, name])
    else:
        yield " ".join(path)


def _written() -> str:
    """The docs as written by people: without the generated regions (they list everything)."""
    return re.sub(r"<!-- \[\[\[docgen [\w-]+\]\]\] -->.*?<!-- \[\[\[end\]\]\] -->", "", DOCS,
                  flags=re.S)


def test_every_command_is_explained_in_the_docs():
    missing = [c for c in _commands(typer.main.get_command(app), ["hallterm"])
               if c not in _expanded(_written())]
    assert missing == []


def test_the_cli_reference_has_a_section_for_every_command():
    """`hallterm export` runs on its own as well as having `export verify`: both are listed."""
    page = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(typer.main.get_command(app), ["hallterm"])
               if f"### `{c}`" not in page]
    assert missing == []


def test_every_setting_is_documented():
    missing = [k for k in Settings.model_fields if f"`{k}`" not in DOCS]
    assert missing == []
    settings_page = (ROOT / "docs/reference/settings.md").read_text(encoding="utf-8")
    missing = [k for k in Settings.model_fields if f"| `{k}` |" not in settings_page]
    assert missing == []


def test_generated_reference_pages_are_current():
    """CLI, settings and exit codes: regenerate with ``python -m hallterm.tools.docgen``."""
    assert [str(p.relative_to(ROOT)) for p in docgen.stale()] == []


def test_the_readme_is_a_front_door():
    assert len(README.splitlines()) <= 200
    assert "uv run hallterm demo" in README and "uv run pytest" in README
    assert "| 8001 | hall manager" in README and "246810" in README  # demo credentials
    linked = {(ROOT / target).resolve() for target in re.findall(r"\]\((docs/[^)#]+)", README)}
    not_in_the_map = [str(p.relative_to(ROOT)) for p in PAGES if p.resolve() not in linked]
    assert not_in_the_map == [], "link every page from the README's map (## The docs)"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#{1,6} (.*)$", text, re.M)}


def test_every_link_between_the_pages_resolves():
    broken = []
    for page in [ROOT / "README.md", *PAGES]:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            file, _sep, anchor = target.partition("#")
            dest = (page.parent / file).resolve() if file else page
            if not dest.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []
