"""The blind count of a handover (交接班盘点): cash, serials one per scan, counted goods.

A dialog of the Handover post. The cash is a total or by denomination; the
scanner input takes one serial per Enter into a list shown under it, never into
the next field; a counted item's barcode adds one of it to the counted goods,
which stay apart from the serials, and items can also be typed as ``SKU=N, …``.
Ctrl+D (or Delete on the list) removes an entry; Ctrl+S submits. Nothing shows
what the counter should hold: the count is blind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from hallterm.errors import HallTermError
from hallterm.i18n import N_, _
from hallterm.services import handover as ho
from screens.actions import Action, bindings, declare
from screens.shell import shell
from screens.translate import TranslatedKeys
from screens.widgets.scanner import ScannerInput


@dataclass
class BlindCount:
    """What the outgoing clerk counted (the dialog's result)."""

    cash: str
    serials: list[str] = field(default_factory=list)
    scanned_counts: dict[str, int] = field(default_factory=dict)  # counted items scanned
    counts: str = ""  # typed SKU=N, …


class BlindCountDialog(TranslatedKeys, ModalScreen[BlindCount | None]):
    """Cash, serials (one per scan, in a list) and counted goods; Ctrl+S submits."""

    DEFAULT_CSS = """
    BlindCountDialog { align: center middle; }
    BlindCountDialog > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%; padding: 0 2;
        border: thick $accent; background: $surface;
    }
    BlindCountDialog Label { width: 100%; }
    BlindCountDialog .title { text-style: bold; }
    BlindCountDialog #count-list { height: auto; min-height: 3; max-height: 10; }
    BlindCountDialog #count-error { color: $error; height: auto; }
    """
    ACTIONS = declare(
        "handover_count", N_("Handover: the blind count"),
        Action("handover.count_submit", "ctrl+s", "submit", N_("Submit count"),
               N_("Submit the blind count"), priority=True),
        Action("handover.count_remove", "ctrl+d", "remove", N_("Remove"), N_(
            "Remove the highlighted serial or counted item from the list (or the last one)"), priority=True),
        Action("handover_count.remove", "delete", "remove", N_("Remove"), footer=False),
        Action("handover_count.cancel", "escape", "cancel", N_("Cancel"),
               N_("Close without counting")),
        order=71)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, *, parse_cash: Callable[[str], Any] | None = None,
                 parse_counts: Callable[[str], Any] | None = None,
                 check: Callable[[BlindCount], Any] | None = None) -> None:
        super().__init__()
        self._title = title
        # The service's own check of the whole count (an unknown item), run before the
        # dialog closes: a refusal keeps everything counted (it used to lose it all).
        self._check = check
        # Each field is checked before the dialog closes: a wrong one is marked and keeps
        # what was typed (and the serials stay in the list).
        self._checks = {"count-cash": parse_cash, "count-counts": parse_counts}
        self.serials: list[str] = []
        self.scanned_counts: dict[str, int] = {}
        self.names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            yield Label(_("Cash counted: a total, or by denomination (100x4,50x1,…)"))
            yield Input(id="count-cash")
            yield Label(_("Scan serials, one per Enter (an item's barcode counts one of it)"))
            yield ScannerInput(id="count-scan", on_scan=self._on_scan)
            yield Label("", id="count-summary")
            yield OptionList(id="count-list")
            yield Label(_("Items counted by quantity (SKU=N, …)"))
            yield Input(id="count-counts")
            yield Label("", id="count-error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#count-cash", Input).focus()
        self._show()

    # -- scanning ------------------------------------------------------------------------
    async def _on_scan(self, text: str) -> None:
        import asyncio
        import functools

        call = functools.partial(ho.scan_for_count, shell(self).hctx, code=text)
        try:
            found = await asyncio.get_running_loop().run_in_executor(None, call)
        except HallTermError as exc:
            self._error(str(exc))
            self.app.bell()
            return
        if found.serial is not None:
            if found.serial in self.serials:
                self._error(_("Serial {serial} is already in the list.").format(
                    serial=found.serial))
                return
            self.serials.append(found.serial)
            self._error("")
            self._show(highlight=("serial", found.serial))
        elif found.sku is not None:
            self.scanned_counts[found.sku] = self.scanned_counts.get(found.sku, 0) + 1
            self.names[found.sku] = found.name or found.sku
            self._error("")
            self._show(highlight=("item", found.sku))

    def _entries(self) -> list[tuple[str, str]]:
        return [("serial", s) for s in self.serials] + [
            ("item", sku) for sku in self.scanned_counts]

    def _show(self, highlight: tuple[str, str] | None = None) -> None:
        box = self.query_one("#count-list", OptionList)
        box.clear_options()
        entries = self._entries()
        for kind, value in entries:
            if kind == "serial":
                box.add_option(Option(value))
            else:
                box.add_option(Option(f"{value} {self.names.get(value, '')} "
                                      f"× {self.scanned_counts[value]}"))
        if highlight in entries:
            box.highlighted = entries.index(highlight)
        self.query_one("#count-summary", Label).update(Text(
            _("Scanned: {serials} serial(s), {items} item(s). Ctrl+D removes one.").format(
                serials=len(self.serials), items=sum(self.scanned_counts.values())),
            style="bold"))

    def _error(self, message: str) -> None:
        self.query_one("#count-error", Label).update(message)

    def action_remove(self) -> None:
        """Remove the highlighted entry (from the list, or the last one scanned)."""
        box = self.query_one("#count-list", OptionList)
        entries = self._entries()
        if not entries:
            return
        index = box.highlighted if box.highlighted is not None else len(entries) - 1
        kind, value = entries[min(index, len(entries) - 1)]
        if kind == "serial":
            self.serials.remove(value)
        else:
            del self.scanned_counts[value]
        self._show()
        if self._entries():
            box.highlighted = min(index, len(self._entries()) - 1)
        self._error(_("Removed {what}.").format(what=value))

    # -- Enter and submitting ---------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "count-cash":
            self.query_one("#count-scan", ScannerInput).focus()
        elif event.input.id == "count-counts":
            self.run_worker(self.action_submit(), exclusive=True, group="count-submit")

    async def action_submit(self) -> None:
        for box in self.query("#count-cash, #count-counts").results(Input):
            box.remove_class("-invalid")
        cash = self.query_one("#count-cash", Input).value.strip()
        if not cash:
            self._mark("count-cash", _("Fill in: {field}").format(field=_("Cash counted")))
            return
        for field_id, check in self._checks.items():
            if check is None:
                continue
            try:
                check(self.query_one(f"#{field_id}", Input).value.strip())
            except HallTermError as exc:
                self._mark(field_id, str(exc))
                return
        count = BlindCount(cash, list(self.serials), dict(self.scanned_counts),
                           self.query_one("#count-counts", Input).value.strip())
        if self._check is not None:
            import asyncio
            import functools

            try:
                await asyncio.get_running_loop().run_in_executor(
                    None, functools.partial(self._check, count))
            except HallTermError as exc:
                self._mark("count-counts", str(exc))
                self.app.bell()
                return
        self.dismiss(count)

    def _mark(self, field_id: str, message: str) -> None:
        field = self.query_one(f"#{field_id}", Input)
        field.add_class("-invalid")
        field.focus()
        self._error(message)

    def action_cancel(self) -> None:
        self.dismiss(None)
