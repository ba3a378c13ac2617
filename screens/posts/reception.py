"""The Reception screen (咨询引导岗): issue tickets, watch the queue, run the counters.

Issuing takes at most two keys: an optional priority key (V VIP, E priority care
老弱病残, A appointment) and then the service's number key (1-9). The issued
ticket is shown as a slip ready to print. The board shows per service how many
wait, the longest wait and the flagged (long-wait) tickets; the counters show
their state, clerk and current ticket, and — while the closing sign is up — who
still waits for services only that counter serves.

Live: once a second it reads the queue's change counter and reloads only on a
change (and every 15 s, so waits keep counting up).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Static

from hallterm.i18n import N_, _
from screens.actions import Action, bindings, declare
from screens.base import PostScreen
from screens.posts.reception_forms import ReceptionForms
from screens.registry import Post, register
from screens.widgets.fit import cut, room_for, widest
from screens.widgets.form_dialog import Field, FormDialog
from screens.widgets.header import ShellHeader

POLL_SECONDS = 1.0
REFRESH_EVERY = 15  # polls: waits keep counting up even when nothing changes
LINE_SHOWN = 12  # waiting tickets the line under the board lists (the count is whole)


def _mins(seconds: int) -> str:
    return _("{minutes} min").format(minutes=seconds // 60)


def _short(name: str, cells: int = 12) -> str:
    """A service name cut to ``cells`` terminal cells (the issue bar fits 80 columns)."""
    from rich.cells import cell_len, set_cell_size

    return name if cell_len(name) <= cells else set_cell_size(name, cells - 1) + "…"


class ReceptionScreen(ReceptionForms, PostScreen):
    """The guide's screen: tickets, the board and the counters."""

    DEFAULT_CSS = """
    ReceptionScreen #rc-issue { height: auto; padding: 0 1; background: $boost; }
    ReceptionScreen #rc-main { height: 1fr; }
    ReceptionScreen #rc-top { height: auto; }
    ReceptionScreen #rc-left { width: 1fr; height: auto; }
    ReceptionScreen #rc-slip {
        width: 28; height: auto; border: heavy $accent; padding: 0 1; margin: 0 1;
    }
    ReceptionScreen .rc-title { text-style: bold; color: $accent; padding: 0 1; }
    ReceptionScreen DataTable { height: auto; max-height: 14; }
    ReceptionScreen #rc-line { height: auto; padding: 0 1; }
    """
    ACTIONS = declare(
        "reception", N_("Reception"),
        Action("reception.issue", "1", "issue(1)", N_("Issue ticket"),
               N_("Issue a ticket for service 1-9"), key_display="1-9",
               more_keys=tuple((str(n), f"issue({n})") for n in range(2, 10)), permission="queue.issue"),
        Action("reception.vip", "v", "priority('vip')", N_("VIP"), N_("Next ticket is VIP"),
               permission="queue.issue"),
        Action("reception.care", "e", "priority('care')", N_("Care"),
               N_("Next ticket is priority care (老弱病残)"), permission="queue.issue"),
        Action("reception.appointment", "a", "priority('appointment')", N_("Appointment"),
               N_("Next ticket is an appointment"), permission="queue.issue"),
        Action("reception.print", "s", "print_slip", N_("Print slip"),
               N_("Print the last ticket's slip"), permission="queue.issue"),
        Action("reception.transfer", "t", "transfer", N_("Transfer"),
               N_("Move a ticket to another service"), permission="queue.manage"),
        Action("reception.cancel", "x", "cancel_ticket", N_("Cancel"),
               N_("Cancel a waiting ticket"), permission="queue.manage"),
        Action("reception.reinsert", "i", "reinsert", N_("Re-insert"),
               N_("Put a missed ticket back in line (顺延)"), permission="queue.manage"),
        Action("reception.counter_open", "o", "counter('open')", N_("Open ctr"),
               N_("Open a counter"), permission="counter.manage"),
        Action("reception.counter_pause", "p", "counter('paused')", N_("Pause ctr"),
               N_("Pause a counter"), permission="counter.manage"),
        Action("reception.counter_closing", "g", "counter('closing')", N_("Closing sign"),
               N_("Put up a counter's closing sign"), permission="counter.manage"),
        Action("reception.counter_close", "k", "counter('closed')", N_("Close ctr"),
               N_("Close a counter"), permission="counter.manage"),
        order=10)
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.priority = "normal"
        self.status = None
        self.slip = None
        self._version: int | None = None
        self._polls = 0
        self._polling = False
        self._fit_width: int | None = None  # the board's width the names were fitted to

    def compose(self) -> ComposeResult:
        yield ShellHeader()
        yield Static(id="rc-issue")
        with Vertical(id="rc-main"):
            with Horizontal(id="rc-top"):
                with Vertical(id="rc-left"):
                    yield Static(id="rc-board-title", classes="rc-title")
                    yield DataTable(id="rc-board", cursor_type="row", zebra_stripes=True)
                    yield Static(id="rc-line")
                yield Static(id="rc-slip")
            # The counters take the whole width under the slip.
            yield Static(id="rc-counters-title", classes="rc-title")
            yield DataTable(id="rc-counters", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self._columns()
        self._show_slip()
        self.reload()
        self.set_interval(POLL_SECONDS, self.poll)

    def retranslate(self) -> None:
        """The shell switched the language: redraw in it."""
        self._columns()
        if self.status is not None:
            self._show(self.status)
        self._show_slip()

    @staticmethod
    def _board_heads() -> tuple[str, ...]:
        return (_("No."), _("Service"), _("Waiting"), _("Longest"), _("Open at"),
                _("Long waits"))

    @staticmethod
    def _counter_heads() -> tuple[str, ...]:
        return (_("Counter"), _("State"), _("Clerk"), _("Current"), _("Parked"), _("Services"),
                _("Only here"))

    def _refit(self) -> None:
        if self.status is not None and self.query_one("#rc-left").size.width != self._fit_width:
            self._show(self.status)

    def on_resize(self) -> None:
        self._refit()  # only when the board's width changed: a re-fill mid-layout is lost

    def _columns(self) -> None:
        board = self.query_one("#rc-board", DataTable)
        board.clear(columns=True)
        board.add_columns(*self._board_heads())
        counters = self.query_one("#rc-counters", DataTable)
        counters.clear(columns=True)
        counters.add_columns(*self._counter_heads())
        self.query_one("#rc-board-title", Static).update(_("Waiting by service"))
        self.query_one("#rc-counters-title", Static).update(_("Counters"))

    # -- loading -----------------------------------------------------------------------
    def reload(self) -> None:
        from hallterm.services.queue import queue_status

        self.call(queue_status, self.hctx, on_success=self._show)

    def poll(self) -> None:
        """Reload when another terminal changed the queue (one tiny read a second).

        Not while the clerk is on another post: the kept screen reads on its return."""
        if self._polling or self.hctx is None or not self.is_current:
            return
        from hallterm.services.queue import changes

        self._polls += 1
        self._polling = True

        def seen(version: int) -> None:
            self._polling = False
            if version != self._version or self._polls % REFRESH_EVERY == 0:
                self.reload()

        def failed(_exc) -> None:
            self._polling = False

        self.call(changes, self.hctx, on_success=seen, on_error=failed)

    def _service_name(self, s) -> str:
        return s.name_zh if self.hctx.language == "zh_CN" else s.name_en

    def _show(self, status) -> None:
        from hallterm.services.queue import COUNTER_LABELS

        self.status = status
        self._version = status.version
        self._show_issue_bar()
        board = self.query_one("#rc-board", DataTable)
        row = board.cursor_row
        board.clear(columns=True)
        # Every column whole but the service's name, which takes the room that is left.
        rows = [(str(n) if n < 10 else "", f"{s.code} {self._service_name(s)}", str(s.waiting),
                 _mins(s.longest_wait_s) if s.waiting else "-",
                 " ".join(str(c) for c in s.open_counters) or "-",
                 Text(" ".join(s.flagged) + (f" +{s.flagged_count - len(s.flagged)}"
                                             if s.flagged_count > len(s.flagged) else ""),
                      style="bold red") if s.flagged else "")
                for n, s in enumerate(status.services, start=1)]
        heads = self._board_heads()
        widths = [widest(h, [r[i] for r in rows]) for i, h in enumerate(heads)]
        width = self.query_one("#rc-left").size.width or None
        if width != self._fit_width:
            # The board's room is known only once the layout has run (the slip beside it
            # takes its share): fit again after this refresh if it was not known yet.
            self._fit_width = width
            self.call_after_refresh(self._refit)
        keep = [0, 2, 3, 4, 5]
        name = room_for(board, [widths[i] for i in keep], minimum=0, natural=widths[1],
                        width=width)
        if name < min(widths[1], 12):  # too narrow: the open counters go first
            keep = [0, 2, 3, 5]
            name = room_for(board, [widths[i] for i in keep], minimum=10, natural=widths[1],
                            width=width)
        board.add_columns(*[heads[i] for i in [0, 1, *keep[1:]]])
        for cells in rows:
            board.add_row(cells[0], cut(cells[1], name), *[cells[i] for i in keep[1:]])
        if row is not None and board.row_count:
            board.move_cursor(row=min(row, board.row_count - 1))
        self._load_line()
        counters = self.query_one("#rc-counters", DataTable)
        row = counters.cursor_row
        counters.clear()
        rows = []
        for c in status.counters:
            state = Text(_(COUNTER_LABELS.get(c.state, c.state)),
                         style={"open": "green", "paused": "yellow", "closing": "bold magenta",
                                "closed": "dim"}.get(c.state, ""))
            rows.append((str(c.number), state, f"{c.clerk_name} ({c.clerk})" if c.clerk else "-",
                         c.current_ticket or "-", " ".join(c.parked) or "-",
                         " ".join(c.services),
                         Text(" ".join(c.orphans), style="bold red") if c.orphans else ""))
        widths = [widest(h, [r[i] for r in rows]) for i, h in enumerate(self._counter_heads())]
        clerk = room_for(counters, widths[:2] + widths[3:], minimum=8, natural=widths[2])
        for cells in rows:
            counters.add_row(*cells[:2], cut(cells[2], clerk), *cells[3:])
        if row is not None and counters.row_count:
            counters.move_cursor(row=min(row, counters.row_count - 1))

    # -- the line of the highlighted service ------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "rc-board":
            self._load_line()

    def _highlighted_service(self) -> str | None:
        board = self.query_one("#rc-board", DataTable)
        if self.status is None or not self.status.services or board.cursor_row is None:
            return None
        return self.status.services[min(board.cursor_row, len(self.status.services) - 1)].code

    def _load_line(self) -> None:
        from hallterm.services.queue import waiting_tickets

        code = self._highlighted_service()
        if code is None:
            return
        self.call(waiting_tickets, self.hctx, service=code, limit=LINE_SHOWN,
                  on_success=lambda tickets: self._show_line(code, tickets))

    def _show_line(self, code: str, tickets) -> None:
        """Who waits in the highlighted service, in line order; then who missed their call."""
        from hallterm.services.queue import PRIORITY_LABELS

        text = Text()
        text.append(_("Line {code}: ").format(code=code), style="bold")
        waiting = [t for t in tickets if t.state == "waiting"]
        missed = [t for t in tickets if t.state == "no_show"]
        for t in waiting[:LINE_SHOWN]:
            style = "bold red" if t.long_wait else ("bold" if t.priority != "normal" else "")
            label = "" if t.priority == "normal" else " " + _(PRIORITY_LABELS[t.priority])
            text.append(f"{t.number}{label} {t.wait_s // 60}′", style=style)
            text.append("  ")
        line = next((s for s in (self.status.services if self.status else ())
                     if s.code == code), None)
        total = max(len(waiting), line.waiting if line is not None else 0)
        if total > LINE_SHOWN:
            text.append(_("… {n} more").format(n=total - LINE_SHOWN))
        if not waiting:
            text.append(_("nobody waiting"), style="dim")
        if missed:
            text.append("\n" + _("Missed (I to re-insert): {numbers}").format(
                numbers=" ".join(t.number for t in missed)), style="yellow")
        self.query_one("#rc-line", Static).update(text)

    def _show_issue_bar(self) -> None:
        from hallterm.services.queue import PRIORITY_LABELS

        text = Text()
        text.append(_("Issue a ticket: "), style="bold")
        services = self.status.services if self.status else []
        names = [self._service_name(s) for s in services[:9]]
        cells = self._name_cells(names, text.cell_len)
        for n, (s, name) in enumerate(zip(services, names, strict=False), start=1):
            text.append(f"[{n}]", style="bold reverse")
            text.append(f" {s.code} {_short(name, cells)}  ")
        text.append("\n")
        text.append(_("Priority of the next ticket: "), style="bold")
        style = "bold black on yellow" if self.priority != "normal" else "bold"
        text.append(f" {_(PRIORITY_LABELS[self.priority])} ", style=style)
        text.append("  " + _("V VIP · E care (老弱病残) · A appointment"), style="dim")
        self.query_one("#rc-issue", Static).update(text)

    def _name_cells(self, names: list[str], prefix: int) -> int:
        """How long a service name may be in the issue bar: whole when the bar has the
        room (one line, else two), never shorter than 12 cells."""
        from rich.cells import cell_len

        width = self.query_one("#rc-issue").size.width - 2
        if width <= 0:
            return 12

        def total(cells: int) -> int:
            return prefix + sum(len(str(n)) + 6 + min(cell_len(name), cells)
                                for n, name in enumerate(names, start=1)) + 2 * len(names)

        longest = max((cell_len(n) for n in names), default=12)
        for lines in (1, 2):
            for cells in range(longest, 11, -1):
                if total(cells) <= lines * width - (lines - 1) * 12:
                    return cells
        return 12

    def _show_slip(self) -> None:
        from hallterm.services.queue import PRIORITY_LABELS

        slip = self.slip
        box = self.query_one("#rc-slip", Static)
        if slip is None:
            box.update(_("The issued ticket's slip appears here."))
            return
        name = slip.service_zh if self.hctx.language == "zh_CN" else slip.service_en
        text = Text(justify="center")
        text.append(_("Queue ticket (排队号)") + "\n", style="bold")
        text.append(f"\n {slip.number} \n\n", style="bold reverse")
        text.append(f"{slip.service} {name}\n")
        text.append(_(PRIORITY_LABELS[slip.priority]) + "\n")
        if slip.appointment_code:
            text.append(_("Appointment {code}").format(code=slip.appointment_code) + "\n")
        text.append(_("People ahead: {n}").format(n=slip.people_ahead) + "\n")
        text.append(_("Estimated wait: about {n} min").format(n=slip.estimated_wait_min) + "\n")
        text.append(f"{slip.issued_at:%Y-%m-%d %H:%M}\n")
        box.update(text)

    # -- issuing -----------------------------------------------------------------------
    def action_priority(self, priority: str) -> None:
        self.priority = "normal" if self.priority == priority else priority
        self._show_issue_bar()

    def action_issue(self, n: int) -> None:
        services = self.status.services if self.status else []
        if n > len(services):
            self.notify(_("No service number {n}.").format(n=n), severity="warning")
            return
        code = services[n - 1].code
        priority = self.priority
        if priority == "appointment":
            def answered(values) -> None:
                if values is None:  # cancelled: the next ticket is a normal one again
                    self.priority = "normal"
                    self._show_issue_bar()
                    return
                self._issue(code, priority, values["code"])

            self.app.push_screen(FormDialog(_("Appointment ticket"), [
                Field("code", N_("Appointment code"))]), answered)
            return
        self._issue(code, priority, None)

    def _issue(self, code: str, priority: str, appointment: str | None) -> None:
        from hallterm.services.queue import issue_ticket

        def issued(slip) -> None:
            self.slip = slip
            self.priority = "normal"
            self._show_slip()
            self.notify(_("Issued {number}.").format(number=slip.number))
            self.reload()

        self.call(issue_ticket, self.hctx, service=code, priority=priority,
                  appointment=appointment, on_success=issued)

    def action_print_slip(self) -> None:
        from hallterm.services.queue import print_slip
        from hallterm.services.sales import Printer, printer_from_settings

        if self.slip is None:
            self.notify(_("Issue a ticket first."), severity="warning")
            return
        settings = self.shell.settings
        printer = printer_from_settings(settings) if settings is not None else Printer()
        self.call(print_slip, self.slip, printer=printer,
                  on_success=lambda where: self.notify(_("Slip printed: {where}").format(
                      where=where)))

register(Post(
    id="reception",
    title=N_("Reception"),
    key="f2",
    permission="screen.reception",
    factory=ReceptionScreen,
    help=N_("Queue tickets, priorities, counters and waiting times"),
    order=10,
))
