"""The Warehouse screen's stocktake mode (盘点): open or resume, count, finish, post.

A mixin of ``WarehouseScreen`` (it uses the host's ``call``, ``_set_mode``,
``_add_row``, ``_show_mode`` and ``_back_to_stock``), kept apart
so each module stays readable. Counted lines are saved as they are scanned, so
leaving the mode (Esc) and pressing the stocktake key again resumes the count.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import work
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services import stock
from screens.widgets.form_dialog import Field, FormDialog


def open_stocktake(ctx, place: str):
    """Resume the stocktake of ``place`` in progress, or start one (both services)."""
    current = stock.stocktake.in_progress(ctx, place=place)
    take = current or stock.stocktake.start(ctx, place=place)
    return take, stock.stocktake.lines(ctx, stocktake_id=take.id, limit=200)


LINE_KEY = "line-"


def _key(counted) -> str | None:
    """The table row key of a saved line (its id), to remove or correct it later."""
    return None if counted.line_id is None else f"{LINE_KEY}{counted.line_id}"


def _bump(take, quantity: int, lines: int = 1):
    """The stocktake's figures after one more saved line (no round trip to the store)."""
    return replace(take, lines=take.lines + lines, counted=take.counted + quantity)


class StocktakeMode:
    """Stocktake actions and their results on the warehouse screen."""

    take = None
    result = None

    def _take_hint(self) -> None:
        current = _("Current item: {item}").format(item=self.current_name) \
            if self.current_sku else _("No item chosen")
        self.query_one("#wh-hint", Static).update(Text(
            _("Scan serials; scan an item's barcode then type its quantity. Lines are saved as "
              "counted.") + f"  {current}.  " + _("{lines} line(s) counted").format(
                lines=self.take.lines) + "  " + _(
                "↑↓ choose a line: Ctrl+D removes it, Ctrl+N corrects its quantity.")))

    def _counted(self, scanned) -> None:
        if self.mode == "stocktake" and self.take is not None:
            if scanned.counted is None:
                self.current_sku = scanned.item_sku
                self.current_name = f"{scanned.item_sku} {scanned.item_name}"
            else:
                c = scanned.counted
                self.take = _bump(self.take, c.quantity)
                self._add_row(f"{c.sku} {c.name}", c.serial or f"× {c.quantity}",
                              Text("✓ " + _("counted ({total} in all)").format(
                                  total=c.item_total), style="green"), key=_key(c))
            self._take_hint()

    # -- correcting a counted line before posting --------------------------------------------
    def _highlighted_line(self) -> tuple[object, int] | None:
        """The highlighted row's key and saved line id (a refused scan has none)."""
        table = self.query_one("#wh-lines", DataTable)
        if not table.row_count:
            self.notify(_("No counted line yet."), severity="warning")
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
        if key.value is None or not str(key.value).startswith(LINE_KEY):
            self.notify(_("The highlighted line was not counted (refused); nothing to change."),
                        severity="warning")
            return None
        return key, int(str(key.value)[len(LINE_KEY):])

    def _remove_counted(self) -> None:
        picked = self._highlighted_line()
        if picked is None or self.take is None:
            return
        key, line_id = picked
        table = self.query_one("#wh-lines", DataTable)
        what = str(table.get_row(key)[2])

        def removed(take) -> None:
            self.take = take
            table.remove_row(key)
            self.notify(_("Line removed: {what}").format(what=what))
            self._take_hint()

        self.call(stock.stocktake.remove_line, self.hctx, stocktake_id=self.take.id,
                  line_id=line_id, on_success=removed)

    @work(exclusive=True, group="warehouse-post")
    async def action_correct_line(self) -> None:
        picked = self._highlighted_line()
        if picked is None or self.take is None:
            return
        key, line_id = picked
        table = self.query_one("#wh-lines", DataTable)
        row = table.get_row(key)
        if not str(row[2]).startswith("×"):
            self.notify(_("A serial is one piece: remove the line (Ctrl+D) and scan the right "
                          "serial."), severity="warning")
            return
        values = await self.app.push_screen_wait(FormDialog(
            _("Correct the count of {item}").format(item=row[1]),
            [Field("quantity", N_("Quantity counted"), str(row[2]).lstrip("× "))]))
        if not values:
            return
        text = values["quantity"].strip()
        if not text.isdigit():
            self.notify(_("A quantity is a whole number."), severity="error")
            return
        before = int(str(row[2]).lstrip("× "))

        def corrected(c) -> None:
            self.take = _bump(self.take, c.quantity - before, lines=0)
            index = table.get_row_index(key)
            table.update_cell_at(Coordinate(index, 2), Text(f"× {c.quantity}"))
            table.update_cell_at(Coordinate(index, 3), Text("✓ " + _(
                "corrected ({total} in all)").format(total=c.item_total), style="green"))
            self._take_hint()

        self.call(stock.stocktake.correct_line, self.hctx, stocktake_id=self.take.id,
                  line_id=line_id, quantity=int(text), on_success=corrected)

    # -- stocktake ----------------------------------------------------------------------
    def action_stocktake(self) -> None:
        self.app.push_screen(FormDialog(_("Stocktake (盘点)"), [
            Field("place", N_("Place (warehouse or counter:N)"), "warehouse")]),
            self._start_take)

    def _start_take(self, values) -> None:
        if values:
            self.call(open_stocktake, self.hctx, place=values["place"],
                      on_success=self._take_opened)

    def _take_opened(self, opened) -> None:
        take, counted = opened
        self.take = take
        self.result = None
        self._set_mode("stocktake")
        for c in reversed(counted):
            self._add_row(f"{c.sku} {c.name}", c.serial or f"× {c.quantity}",
                          Text("✓ " + _("counted"), style="green"), key=_key(c))
        if take.lines:
            self.notify(_("Resumed stocktake {number}: {lines} line(s) already counted.").format(
                number=take.number, lines=take.lines))
        if take.state == "finished":
            self.call(stock.stocktake.result, self.hctx, stocktake_id=take.id,
                      on_success=self._show_result)

    def action_finish(self) -> None:
        if self.take is not None:
            self.call(stock.stocktake.finish, self.hctx, stocktake_id=self.take.id,
                      on_success=self._show_result)

    def _show_result(self, res) -> None:
        self.take = res.stocktake
        self.result = res
        lines = [_("Result of stocktake {number}: value of the difference {value}").format(
            number=res.stocktake.number, value=format_fen(res.value_difference_fen))]
        if res.agrees:
            lines.append(_("The count agrees with the ledger."))
        else:
            lines.append(_("{missing} missing, {unexpected} unexpected, {items} item(s) "
                           "differ").format(missing=len(res.missing),
                                            unexpected=len(res.unexpected),
                                            items=len(res.differences)))
        for sku, serial in res.missing[:10]:
            lines.append(_("Missing: {sku} {serial}").format(sku=sku, serial=serial))
        if len(res.missing) > 10:
            lines.append(_("… and {n} more missing").format(n=len(res.missing) - 10))
        for sku, serial, where in res.unexpected[:10]:
            lines.append(_("Unexpected: {sku} {serial} (ledger: {place})").format(
                sku=sku, serial=serial, place=stock.place_label(where)))
        if len(res.unexpected) > 10:
            lines.append(_("… and {n} more unexpected").format(n=len(res.unexpected) - 10))
        for d in res.differences:
            lines.append(_("{sku} {name}: expected {expected}, counted {counted} ({diff:+d}, "
                           "{value})").format(sku=d.sku, name=d.name, expected=d.expected,
                                              counted=d.counted, diff=d.difference,
                                              value=format_fen(d.value_fen)))
        self.query_one("#wh-summary", Static).update(Text("\n".join(lines)))
        self._show_mode()
        self.refresh_bindings()

    def action_reopen(self) -> None:
        if self.take is not None:
            self.call(stock.stocktake.reopen, self.hctx, stocktake_id=self.take.id,
                      on_success=self._reopened)

    def _reopened(self, take) -> None:
        self.take = take
        self.result = None
        self.query_one("#wh-summary", Static).update("")
        self._show_mode()
        self.refresh_bindings()
        self.query_one("#wh-scan", Input).focus()

    @work(exclusive=True, group="warehouse-post")
    async def _post_stocktake(self) -> None:
        from screens.widgets.approval import ApprovalDialog

        take, res = self.take, self.result
        reason = approver = None
        if res is not None and not res.agrees:
            values = await self.app.push_screen_wait(FormDialog(
                _("Post the adjustments of {number}").format(number=take.number),
                [Field("reason", N_("Reason"))]))
            if not values:
                return
            reason = values["reason"]
            approver = await self.app.push_screen_wait(ApprovalDialog(
                "stock.adjust", _("Stocktake {number}: adjust {value} ({reason})").format(
                    number=take.number, value=format_fen(res.value_difference_fen),
                    reason=reason)))
            if approver is None:
                return
        self._posting = True
        self.call(stock.stocktake.post, self.hctx, stocktake_id=take.id, reason=reason,
                  approver=approver, on_success=self._take_posted, on_error=self._post_failed)

    def _take_posted(self, doc) -> None:
        self._posting = False
        if doc is None:
            self.notify(_("Stocktake posted: no differences."))
        else:
            self.notify(_("Stocktake posted as {number}.").format(number=doc.number), timeout=8)
        self.take = None
        self._set_mode("stock")
        self.action_refresh()

    def action_cancel_take(self) -> None:
        if self.take is None:
            return
        self.app.push_screen(FormDialog(_("Cancel stocktake {number}").format(
            number=self.take.number), [Field("reason", N_("Reason"))]), self._cancel_take)

    def _cancel_take(self, values) -> None:
        if values and self.take is not None:
            self.call(stock.stocktake.cancel, self.hctx, stocktake_id=self.take.id,
                      reason=values["reason"], on_success=lambda _info: self._back_to_stock())
