"""The Audit post (稽核): the day's records, the chain check, closing blockers, day reports.

The auditor (and the hall manager) reviews every record of the day from the
hash-chained audit log, a page at a time; checks the chain (``audit verify`` on
screen); sees what still stops the day from closing; and reads a closed day's
report (Z report). Read-only: an auditor's role grants no selling or stock moves.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.registry import Post, register
from screens.translate import TranslatedKeys
from screens.widgets.fit import cut, room_for, widest
from screens.widgets.form_dialog import Field, FormDialog
from screens.widgets.header import ShellHeader

PAGE = 100
COLUMNS = (N_("No."), N_("Time"), N_("By"), N_("Approver"), N_("Terminal"), N_("Action"),
           N_("Record"))


class ReportDialog(TranslatedKeys, ModalScreen[None]):
    """A closed day's report, scrollable; Esc closes it."""

    DEFAULT_CSS = """
    ReportDialog { align: center middle; }
    ReportDialog > VerticalScroll {
        width: 90%; height: 90%; padding: 1 2; border: thick $accent; background: $surface;
    }
    """
    ACTIONS = declare(
        "audit_report", N_("Audit: a day report"),
        Action("audit_report.close", "escape", "close", N_("Close"), N_("Back to the audit log")),
        order=61)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(self._text))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class AuditScreen(PostScreen):
    """Review of the audit log, the chain check and the day's blockers."""

    DEFAULT_CSS = """
    AuditScreen #audit-body { height: 1fr; }
    AuditScreen #audit-side { width: 36%; max-width: 48; padding: 0 1; border-right: solid $primary; }
    AuditScreen #audit-side Static { margin-bottom: 1; }
    AuditScreen #audit-title { text-style: bold; color: $accent; }
    AuditScreen #audit-table { width: 1fr; }
    AuditScreen.-narrow #audit-body { layout: vertical; }
    AuditScreen.-narrow #audit-side {
        width: 1fr; max-width: 100%; height: auto; max-height: 7;
        border-right: none; border-bottom: solid $primary;
    }
    AuditScreen.-narrow #audit-side Static { margin-bottom: 0; }
    AuditScreen.-narrow #audit-table { height: 1fr; }
    """
    ACTIONS = declare(
        "audit", N_("Audit"),
        Action("audit.verify", "v", "verify", N_("Verify chain"), N_(
            "Recompute the audit hash chain and name the first broken row"), permission="audit.verify"),
        Action("audit.filter", "slash", "filter", N_("Filter"), N_(
            "Show only actions starting with a prefix (e.g. sale., stock., auth.)")),
        Action("audit.older", "n", "older", N_("Older"), N_("The next page of older rows")),
        Action("audit.newer", "p", "newer", N_("Newer"), N_("Back to the newest rows")),
        Action("audit.blockers", "b", "blockers", N_("Blockers"), N_(
            "What still stops today's close")),
        Action("audit.report", "z", "report", N_("Day report"), N_(
            "Read a closed day's report (Z report)")),
        Action("audit.review", "w", "review", N_("Review queue"), N_(
            "Review a closed day's records: OK or exception, rectifications; the cash "
            "reconciliation and who viewed customer data"), permission="review.read"),
        Action("audit.refresh", "r", "refresh", N_("Refresh"), N_("Reload the rows")),
        order=60)
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.prefix: str | None = None
        self.pages: list[int | None] = [None]  # "before seq" of each page shown
        self.last_rows: list = []

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        with Horizontal(id="audit-body"):
            with VerticalScroll(id="audit-side"):
                yield Static(id="audit-title")
                yield Static(id="audit-chain")
                yield Static(id="audit-blockers")
            yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self._columns()
        self.query_one("#audit-chain", Static).update(
            _("Press V to verify the audit chain."))
        self.action_refresh()
        self.action_blockers()
        self.query_one("#audit-table", DataTable).focus()

    def _columns(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        table.clear(columns=True)
        for label in COLUMNS:
            table.add_column(_(label))
        self._title()

    def _title(self) -> None:
        text = _("Audit log (稽核)")
        if self.prefix:
            text += "  " + _("only {prefix}…").format(prefix=self.prefix)
        self.query_one("#audit-title", Static).update(text)

    # -- the log, a page at a time ------------------------------------------------------
    def _load(self) -> None:
        from hallterm.services.audit import recent

        self.call(recent, self.hctx, limit=PAGE, before_seq=self.pages[-1],
                  action_prefix=self.prefix, on_success=self._show)

    def on_resize(self) -> None:
        # Below 130 columns the side (chain, blockers) goes above the log, so the log
        # keeps its action and record columns; the record narrows first.
        self.set_class(self.size.width < 130, "-narrow")
        self.call_after_refresh(lambda: self._show(self.last_rows, quiet=True))

    def _show(self, rows, *, quiet: bool = False) -> None:
        self.last_rows = rows
        table = self.query_one("#audit-table", DataTable)
        table.clear(columns=True)
        cells = [(str(r.seq), f"{r.at:%m-%d %H:%M:%S}", r.actor or "-", r.approver or "",
                  r.terminal, r.action, " ".join(x for x in (r.entity, r.entity_id) if x))
                 for r in rows]
        widths = [widest(_(h), [c[n] for c in cells]) for n, h in enumerate(COLUMNS)]
        record = room_for(table, widths[:6], minimum=0, natural=widths[6])
        shown = 7 if record >= 8 else 6  # too narrow for a useful record: it goes
        for label in COLUMNS[:shown]:
            table.add_column(_(label))
        for row in cells:
            table.add_row(*row[:6], *([cut(row[6], record)] if shown == 7 else []))
        if quiet:
            return
        if not rows:
            self.notify(_("No audit rows here."), timeout=3)

    def action_refresh(self) -> None:
        self.pages = [None]
        self._load()

    def action_older(self) -> None:
        if len(self.last_rows) < PAGE:
            self.notify(_("These are the oldest rows."), timeout=3)
            return
        self.pages.append(self.last_rows[-1].seq)
        self._load()

    def action_newer(self) -> None:
        self.pages = [None]
        self._load()

    def action_filter(self) -> None:
        def done(result: dict[str, str] | None) -> None:
            if result is None:
                return
            self.prefix = result["prefix"].strip() or None
            self._title()
            self.action_refresh()

        self.app.push_screen(FormDialog(_("Filter the audit log"), [
            Field("prefix", N_("Action starts with (empty: all)"), self.prefix or "",
                  required=False)]), done)

    # -- the chain ----------------------------------------------------------------------
    def action_verify(self) -> None:
        from hallterm.services.audit import verify

        self.query_one("#audit-chain", Static).update(_("Checking…"))
        self.call(verify, self.hctx, on_success=self._verified)

    def _verified(self, result) -> None:
        box = self.query_one("#audit-chain", Static)
        if result.ok:
            box.update(Text(_("Audit chain intact: {rows} rows, head {seq} {hash}").format(
                rows=result.rows, seq=result.head_seq, hash=result.head_hash[:16] + "…"),
                style="bold green"))
        else:
            box.update(Text(_("Audit chain broken at row {seq}: {reason}").format(
                seq=result.broken_seq, reason=result.reason), style="bold red"))

    # -- the day --------------------------------------------------------------------------
    def action_blockers(self) -> None:
        from hallterm.services.day import blockers

        self.call(blockers, self.hctx, self.hctx.today(), on_success=self._blockers)

    def _blockers(self, found: list[str]) -> None:
        box = self.query_one("#audit-blockers", Static)
        if not found:
            box.update(Text(_("Nothing stops today's close."), style="green"))
            return
        box.update(Text(_("Today's close is blocked by:") + "\n"
                        + "\n".join(f"• {line}" for line in found), style="yellow"))

    def action_report(self) -> None:
        from hallterm.services.day import last_closed_day

        self.call(last_closed_day, self.hctx, on_success=self._ask_report_day)

    def _ask_report_day(self, closed: date | None) -> None:
        """Ask which day, proposing the latest closed one (a day never opened has no report)."""
        if closed is None:
            self.notify(_("No business day has been closed yet: a day report exists once a "
                          "day is closed."), severity="warning")
            return

        def done(result: dict[str, str] | None) -> None:
            if result is None:
                return
            from hallterm.services.day import report

            text = result["day"].strip()
            try:
                day = date.fromisoformat(text) if text else closed
            except ValueError:
                self.notify(_("Not a date (YYYY-MM-DD): {text}").format(text=text),
                            severity="error")
                return
            self.call(report, self.hctx, day, on_success=self._report)

        self.app.push_screen(FormDialog(_("Day report"), [
            Field("day", N_("Business day (YYYY-MM-DD)"), closed.isoformat())]), done)

    def _report(self, day_report) -> None:
        self.app.push_screen(ReportDialog(day_report.text))

    # -- the review (稽核) ----------------------------------------------------------------
    def action_review(self) -> None:
        from hallterm.services.day import last_closed_day

        self.call(last_closed_day, self.hctx, on_success=self._open_review)

    def _open_review(self, closed: date | None) -> None:
        from screens.posts.audit_review import ReviewScreen

        self.app.push_screen(ReviewScreen(closed or self.hctx.today()))

    def retranslate(self) -> None:
        """The shell switched the language: redraw in it."""
        self._columns()
        self._show(self.last_rows)
        self.action_blockers()


register(Post(
    id="audit",
    title=N_("Audit"),
    key="f6",
    permission="screen.audit",
    factory=AuditScreen,
    help=N_("Review the day's records, verify the audit chain, closing blockers, day reports"),
    order=60,
))
