"""A modal form of typed fields, choices and tick boxes: Enter moves on, the last confirms.

``FormDialog`` asks for a few texts; an order at the counter also needs a choice
from a list (a plan, a line, a document type) and tick boxes (the paperwork
flags). ``EntryForm`` takes three kinds of field::

    EntryForm(_("New line"), [Choice("plan", N_("Plan"), options), Typed("iccid", N_("ICCID")),
                              Flag("id_copy", N_("ID copy taken"))], check=fn)

Keyboard: Enter moves to the next field and, on the last one, confirms; on a
choice ↓ or Space opens its list (choosing moves on); Space ticks a box; Tab and
Shift+Tab move too; Ctrl+S confirms from anywhere; Esc cancels. Fields may
belong to a ``group`` that is shown only while ``shown_groups()`` names it (an
agent's identity appears when "an agent acts" is ticked).

Like ``FormDialog``, a ``check`` runs in a thread on confirm; a ``HallTermError``
keeps the form open with everything typed, marks the field ``error.field`` names
and says why under the form. It returns the values by field name (``str`` for a
text or a choice, ``bool`` for a tick box) or None when cancelled.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static

from hallterm.errors import HallTermError
from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare
from screens.translate import TranslatedKeys
from screens.widgets.form_dialog import run_check


@dataclass(frozen=True)
class Typed:
    """A typed (or scanned) value."""

    name: str
    label: str  # N_()-marked
    value: str = ""
    required: bool = True
    group: str = ""
    max_length: int = 0


@dataclass(frozen=True)
class Choice:
    """One value from a list: ``options`` are (shown text, value) pairs, already translated."""

    name: str
    label: str  # N_()-marked
    options: tuple[tuple[str, str], ...]
    value: str | None = None
    group: str = ""


@dataclass(frozen=True)
class Flag:
    """A tick box (yes / no)."""

    name: str
    label: str  # N_()-marked
    value: bool = False
    group: str = ""


AnyField = Typed | Choice | Flag
Values = dict[str, Any]


class ChoiceSelect(Select[str]):
    """A choice in a form: Enter keeps the value and moves on; ↓ or Space opens the list."""

    ACTIONS = declare(
        "entry-choice", N_("Choices in forms"),
        Action("entry.choice_next", "enter", "screen.advance", N_("Next field"),
               N_("Keep the choice and go to the next field"), footer=False, palette=False),
        Action("entry.choice_open", "space", "show_overlay", N_("Open the list"),
               N_("Open the list of choices (also ↓ or ↑)"), footer=False, palette=False,
               more_keys=(("down", "show_overlay"), ("up", "show_overlay"))),
        order=95)
    BINDINGS = bindings(ACTIONS)


class FlagBox(Checkbox):
    """A tick box in a form: Space ticks, Enter moves on."""

    ACTIONS = declare(
        "entry-flag", N_("Tick boxes in forms"),
        Action("entry.flag_tick", "space", "toggle_button", N_("Tick"),
               N_("Tick or untick the box"), footer=False, palette=False),
        Action("entry.flag_next", "enter", "screen.advance", N_("Next field"),
               N_("Go to the next field (on the last one: confirm)"), footer=False,
               palette=False),
        order=95)
    BINDINGS = bindings(ACTIONS)


class EntryForm(TranslatedKeys, ModalScreen[Values | None]):
    """Ask for texts, choices and tick boxes; confirm once the check passes."""

    DEFAULT_CSS = """
    EntryForm { align: center middle; }
    EntryForm > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    EntryForm #entry-title { text-style: bold; width: 1fr; }
    EntryForm #entry-intro { color: $text-muted; height: auto; }
    EntryForm #entry-fields { height: auto; max-height: 100%; }
    EntryForm .entry-row { height: 1; }
    EntryForm .entry-label { width: 24; color: $text; }
    EntryForm .entry-row > Input, EntryForm .entry-row > Select { width: 1fr; }
    EntryForm .entry-row > Input { border: none; height: 1; padding: 0 1; background: $boost; }
    EntryForm .entry-row > Input:focus { background: $primary 30%; }
    EntryForm .entry-note { color: $text-muted; height: auto; padding-left: 24; display: none; }
    EntryForm .entry-note.-said { display: block; }
    EntryForm .entry-note.-bad { color: $error; }
    EntryForm .entry-note.-good { color: $success; }
    EntryForm .entry-flag { height: 1; border: none; padding: 0; }
    EntryForm .-hidden, EntryForm .entry-note.-said.-hidden { display: none; }
    EntryForm Input.-invalid { background: $error 30%; }
    EntryForm #entry-error { color: $error; height: auto; }
    """
    ACTIONS = declare(
        "entry", N_("Order and identity forms"),
        Action("entry.confirm", "ctrl+s", "confirm", N_("Done"),
               N_("Check the form and confirm it"), priority=True),
        Action("entry.next", "tab", "app.focus_next", N_("Next field"), footer=False,
               palette=False),
        Action("entry.cancel", "escape", "cancel", N_("Cancel"), N_("Close without changing")),
        order=95)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, fields: list[AnyField], *,
                 check: Callable[[Values], Any] | None = None, intro: str = "",
                 groups: Callable[[Values], set[str]] | None = None) -> None:
        super().__init__()
        self._title = title
        self._intro = intro
        self._fields = list(fields)
        self._check = check
        self._groups = groups
        self._checking = False
        self.outcome: Any = None
        """What the check returned (a check may be the write itself: the order it made)."""

    # -- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(RichText(self._title), id="entry-title")
            if self._intro:
                yield Static(RichText(self._intro), id="entry-intro")
            with VerticalScroll(id="entry-fields"):
                for f in self._fields:
                    yield from self.field_widgets(f)
            yield Static("", id="entry-error")
        yield Footer(compact=True)

    def field_widgets(self, f: AnyField) -> ComposeResult:
        """One field's row (its label and its input) and the note line under it."""
        group = f" group-{f.group}" if f.group else ""
        if isinstance(f, Flag):
            yield FlagBox(_(f.label), f.value, id=f"field-{f.name}", classes=f"entry-flag{group}")
            return
        with Horizontal(classes=f"entry-row{group}"):
            yield Label(_(f.label), classes="entry-label")
            if isinstance(f, Choice):
                yield ChoiceSelect(list(f.options), allow_blank=False, value=f.value
                                   if f.value is not None else f.options[0][1],
                                   id=f"field-{f.name}", compact=True)
            else:
                yield Input(value=f.value, id=f"field-{f.name}", max_length=f.max_length,
                            compact=True)
        yield Static("", id=f"note-{f.name}", classes=f"entry-note{group}")

    def on_mount(self) -> None:
        self.show_groups()
        first = self.inputs()
        if first:
            first[0].focus()

    # -- groups shown and hidden -------------------------------------------------------
    def shown_groups(self) -> set[str]:
        """The groups of fields shown now: ``groups(values)`` decides (none without it)."""
        if self._groups is None or not self.is_mounted:
            return set()
        return self._groups({f.name: self.value(f.name) for f in self._fields})

    def show_groups(self) -> None:
        shown = self.shown_groups()
        for f in self._fields:
            if f.group:
                for node in self.query(f".group-{f.group}"):
                    node.set_class(f.group not in shown, "-hidden")

    def active(self) -> list[AnyField]:
        """The fields shown now (the ones confirmed)."""
        shown = self.shown_groups()
        return [f for f in self._fields if not f.group or f.group in shown]

    def inputs(self) -> list[Widget]:
        return [self.query_one(f"#field-{f.name}") for f in self.active()]

    # -- values ------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        node = self.query_one(f"#field-{name}")
        if isinstance(node, Checkbox):
            return bool(node.value)
        if isinstance(node, Select):
            return "" if node.value is Select.NULL else str(node.value)
        return node.value.strip() if isinstance(node, Input) else ""

    def values(self) -> Values:
        """What the form holds now, of the fields shown, by name."""
        return {f.name: self.value(f.name) for f in self.active()}

    def note(self, name: str, text: str, kind: str = "") -> None:
        """The line under field ``name``: ``kind`` is "", "good" or "bad"."""
        found = self.query(f"#note-{name}")
        if found:
            node = found.first(Static)
            node.update(RichText(text))
            node.set_class(bool(text), "-said")
            node.set_class(kind == "bad", "-bad")
            node.set_class(kind == "good", "-good")

    # -- moving on and confirming ------------------------------------------------------
    def action_advance(self) -> None:
        """Enter: the next field shown, or confirm on the last."""
        inputs = self.inputs()
        focused = self.focused
        if focused in inputs and inputs.index(focused) + 1 < len(inputs):
            inputs[inputs.index(focused) + 1].focus()
        else:
            self.action_confirm()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_advance()

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        self.show_groups()
        if event.select.has_focus:
            self.action_advance()

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        self.show_groups()

    def action_confirm(self) -> None:
        if self._checking:
            return
        values = self.values()
        missing = [f for f in self.active() if isinstance(f, Typed) and f.required
                   and not values[f.name]]
        if missing:
            self.mark(missing[0].name, _("Fill in: {field}").format(field=_(missing[0].label)))
            return
        try:
            self.validate(values)
        except HallTermError as exc:
            self.mark(getattr(exc, "field", None), str(exc))
            return
        if self._check is None:
            self.dismiss(values)
            return
        self._checking = True
        self.query_one("#entry-error", Static).update(_("Checking…"))
        run_check(self, self._check, values, done=functools.partial(self._passed, values),
                  mark=self.mark, finished=self._checked)

    def _passed(self, values: Values, outcome: Any) -> None:
        self.outcome = outcome
        self.dismiss(values)

    def validate(self, values: Values) -> None:
        """Pure checks on the UI thread before ``check`` (subclasses: raise ``BadInput``)."""

    def _checked(self) -> None:
        self._checking = False

    def mark(self, name: str | None, message: str) -> None:
        """Say ``message``; mark field ``name`` and put the cursor there (nothing is cleared)."""
        self.query_one("#entry-error", Static).update(RichText(message))
        for f in self._fields:
            self.query_one(f"#field-{f.name}").remove_class("-invalid")
        target = None
        if name is not None and any(f.name == name for f in self.active()):
            target = self.query_one(f"#field-{name}")
            target.add_class("-invalid")
        if target is None:
            inputs = self.inputs()
            target = inputs[-1] if inputs else None
        if target is not None:
            target.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.has_class("-invalid"):  # the field marked is being fixed
            event.input.remove_class("-invalid")
            self.query_one("#entry-error", Static).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)
