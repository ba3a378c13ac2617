"""A small modal form: a title, a few labelled inputs, Enter to confirm, Esc to cancel.

Returns a typed result to the caller: ``dict`` of field name to the text typed, or
``None`` when cancelled. Used for transfer (ticket, service, reason), cancel and
re-insert (ticket, reason) on the Reception screen and the counter panel.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from hallterm.i18n import N_, _


@dataclass(frozen=True)
class Field:
    """One input of the form: its name, its (English, translated when shown) label."""

    name: str
    label: str
    value: str = ""
    required: bool = True


class FormDialog(ModalScreen[dict[str, str] | None]):
    """Ask for a few values; Enter on the last field confirms."""

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > Vertical {
        width: 64; height: auto; padding: 1 2;
        border: thick $accent; background: $surface;
    }
    FormDialog .title { text-style: bold; margin-bottom: 1; }
    FormDialog .error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), tooltip=N_("Close without changing"))]

    def __init__(self, title: str, fields: list[Field]) -> None:
        super().__init__()
        self._title = title
        self._fields = fields

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            for f in self._fields:
                yield Label(_(f.label))
                yield Input(value=f.value, id=f"field-{f.name}")
            yield Label("", id="form-error", classes="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        values = {f.name: self.query_one(f"#field-{f.name}", Input).value.strip()
                  for f in self._fields}
        missing = [f for f in self._fields if f.required and not values[f.name]]
        if missing:
            self.query_one("#form-error", Label).update(
                _("Fill in: {field}").format(field=_(missing[0].label)))
            self.query_one(f"#field-{missing[0].name}", Input).focus()
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
