"""The keys help: every key of the current screen, with what it does (``?``).

It lists what the screen's footer draws from (``active_bindings``: the focused
widget's keys, the screen's, then the shell's), including keys the footer has no
room for or does not show, and says which ones do nothing at the moment.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare, find
from screens.translate import TranslatedKeys


def has_own_keys(screen: Screen) -> bool:
    """Does ``screen`` (or a widget on it) declare actions of its own?"""
    return any(getattr(type(node), "ACTIONS", None) for node in screen.walk_children(
        with_self=True))


def key_rows(screen: Screen) -> list[tuple[str, str, str, bool]]:
    """(key, title, help, usable now) for every declared key active on ``screen``."""
    app = screen.app
    rows = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        declared = find(binding.id)
        if declared is None and not binding.action.startswith("open_post(") \
                and binding.action != "command_palette":
            continue
        name = binding.id or binding.action
        if name in seen:
            continue
        seen.add(name)
        key = app.get_key_display(binding)
        rows.append((key, binding.description, binding.tooltip, active.enabled))
    return rows


class KeysScreen(TranslatedKeys, ModalScreen[None]):
    """Every key of the screen it was opened on."""

    DEFAULT_CSS = """
    KeysScreen { align: center middle; }
    KeysScreen > VerticalScroll {
        width: 96; max-width: 100%; height: auto; max-height: 90%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    KeysScreen #keys-title { text-style: bold; margin-bottom: 1; }
    """
    ACTIONS = declare(
        "keys", N_("Keys help"),
        Action("keys.close", "escape", "close", N_("Close"), N_("Back to the screen")),
        order=95)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self._rows = key_rows(screen)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(_("Keys of this screen"), id="keys-title")
            yield Static(self._table(), id="keys-table")
        yield Footer(compact=True)

    def _table(self) -> Table:
        table = Table(box=None, show_header=True, expand=True, padding=(0, 1))
        table.add_column(_("Key"), no_wrap=True, style="bold")
        table.add_column(_("Action"), no_wrap=True)
        table.add_column(_("What it does"), ratio=1)
        not_now = _("not now")
        for key, title, help_, enabled in self._rows:
            style = "" if enabled else "dim"
            what = help_ if enabled else f"{help_} ({not_now})".strip()
            table.add_row(Text(key, style=style), Text(title, style=style),
                          Text(what, style=style))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
