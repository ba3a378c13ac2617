"""Generated sections of the docs (``python -m hallterm.tools.docgen [--check]``).

Reference pages cannot drift from the code: a page under ``docs/`` marks a region
whose text is written by a function of the code, as sqlite-utils does with cog::

    <!-- [[[docgen cli]]] -->
    ...written by the generator, never edited by hand...
    <!-- [[[end]]] -->

``python -m hallterm.tools.docgen`` rewrites every marked region of every page;
``--check`` writes nothing and exits 1 naming the stale pages (``tests/test_docs.py``
runs the check, so a change to a command, a setting or an exit code that is not
regenerated fails the suite).

**Adding a generated section** (the keys reference, the export format, …):

1. Write a function that returns the section's Markdown, in your own module, e.g.
   ``def keys_markdown() -> str`` in ``screens/actions.py``. It must be
   deterministic (no clock, no host name, English text: the generator sets ``en``).
2. Add one line to ``SECTIONS`` below: ``"keys": "screens.actions:keys_markdown"``.
   The target is a string imported only when the section is generated, so the
   core never imports Textual (the import-linter contracts stay green).
3. Put the two marker lines in the page (``docs/reference/keys.md``), run
   ``uv run python -m hallterm.tools.docgen`` and commit the page.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# name -> "module:function" returning the Markdown of the region (imported lazily).
SECTIONS: dict[str, str] = {
    "cli": "hallterm.tools.docgen:cli_markdown",
    "settings": "hallterm.tools.docgen:settings_markdown",
    "exit-codes": "hallterm.tools.docgen:exit_codes_markdown",
    "keys": "screens.keysdoc:keys_markdown",
    "export-format": "hallterm.services.export:reference_markdown",
}

_REGION = re.compile(
    r"(?P<start><!-- \[\[\[docgen (?P<name>[\w-]+)\]\]\] -->\n)(?P<body>.*?)"
    r"(?P<end><!-- \[\[\[end\]\]\] -->)",
    re.S,
)


# -- the CLI ------------------------------------------------------------------------------
def _walk(cmd: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    subcommands = getattr(cmd, "commands", None)
    if subcommands:
        # A group that runs on its own (``hallterm export --to DIR``) is a command too.
        if len(path) > 1 and getattr(cmd, "invoke_without_command", False):
            yield path, cmd
        for name in sorted(subcommands):
            yield from _walk(subcommands[name], [*path, name])
    else:
        yield path, cmd


def _cell(text: str | None) -> str:
    """One table cell: one line, ``|`` escaped, reStructuredText ````code```` as Markdown."""
    return " ".join((text or "").split()).replace("|", "\\|").replace("``", "`")


def _param_rows(params: list[Any]) -> list[str]:
    rows = []
    for param in params:
        if getattr(param, "hidden", False) or param.name == "help":
            continue
        if param.param_type_name == "argument":
            name = f"`{(param.metavar or param.name).upper()}`"
            kind = "argument" + ("" if param.required else " (optional)")
        else:
            flags = [*param.opts, *param.secondary_opts]
            metavar = ("" if getattr(param, "is_flag", False)
                       else f" {param.metavar or param.name.strip('_').upper()}")
            name = ", ".join(f"`{flag}{metavar if i == 0 else ''}`" for i, flag in enumerate(flags))
            kind = "required" if param.required else ("repeatable" if param.multiple else "")
            if param.default not in (None, False, (), []) and not callable(param.default):
                kind = f"default `{param.default}`"
        rows.append(f"| {name} | {kind} | {_cell(getattr(param, 'help', ''))} |")
    return rows


def cli_markdown() -> str:
    """Every command of ``hallterm``: its help text, arguments and options."""
    import typer.main

    from hallterm.cli.main import app

    root = typer.main.get_command(app)
    out = ["### Global options", "", "Given before the command: `hallterm [OPTIONS] COMMAND ...`.", "",
           "| option | | meaning |", "|---|---|---|", *_param_rows(root.params), ""]
    for path, cmd in _walk(root, ["hallterm"]):
        out += [f"### `{' '.join(path)}`", "", _cell(cmd.help or cmd.short_help), ""]
        rows = _param_rows(cmd.params)
        if rows:
            out += ["| argument / option | | meaning |", "|---|---|---|", *rows, ""]
    return "\n".join(out)


# -- settings -----------------------------------------------------------------------------
def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{value}`" for value in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " \\| ".join(_type_name(a) for a in args) + " (optional)"
    return {Path: "path", int: "integer", str: "text", bool: "true/false"}.get(
        annotation, getattr(annotation, "__name__", str(annotation)))


def settings_markdown() -> str:
    """Every settings key: type, default, environment variable, meaning (its docstring)."""
    from pydantic_core import PydanticUndefined

    from hallterm.settings import ENV_PREFIX, Settings

    out = ["| key | type | default | environment | meaning |", "|---|---|---|---|---|"]
    for key, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "(see meaning)"
        elif field.default is PydanticUndefined or field.default is None:
            default = "none"
        else:
            default = f"`{field.default}`"
        out.append(f"| `{key}` | {_type_name(field.annotation)} | {default} | "
                   f"`{ENV_PREFIX}{key.upper()}` | {_cell(field.description)} |")
    return "\n".join(out)


# -- exit codes ---------------------------------------------------------------------------
def exit_codes_markdown() -> str:
    """The CLI's exit codes with the errors that give each (from ``hallterm.errors``)."""
    from hallterm import errors

    classes = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, errors.HallTermError)]
    out = ["| code | meaning | raised as |", "|---|---|---|"]
    codes = sorted((value, name) for name, value in vars(errors).items()
                   if name.startswith("EXIT_") and isinstance(value, int))
    for value, name in codes:
        mine = [c for c in classes if c.exit_code == value and c is not errors.HallTermError]
        out.append(f"| {value} | {_cell(errors.EXIT_MEANINGS.get(value, name))} | "
                   f"{', '.join(f'`{c.__name__}`' for c in mine)} |")
    return "\n".join(out)


# -- the tool -----------------------------------------------------------------------------
def _function(name: str) -> Callable[[], str]:
    module, _sep, attr = SECTIONS[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def render(text: str, cache: dict[str, str] | None = None) -> str:
    """``text`` with every marked region rewritten."""
    from hallterm.i18n import set_language

    set_language("en")
    cache = {} if cache is None else cache

    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in SECTIONS:
            raise SystemExit(f"unknown docgen section {name!r} (known: {', '.join(SECTIONS)})")
        if name not in cache:
            cache[name] = _function(name)().rstrip("\n") + "\n"
        return match["start"] + cache[name] + match["end"]

    return _REGION.sub(fill, text)


def pages() -> list[Path]:
    """Every Markdown page of the docs (and the README) that holds a marked region."""
    candidates = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
    return [p for p in candidates if p.exists() and _REGION.search(p.read_text(encoding="utf-8"))]


def stale() -> list[Path]:
    """The pages whose generated regions differ from what the code says now."""
    cache: dict[str, str] = {}
    return [p for p in pages()
            if render(p.read_text(encoding="utf-8"), cache) != p.read_text(encoding="utf-8")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hallterm.tools.docgen", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a generated region is stale")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale()
        for page in bad:
            print(f"{page.relative_to(ROOT)}: stale; run: uv run python -m hallterm.tools.docgen",
                  file=sys.stderr)
        return 1 if bad else 0
    cache: dict[str, str] = {}
    for page in pages():
        old = page.read_text(encoding="utf-8")
        new = render(old, cache)
        if new != old:
            page.write_text(new, encoding="utf-8")
            print(f"updated {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
