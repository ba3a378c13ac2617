"""A yes/no question before something that cannot be undone (clear a cart, sign out).

Returns ``True`` for Y, ``False`` for N or Esc. Enter is no answer on purpose: a
scanner's Enter arriving late must not empty a cart.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from hallterm.i18n import N_
from screens.actions import Action, bindings, declare
from screens.translate import TranslatedKeys


class ConfirmDialog(TranslatedKeys, ModalScreen[bool]):
    """Ask one question; Y answers yes, N or Esc no."""

    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical {
        width: 64; height: auto; padding: 1 2; border: thick $warning; background: $panel;
    }
    ConfirmDialog #confirm-title { text-style: bold; color: $warning; margin-bottom: 1; }
    """
    ACTIONS = declare(
        "confirm", N_("Questions (yes / no)"),
        Action("confirm.yes", "y", "answer(True)", N_("Yes")),
        Action("confirm.no", "n", "answer(False)", N_("No")),
        Action("confirm.cancel", "escape", "answer(False)", N_("Cancel"), footer=False),
        order=97)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self._title = title
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self._title), id="confirm-title")
            yield Static(Text(self._text), id="confirm-text")
        yield Footer(compact=True)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
