"""A small modal form: a title, a few labelled inputs, Enter to confirm, Esc to cancel.

Returns a typed result to the caller: ``dict`` of field name to the text typed, or
``None`` when cancelled. Used for transfer (ticket, service, reason), cancel and
re-insert (ticket, reason) on the Reception screen and the counter panel, and the
sales, warehouse and handover forms.

A form may be given a ``check``: it runs (in a thread, it may read the store) on
Enter with the values typed and raises a ``HallTermError`` when something is
wrong. The form then stays open with everything typed, marks the wrong input
(``error.field`` names it) with the ``-invalid`` class and says why under it; the
clerk fixes that field and presses Enter again. Only a request the check accepts
closes the form — so a second person is asked for a PIN only for a valid one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label

from hallterm.errors import HallTermError
from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare
from screens.shell import in_thread
from screens.translate import TranslatedKeys


@dataclass(frozen=True)
class Field:
    """One input of the form: its name, its (English, translated when shown) label."""

    name: str
    label: str
    value: str = ""
    required: bool = True


def run_check(form: Widget, check: Callable[[Any], Any], values: Any, *,
              done: Callable[[Any], Any], mark: Callable[[str | None, str], Any],
              finished: Callable[[], Any]) -> None:
    """Run a form's ``check`` in a thread: ``done(outcome)`` when it passes; a refusal
    (or a bug, with an apology) ``finished()`` and ``mark``s the field it names."""

    def refused(exc: HallTermError | None) -> None:
        finished()
        if exc is None:
            mark(None, _("Sorry, something went wrong."))
        else:
            mark(getattr(exc, "field", None), str(exc))

    in_thread(form, functools.partial(check, values), group="form-check", exclusive=True,
              done=done, refused=refused, bug=functools.partial(refused, None))


class FormDialog(TranslatedKeys, ModalScreen[dict[str, str] | None]):
    """Ask for a few values; Enter on the last field checks them and confirms."""

    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > Vertical {
        width: 64; height: auto; padding: 1 2;
        border: thick $accent; background: $surface;
    }
    FormDialog .title { text-style: bold; margin-bottom: 1; width: 1fr; }
    FormDialog .error { color: $error; height: auto; }
    """
    ACTIONS = declare(
        "form", N_("Forms"),
        Action("form.cancel", "escape", "cancel", N_("Cancel"), N_("Close without changing")),
        # a priority binding: Enter moves the cursor at once, so what is typed straight
        # after it goes into the next field (as a Submitted message it went on into the
        # same field: the trial typed ahead into the wrong one)
        Action("form.next", "enter", "advance", N_("Next field"),
               N_("The next field; on the last, check and confirm"), footer=False,
               palette=False, priority=True),
        order=96)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, fields: list[Field],
                 check: Callable[[dict[str, str]], Any] | None = None) -> None:
        super().__init__()
        self._title = title
        self._fields = fields
        self._check = check
        self._checking = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            for f in self._fields:
                yield Label(_(f.label))
                yield Input(value=f.value, id=f"field-{f.name}")
            yield Label("", id="form-error", classes="error")

    def values(self) -> dict[str, str]:
        """What is typed now, stripped, by field name."""
        return {f.name: self.query_one(f"#field-{f.name}", Input).value.strip()
                for f in self._fields}

    def action_advance(self) -> None:
        focused = self.focused
        if isinstance(focused, Input):
            self._advance(focused)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._advance(event.input)

    def _advance(self, field: Input) -> None:
        inputs = list(self.query(Input))
        if field not in inputs:
            return
        index = inputs.index(field)
        if index + 1 < len(inputs):
            self.set_focus(inputs[index + 1])  # now, not after the keys already typed
            return
        if self._checking:
            return
        values = self.values()
        missing = [f for f in self._fields if f.required and not values[f.name]]
        if missing:
            self.mark(missing[0].name, _("Fill in: {field}").format(field=_(missing[0].label)))
            return
        if self._check is None:
            self.dismiss(values)
            return
        self._checking = True
        self.query_one("#form-error", Label).update(_("Checking…"))
        run_check(self, self._check, values, done=lambda _ok: self.dismiss(values),
                  mark=self.mark, finished=self._checked)

    def _checked(self) -> None:
        self._checking = False

    def mark(self, name: str | None, message: str) -> None:
        """Show ``message``; mark input ``name`` (if it is one of ours) and put the cursor there.

        Nothing typed is cleared. The mark goes as soon as that input changes.
        """
        self.query_one("#form-error", Label).update(Text(message))
        for f in self._fields:
            self.query_one(f"#field-{f.name}", Input).remove_class("-invalid")
        target = None
        if name is not None:
            found = self.query(f"#field-{name}")
            target = found.first(Input) if found else None
        if target is None:
            inputs = list(self.query(Input))
            target = inputs[-1] if inputs else None
        else:
            target.add_class("-invalid")
        if target is not None:
            self.set_focus(target)

    def action_cancel(self) -> None:
        self.dismiss(None)
