"""The keys reference (docs/reference/keys.md), generated from the declared actions.

``keys_markdown`` is the ``keys`` section of ``hallterm.tools.docgen``: after adding or
changing an action run ``uv run python -m hallterm.tools.docgen``; tests/test_docs.py
fails while the page is stale.
"""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "keys.md"

_NAMES = {"escape": "Esc", "enter": "Enter", "delete": "Delete", "up": "↑", "down": "↓",
          "question_mark": "?", "slash": "/", "space": "Space", "tab": "Tab"}


def key_label(key: str) -> str:
    """``ctrl+t`` → ``Ctrl+T``, ``f2`` → ``F2``, ``question_mark`` → ``?``."""
    *mods, base = key.split("+")
    if base in _NAMES:
        name = _NAMES[base]
    elif (base[0] == "f" and base[1:].isdigit()) or (mods and len(base) == 1):
        name = base.upper()  # F2, Ctrl+T
    else:
        name = base  # a letter typed alone: v
    return "+".join([*(m.capitalize() for m in mods), name])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def keys_markdown() -> str:
    """The keys reference tables (the ``keys`` section of ``hallterm.tools.docgen``)."""
    from screens.actions import scopes
    from screens.registry import posts

    lines: list[str] = []
    for scope in scopes():
        if not scope.module.startswith("screens."):
            continue  # declared by a test
        actions = list(scope.actions)
        if scope.id == "shell":
            actions = [p.action() for p in posts()] + actions
        lines += [f"## {scope.title}", "", f"Scope `{scope.id}`.", "",
                  "| Key | Id | Action | What it does | Footer | Permission |",
                  "|---|---|---|---|---|---|"]
        for a in actions:
            key = a.key_display or key_label(a.key)
            permission = f"`{a.permission}`" if a.permission else ""
            lines.append(f"| {_cell(key)} | `{a.id}` | {_cell(a.title)} | {_cell(a.help)} | "
                         f"{'yes' if a.footer else ''} | {permission} |")
        lines.append("")
    return "\n".join(lines)
