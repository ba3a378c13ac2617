"""The Warehouse post (库管岗): stock by item and place, movements, serial history, stocktake.

One screen, four modes: *stock* (the table of stock by item and place, with
totals and value), *document* (a receipt, issue, return or write-off being
scanned: a barcode scanner types and presses Enter; each scan is checked at once
and a refused one stays on its line with the reason, the rest of the document as
entered), *history* (where one serial has been) and *stocktake* (count a place,
finish, post the adjustments). Nothing is written until a document is posted;
stocktake lines are saved as they are counted. The warehouse clerk acts; the hall
manager and the auditor only read.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, DataTable, Footer, Static

from hallterm.errors import HallTermError
from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.permissions import allowed
from hallterm.services import stock
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.posts.warehouse_documents import DocumentForms, Draft
from screens.posts.warehouse_stocktake import StocktakeMode
from screens.registry import Post, register
from screens.widgets.custody import CustodyView
from screens.widgets.fit import cut, room_for, widest
from screens.widgets.header import ShellHeader
from screens.widgets.scanner import ScannerInput


class WarehouseScreen(DocumentForms, StocktakeMode, PostScreen):
    """The warehouse clerk's screen; read-only for the hall manager and the auditor."""

    DEFAULT_CSS = """
    WarehouseScreen #wh-body { padding: 0 1; height: 1fr; }
    WarehouseScreen #wh-panes, WarehouseScreen #wh-panes > Vertical { height: 1fr; }
    WarehouseScreen #wh-title { text-style: bold; color: $accent; }
    WarehouseScreen #wh-hint { color: $text-muted; }
    WarehouseScreen #wh-stock, WarehouseScreen #wh-lines, WarehouseScreen #wh-moves {
        height: 1fr;
    }
    WarehouseScreen #wh-totals, WarehouseScreen #wh-summary { height: auto; max-height: 12; }
    WarehouseScreen #wh-custody { display: none; }
    WarehouseScreen #wh-custody.shown { display: block; }
    """
    ACTIONS = declare(
        "warehouse", N_("Warehouse"),
        Action("warehouse.receive", "r", "receive", N_("Receive"),
               N_("Receive a supplier's delivery into the warehouse (入库)"), permission="stock.move"),
        Action("warehouse.issue", "i", "issue", N_("Issue"),
               N_("Issue stock to a counter's custody (出库/领用)"), permission="stock.move"),
        Action("warehouse.return", "t", "return", N_("Return"),
               N_("Take stock back from a counter (退库)"), permission="stock.move"),
        Action("warehouse.write_off", "w", "write_off", N_("Write off"),
               N_("Damaged, lost or returned to the supplier (manager approves)"), permission="stock.move"),
        Action("warehouse.history", "h", "history", N_("History"), N_("Where has a serial been")),
        Action("warehouse.stocktake", "k", "stocktake", N_("Stocktake"),
               N_("Count a place and compare it with the ledger (盘点)"), permission="stock.stocktake"),
        Action("warehouse.refresh", "g", "refresh", N_("Refresh"), N_("Load the stock table again")),
        Action("warehouse.post", "ctrl+s", "post", N_("Post"),
               N_("Post the document (or the stocktake's adjustments)"), priority=True),
        Action("warehouse.drop_line", "ctrl+d", "drop_line", N_("Remove line"),
               N_("Remove the last line of the document, or the highlighted counted "
                  "line of a stocktake"), priority=True),
        Action("warehouse.correct_line", "ctrl+n", "correct_line", N_("Correct qty"),
               N_("Correct the quantity of the highlighted counted line (stocktake)"),
               priority=True),
        Action("warehouse.line_up", "up", "line_cursor(-1)", N_("Line up"),
               N_("Select the line above"), footer=False, palette=False),
        Action("warehouse.line_down", "down", "line_cursor(1)", N_("Line down"),
               N_("Select the line below"), footer=False, palette=False),
        Action("warehouse.finish", "ctrl+f", "finish", N_("Finish count"),
               N_("Stop counting and show the differences"), priority=True),
        Action("warehouse.reopen", "ctrl+o", "reopen", N_("Count again"),
               N_("Go back to counting before posting"), priority=True),
        Action("warehouse.cancel_take", "ctrl+x", "cancel_take", N_("Cancel stocktake"),
               N_("Abandon this stocktake (nothing is adjusted)"), priority=True),
        Action("warehouse.back", "escape", "back", N_("Back"),
               N_("Back to the stock table (a stocktake stays open)")),
        order=50)
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.mode = "stock"
        self._stock_report = None
        self.draft: Draft | None = None
        self.take = None
        self.result = None
        self.current_sku: str | None = None
        self.current_name = ""
        self._posting = False

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with Vertical(id="wh-body"):
            yield Static(id="wh-title")
            yield Static(id="wh-hint")
            with ContentSwitcher(initial="pane-stock", id="wh-panes"):
                with Vertical(id="pane-stock"):
                    yield DataTable(id="wh-stock", cursor_type="row", zebra_stripes=True)
                    yield Static(id="wh-totals")
                with Vertical(id="pane-entry"):
                    yield ScannerInput(id="wh-scan", on_scan=self._on_scan)
                    yield DataTable(id="wh-lines", cursor_type="row", zebra_stripes=True)
                    yield Static(id="wh-summary")
                    yield CustodyView(None, id="wh-custody")
                with Vertical(id="pane-history"):
                    yield ScannerInput(id="wh-serial", on_scan=self._on_history_scan)
                    yield Static(id="wh-where")
                    yield DataTable(id="wh-moves", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self._columns()
        self._show_mode()
        self.action_refresh()

    def _columns(self) -> None:
        for table_id, columns in (
            ("#wh-stock", (_("Place"), _("SKU"), _("Item"), _("Qty"), _("Unit"), _("Value"))),
            ("#wh-lines", ("#", _("Item"), _("Serial / qty"), _("Result"))),
            ("#wh-moves", (_("Time"), _("Document"), _("Movement"), _("From"), _("To"),
                           _("By"), _("Reference"))),
        ):
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            table.add_columns(*columns)

    def retranslate(self) -> None:
        """The shell switched the language: redraw in it."""
        self._columns()
        self._show_mode()
        if self.mode == "stock":
            self.action_refresh()

    @property
    def may_move(self) -> bool:
        actor = self.hctx.actor if self.hctx else None
        return actor is not None and allowed(actor.roles, "stock.move")

    @property
    def may_count(self) -> bool:
        actor = self.hctx.actor if self.hctx else None
        return actor is not None and allowed(actor.roles, "stock.stocktake")

    def check_action(self, action: str, parameters) -> bool | None:
        stock_mode = self.mode == "stock"
        if action in ("receive", "issue", "return", "write_off"):
            return stock_mode and self.may_move
        if action == "stocktake":
            return stock_mode and self.may_count
        if action in ("history", "refresh"):
            return stock_mode
        if action == "drop_line":
            return self.mode == "document" or (self.mode == "stocktake" and self.take is not None
                                               and self.take.state == "open")
        if action == "correct_line":
            return self.mode == "stocktake" and self.take is not None and \
                self.take.state == "open"
        if action == "line_cursor":
            return self.mode in ("document", "stocktake")
        if action == "post":
            if self.mode == "document":
                return True
            return self.mode == "stocktake" and self.take is not None and \
                self.take.state == "finished"
        if action == "finish":
            return self.mode == "stocktake" and self.take is not None and \
                self.take.state == "open"
        if action == "reopen":
            return self.mode == "stocktake" and self.take is not None and \
                self.take.state == "finished"
        if action == "cancel_take":
            return self.mode == "stocktake"
        if action == "back":
            return not stock_mode
        return True

    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        self.current_sku = None
        self.current_name = ""
        for scanner in self.query(ScannerInput):
            scanner.clear_pending()  # scans of the mode left behind are not for the new one
        pane = {"stock": "pane-stock", "document": "pane-entry", "stocktake": "pane-entry",
                "history": "pane-history"}[mode]
        self.query_one(ContentSwitcher).current = pane
        if mode in ("document", "stocktake"):
            self.query_one("#wh-lines", DataTable).clear()
            self.query_one("#wh-summary", Static).update("")
            scan = self.query_one("#wh-scan", ScannerInput)
            scan.value = ""
            scan.focus()
        elif mode == "history":
            serial = self.query_one("#wh-serial", ScannerInput)
            serial.value = ""
            serial.focus()
            self.query_one("#wh-where", Static).update("")
            self.query_one("#wh-moves", DataTable).clear()
        else:
            self.query_one("#wh-stock", DataTable).focus()
        custody = self.query_one(CustodyView)
        counter = self.draft.counter if (mode == "document" and self.draft) else None
        custody.set_class(counter is not None, "shown")
        if counter is not None:
            custody.show_counter(counter)
        self._show_mode()
        self.refresh_bindings()

    def _show_mode(self) -> None:
        title = self.query_one("#wh-title", Static)
        hint = self.query_one("#wh-hint", Static)
        self.query_one("#wh-scan", ScannerInput).placeholder = _("Scan or type, then Enter")
        self.query_one("#wh-serial", ScannerInput).placeholder = _("IMEI, ICCID or card number")
        if self.mode == "stock":
            title.update(Text(_("Warehouse (库管) — stock by item and place")))
            hint.update(Text("" if self.may_move else _("Read only: you can look, not move "
                                                        "stock.")))
        elif self.mode == "document" and self.draft:
            d = self.draft
            what = stock.kind_label(d.kind)
            where = _("{source} → {target}").format(source=stock.place_label(d.from_place),
                                                    target=stock.place_label(d.to_place))
            extra = " ".join(x for x in (d.reference, d.supplier, d.reason) if x)
            title.update(Text(f"{what}: {where}  {extra}"))
            self._draft_hint()
        elif self.mode == "history":
            title.update(Text(_("Serial history — where has it been")))
            hint.update(Text(_("Scan or type a serial and press Enter.")))
        elif self.mode == "stocktake" and self.take:
            title.update(Text(_("Stocktake {number} of {place} ({state})").format(
                number=self.take.number, place=stock.place_label(self.take.place),
                state=self.take.state)))
            self._take_hint()

    def _draft_hint(self) -> None:
        d = self.draft
        current = _("Current item: {item}").format(item=self.current_name) \
            if self.current_sku else _("No item chosen")
        if d.kind == "receive":
            how = _("Scan an item's barcode, then its serials (or type a quantity).")
        else:
            how = _("Scan serials; for counted items scan the barcode, then type the quantity.")
        totals = _("{lines} line(s), {value}").format(lines=len(d.lines),
                                                     value=format_fen(d.value_fen))
        self.query_one("#wh-hint", Static).update(Text(f"{how}  {current}.  {totals}"))

    # -- stock table --------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.call(stock.balances, self.hctx, on_success=self._show_stock)

    def on_resize(self) -> None:
        if self._stock_report is not None:
            self._show_stock(self._stock_report)

    def _show_stock(self, report) -> None:
        self._stock_report = report
        table = self.query_one("#wh-stock", DataTable)
        table.clear()
        rows = [(stock.place_label(r.place), r.sku, r.name, str(r.quantity),
                 format_fen(r.unit_value_fen), format_fen(r.value_fen)) for r in report.rows]
        # Quantities and money stay whole; the item's name narrows to fit.
        heads = (_("Place"), _("SKU"), _("Item"), _("Qty"), _("Unit"), _("Value"))
        widths = [widest(h, [r[n] for r in rows]) for n, h in enumerate(heads)]
        item = room_for(table, widths[:2] + widths[3:], minimum=6, natural=widths[2])
        for place, sku, name, quantity, unit, value in rows:
            table.add_row(Text(place), Text(sku), cut(name, item),
                          Text(quantity, justify="right"), Text(unit, justify="right"),
                          Text(value, justify="right"))
        lines = []
        for t in report.places:
            line = _("{place}: {quantity} units, {value}").format(
                place=stock.place_label(t.place), quantity=t.quantity,
                value=format_fen(t.value_fen))
            if t.cards:
                line += "  " + _("valuable cards {n}, face value {face}").format(
                    n=t.cards, face=format_fen(t.cards_face_fen))
            lines.append(line)
        lines.append(_("Total: {quantity} units, {value}; valuable cards {n}, face value "
                       "{face}").format(quantity=report.quantity,
                                        value=format_fen(report.value_fen), n=report.cards,
                                        face=format_fen(report.cards_face_fen)))
        self.query_one("#wh-totals", Static).update(Text("\n".join(lines)))

    # -- scanning -----------------------------------------------------------------------
    async def _on_history_scan(self, text: str) -> None:
        try:
            found = await self.call_async(stock.history, self.hctx, serial=text)
        except HallTermError as exc:
            self._show_error(exc)
            return
        if self.mode == "history":
            self._show_history(found)

    async def _on_scan(self, text: str) -> None:
        """One scan, checked before the next (a scanner is faster than a check)."""
        if self.mode == "document" and self.draft:
            draft = self.draft
            try:
                scanned = await self.call_async(
                    stock.scan, self.hctx, from_place=draft.from_place, text=text,
                    current_sku=self.current_sku, pending=list(draft.lines))
            except HallTermError as exc:
                self._refused(text, exc)
                return
            if self.draft is draft:
                self._scanned(scanned)
        elif self.mode == "stocktake" and self.take:
            take_id = self.take.id
            try:
                counted = await self.call_async(stock.stocktake.scan, self.hctx, stocktake_id=take_id,
                                                text=text, current_sku=self.current_sku)
            except HallTermError as exc:
                self._refused(text, exc)
                return
            if self.take is not None and self.take.id == take_id:
                self._counted(counted)

    def _add_row(self, item: str, what: str, result: Text, key: str | None = None) -> None:
        table = self.query_one("#wh-lines", DataTable)
        table.add_row(Text(str(table.row_count + 1)), Text(item), Text(what), result, key=key)
        table.move_cursor(row=table.row_count - 1)

    def _scanned(self, scanned) -> None:
        if self.mode == "document" and self.draft is not None:
            if scanned.item is not None:
                self.current_sku = scanned.item.sku
                self.current_name = f"{scanned.item.sku} {scanned.item.name()}"
            else:
                c = scanned.checked
                self.draft.lines.append(scanned.line)
                self.draft.kinds.append(c.kind)
                self.draft.values.append(c.quantity * c.unit_value_fen)
                self._add_row(f"{c.sku} {c.name}", c.serial or f"× {c.quantity}",
                              Text("✓ " + _("OK"), style="green"))
            self._draft_hint()

    def _refused(self, text: str, exc: HallTermError) -> None:
        # The refused scan stays on its line with the reason; the document is unchanged.
        if self.mode in ("document", "stocktake"):
            self._add_row("", text, Text("✗ " + str(exc), style="bold red"))
            self.app.bell()
        else:
            self._show_error(exc)

    def action_line_cursor(self, delta: int) -> None:
        """Up/Down while scanning: highlight another line (to remove or correct it)."""
        table = self.query_one("#wh-lines", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def action_drop_line(self) -> None:
        if self.mode == "stocktake":
            self._remove_counted()
            return
        if self.mode != "document" or not self.draft or not self.draft.lines:
            return
        self.draft.lines.pop()
        self.draft.kinds.pop()
        self.draft.values.pop()
        table = self.query_one("#wh-lines", DataTable)
        for key in reversed(list(table.rows)):
            row = table.get_row(key)
            if str(row[3]).startswith("✓"):
                table.remove_row(key)
                break
        self._draft_hint()

    # -- history ------------------------------------------------------------------------
    def action_history(self) -> None:
        self._set_mode("history")

    def _show_history(self, hist) -> None:
        self.query_one("#wh-where", Static).update(Text(
            stock.where_now(hist.serial, hist.sku, hist.place), style="bold"))
        table = self.query_one("#wh-moves", DataTable)
        table.clear()
        for m in hist.moves:
            people = m.actor + (f" → {m.confirmer}" if m.confirmer else "") + (
                f" + {m.approver}" if m.approver else "")
            table.add_row(Text(f"{m.at:%Y-%m-%d %H:%M}"), Text(m.number),
                          Text(stock.kind_label(m.kind)), Text(stock.place_label(m.from_place)),
                          Text(stock.place_label(m.to_place)), Text(people),
                          Text(m.reference or ""))

    # -- leaving ------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.mode == "document" and self.draft and self.draft.lines:
            self.notify(_("Document dropped; nothing was written."))
        self._back_to_stock()

    def _back_to_stock(self) -> None:
        self.draft = None
        self.take = None
        self._set_mode("stock")
        self.action_refresh()


register(Post(
    id="warehouse",
    title=N_("Warehouse"),
    key="f5",
    permission="screen.warehouse",
    factory=WarehouseScreen,
    help=N_("Stock in, issue to counters, returns, write-offs, serial history, stocktake"),
    order=50,
))
