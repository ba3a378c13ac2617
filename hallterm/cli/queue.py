"""``hallterm queue``: the ticket kiosk, the queue's status, counter actions; ``hallterm display``.

``queue issue`` is the kiosk command: it needs no sign-in and no PIN (customers
take their own tickets); the audit log records it as actor ``kiosk`` on this
terminal. Every other write needs ``--as EMPNO`` and the PIN (``HALLTERM_PIN``).
Counter commands act at this terminal's counter (``--counter`` / ``HALLTERM_COUNTER``).
"""

from __future__ import annotations

import typer

from hallterm.cli.common import (
    AS_OPTION,
    COMMAND_ID_OPTION,
    JSON_OPTION,
    OVERRIDE_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    options,
    print_json,
    signed_in,
)
from hallterm.i18n import _

app = group(_("The queue: issue tickets (kiosk), status, counters and calls."))

COUNTER_OPTION = typer.Option(None, "--counter", help=_(
    "The counter (default: this terminal's, HALLTERM_COUNTER)."), metavar="N")
REASON_OPTION = typer.Option(None, "--reason", help=_("Why (kept in the audit log)."),
                             metavar="TEXT")


def _minutes(seconds: int) -> str:
    return _("{minutes} min").format(minutes=seconds // 60)


def _service_name(hctx, zh: str, en: str) -> str:
    return zh if hctx.language == "zh_CN" else en


def _print_ticket(ticket, json_: bool) -> None:
    from hallterm.services.queue import STATE_LABELS

    if json_:
        print_json(ticket)
        return
    if ticket is None:
        typer.echo(_("Nobody is waiting for this counter's services."))
        return
    counter = f" → {ticket.counter}" if ticket.counter else ""
    typer.echo(_("{number} ({service}) {state}{counter}, waited {wait}").format(
        number=ticket.number, service=ticket.service, state=_(STATE_LABELS[ticket.state]),
        counter=counter, wait=_minutes(ticket.wait_s)))


@app.command("issue")
@handle_errors
def issue(
    ctx: typer.Context,
    service: str = typer.Argument(..., help=_("Service code, e.g. A.")),
    priority: str = typer.Option("normal", "--priority", help=_(
        "vip, care, appointment or normal.")),
    appointment: str | None = typer.Option(None, "--appointment", help=_(
        "The appointment code (with --priority appointment)."), metavar="CODE"),
    print_: bool = typer.Option(False, "--print", help=_(
        "Also print the slip on the configured printer.")),
    json_: bool = JSON_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Issue a ticket (ticket kiosk: no sign-in; audited as actor "kiosk")."""
    from hallterm.services.queue import issue_ticket, print_slip
    from hallterm.services.sales import printer_from_settings

    opts = options(ctx)
    hctx = opts.ctx(store)
    slip = issue_ticket(hctx, service=service, priority=priority, appointment=appointment,
                        command_id=command_id)
    if print_:
        settings = opts.settings(store=store) if store is not None else opts.settings()
        print_slip(slip, printer=printer_from_settings(settings))
    if json_:
        print_json(slip)
        return
    from hallterm.services.queue import PRIORITY_LABELS

    # The code is shown whatever the priority (a code given with another one is kept),
    # and "Appointment" is said once, as on the slip.
    cls = _(PRIORITY_LABELS.get(slip.priority, slip.priority))
    code = ""
    if slip.appointment_code and slip.priority == "appointment":
        cls = _("Appointment {code}").format(code=slip.appointment_code)
    elif slip.appointment_code:
        code = "  " + _("Appointment {code}").format(code=slip.appointment_code)
    typer.echo(_("{number}  {service}  {cls}  {time:%H:%M}  ahead: {ahead}  about {wait} min"
                 ).format(
        number=slip.number, service=_service_name(hctx, slip.service_zh, slip.service_en),
        cls=cls, time=slip.issued_at, ahead=slip.people_ahead,
        wait=slip.estimated_wait_min) + code)


@app.command("status")
@handle_errors
def status(ctx: typer.Context, json_: bool = JSON_OPTION,
           store: str | None = STORE_OPTION) -> None:
    """Waiting per service and the counters with their current tickets."""
    from hallterm.services.queue import COUNTER_LABELS, queue_status

    hctx = options(ctx).ctx(store)
    st = queue_status(hctx)
    if json_:
        print_json({
            "business_day": st.business_day,
            "services": [{"code": s.code, "name": _service_name(hctx, s.name_zh, s.name_en),
                          "name_zh": s.name_zh, "name_en": s.name_en, "waiting": s.waiting,
                          "longest_wait_s": s.longest_wait_s, "flagged": list(s.flagged)}
                         for s in st.services],
            "counters": [{"number": c.number, "state": c.state, "clerk": c.clerk,
                          "services": list(c.services), "current_ticket": c.current_ticket,
                          "parked": list(c.parked), "orphans": list(c.orphans)}
                         for c in st.counters],
        })
        return
    typer.echo(_("Queue on {day}").format(day=st.business_day.isoformat()))
    for s in st.services:
        flag = "  !" + " ".join(s.flagged) if s.flagged else ""
        typer.echo(_("  {code} {name}: {waiting} waiting, longest {wait}{flag}").format(
            code=s.code, name=_service_name(hctx, s.name_zh, s.name_en), waiting=s.waiting,
            wait=_minutes(s.longest_wait_s), flag=flag))
    for c in st.counters:
        typer.echo(_("  Counter {number}: {state} {clerk} {ticket}").format(
            number=c.number, state=_(COUNTER_LABELS.get(c.state, c.state)),
            clerk=c.clerk or "", ticket=c.current_ticket or "").rstrip())


def _clerk_ctx(ctx: typer.Context, as_: str | None, store: str | None, counter: int | None):
    from dataclasses import replace

    hctx = signed_in(ctx, as_, store, counter=counter, terminal_counter=True)
    return replace(hctx, counter=counter) if counter is not None else hctx


@app.command("call")
@handle_errors
def call(ctx: typer.Context, as_: str | None = AS_OPTION, counter: int | None = COUNTER_OPTION,
         json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
         override_reason: str | None = OVERRIDE_OPTION) -> None:
    """Call the next ticket at the counter (by the hall's policy)."""
    from hallterm.services.queue import call_next

    _print_ticket(call_next(_clerk_ctx(ctx, as_, store, counter),
                            override_reason=override_reason), json_)


def _counter_action(name: str, doc: str):
    @handle_errors
    def command(ctx: typer.Context, as_: str | None = AS_OPTION,
                counter: int | None = COUNTER_OPTION, json_: bool = JSON_OPTION,
                store: str | None = STORE_OPTION,
                override_reason: str | None = OVERRIDE_OPTION) -> None:
        from hallterm.services import queue

        hctx = _clerk_ctx(ctx, as_, store, counter)
        if name == "no-show":
            result = queue.no_show(hctx, override_reason=override_reason)
            if not json_ and result.reinserted:
                typer.echo(_("{number} re-inserted automatically (过号保护).").format(
                    number=result.ticket.number))
            _print_ticket(result if json_ else result.ticket, json_)
            return
        fn = {"recall": queue.recall, "start": queue.start_serving, "finish": queue.finish,
              "park": queue.park, "resume": queue.resume}[name]
        _print_ticket(fn(hctx, override_reason=override_reason), json_)

    command.__doc__ = doc
    command.__name__ = f"cmd_{name.replace('-', '_')}"
    app.command(name)(command)


_counter_action("recall", "Announce the called ticket again.")
_counter_action("no-show", "Mark the called ticket no-show (after the configured recalls).")
_counter_action("start", "Start serving the called ticket.")
_counter_action("finish", "Finish the current ticket.")
_counter_action("park", "Park (挂起) the ticket being served.")
_counter_action("resume", "Resume the oldest parked ticket of the counter.")


@app.command("transfer")
@handle_errors
def transfer_cmd(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Ticket number, e.g. A012.")),
    service: str = typer.Argument(..., help=_("The service it moves to.")),
    reason: str | None = REASON_OPTION,
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
    override_reason: str | None = OVERRIDE_OPTION,
) -> None:
    """Move a ticket to another service, keeping its issue time."""
    from hallterm.services.queue import transfer

    hctx = signed_in(ctx, as_, store)
    _print_ticket(transfer(hctx, number=number, service=service, reason=reason,
                           override_reason=override_reason), json_)


@app.command("cancel")
@handle_errors
def cancel_cmd(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Ticket number, e.g. A012.")),
    reason: str = typer.Option(..., "--reason", help=_("Why (kept in the audit log).")),
    as_: str | None = AS_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Cancel a waiting or missed ticket (guide)."""
    from hallterm.services.queue import cancel

    _print_ticket(cancel(signed_in(ctx, as_, store), number=number, reason=reason),
                  False)


@app.command("reinsert")
@handle_errors
def reinsert_cmd(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("Ticket number, e.g. A012.")),
    reason: str = typer.Option(..., "--reason", help=_("Why (kept in the audit log).")),
    places: int | None = typer.Option(None, "--places", help=_(
        "Places on in line (default: reinsert_places of hall.toml).")),
    as_: str | None = AS_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Put a missed ticket back in line a few places on (顺延; guide)."""
    from hallterm.services.queue import reinsert

    hctx = signed_in(ctx, as_, store)
    _print_ticket(reinsert(hctx, number=number, reason=reason, places=places), False)


@app.command("counter")
@handle_errors
def counter_cmd(
    ctx: typer.Context,
    number: int = typer.Argument(..., help=_("The counter number.")),
    state: str = typer.Argument(..., help=_("open, paused, closing or closed.")),
    clerk: str | None = typer.Option(None, "--clerk", help=_(
        "Employee number of the clerk taking the counter (default: you)."), metavar="EMPNO"),
    reason: str | None = REASON_OPTION,
    as_: str | None = AS_OPTION,
    store: str | None = STORE_OPTION,
    override_reason: str | None = OVERRIDE_OPTION,
) -> None:
    """Open, pause, put up the closing sign, or close a counter (its keeper only)."""
    from hallterm.services.queue import COUNTER_LABELS, set_counter_state

    hctx = signed_in(ctx, as_, store)
    info = set_counter_state(hctx, counter=number, state=state, clerk=clerk, reason=reason,
                             override_reason=override_reason)
    typer.echo(_("Counter {number} is {state}.").format(
        number=info.number, state=_(COUNTER_LABELS[info.state])))
    if info.orphans:
        typer.echo(_("Still waiting only for this counter: {numbers}").format(
            numbers=" ".join(info.orphans)))


@app.command("figures")
@handle_errors
def figures_cmd(
    ctx: typer.Context,
    day: str | None = typer.Argument(None, help=_("The day (YYYY-MM-DD); default today.")),
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """The day's queue figures per service (for the day report)."""
    from hallterm.cli.parse import parse_day
    from hallterm.services.queue import day_figures

    hctx = options(ctx).ctx(store)
    fig = day_figures(hctx, business_day=parse_day(day) or hctx.today())
    if json_:
        print_json(fig)
        return
    for s in [*fig.services, fig.total]:
        typer.echo(_("{code}: issued {issued}, served {served}, no-show {no_show}, cancelled "
                     "{cancelled}, transferred {transferred}; wait avg {avg} p90 {p90}").format(
            code=s.code, issued=s.issued, served=s.served, no_show=s.no_show,
            cancelled=s.cancelled, transferred=s.transferred,
            avg=_minutes(s.avg_wait_s) if s.avg_wait_s is not None else "-",
            p90=_minutes(s.p90_wait_s) if s.p90_wait_s is not None else "-"))


@handle_errors
def display(ctx: typer.Context, store: str | None = STORE_OPTION) -> None:
    """The hall display board for the waiting area (no sign-in, no customer data)."""
    from hallterm.bootstrap import make_clock
    from hallterm.context import Ctx
    from hallterm.i18n import set_language
    from hallterm.schema import require_current
    from hallterm.store import Store, check_store_file

    # The board only reads: it needs the store, not the hall secret (no PIN is checked).
    opts = options(ctx)
    settings = opts.settings(store=store) if store is not None else opts.settings()
    set_language(settings.language)
    if settings.store_path is not None:
        check_store_file(settings.store_path)
    read_store = Store(settings.store)
    require_current(read_store)
    hctx = Ctx(store=read_store, clock=make_clock(settings), terminal=settings.terminal,
               pepper=b"", language=settings.language)
    from screens.display import run_display

    run_display(hctx)
