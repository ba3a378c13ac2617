"""``hallterm complaint``: open, work, transfer, compensate, appeal and close complaints.

Every command signs in with ``--as`` (a complaint names a customer: even reading one
needs a sign-in); the writes are the owner's (首问负责制). A compensation's approver
gives their PIN through ``HALLTERM_APPROVER_PIN`` or a prompt, asked only after the
request was checked. Errors are one line: exit 2 for bad input (closing without a
follow-up result), 3 when a hall rule refuses (the stages out of order, not yours).
"""

from __future__ import annotations

import typer

from hallterm.cli.common import (
    AS_OPTION,
    COMMAND_ID_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    print_json,
    read_pin,
    signed_in,
)
from hallterm.i18n import _

APPROVER_PIN_ENV = "HALLTERM_APPROVER_PIN"
NUMBER_ARG = typer.Argument(..., help=_("The complaint number, e.g. TS2026-00001."),
                            metavar="NUMBER")
_READ = "Reading complaints"

app = group(_("Complaints (投诉): the four stages, ownership, compensation, the close."))


def _changed(result, json_: bool) -> None:
    from hallterm.services import complaints

    if json_:
        print_json(result)
        return
    line = _("{number}: {state}, stage {stage} of 4, owner {owner}").format(
        number=result.number, state=complaints.label(complaints.STATES, result.state),
        stage=result.stage, owner=result.owner)
    if result.offered_to:
        line += "; " + _("offered to {empno}").format(empno=result.offered_to)
    typer.echo(line)


def _when(text: str, tz):
    from datetime import datetime

    from hallterm.errors import BadInput

    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(_("{text} is not a time: give YYYY-MM-DD HH:MM.").format(
            text=text)) from None
    return at if at.tzinfo else at.replace(tzinfo=tz)


@app.command("open")
@handle_errors
def open_cmd(
    ctx: typer.Context,
    phone: str = typer.Option(..., "--phone", help=_("The customer's phone."), metavar="P"),
    category: str = typer.Option(..., "--category", help=_(
        "billing, network, service, goods, business, broadband or other."), metavar="C"),
    text: str = typer.Option(..., "--text", help=_("What the customer complains about."),
                             metavar="T"),
    channel: str | None = typer.Option(None, "--channel", help=_(
        "counter or phone (default: counter at a counter's terminal, else phone)."),
        metavar="counter|phone"),
    receipt: str | None = typer.Option(None, "--receipt", help=_("A related receipt."),
                                       metavar="R"),
    order: str | None = typer.Option(None, "--order", help=_("A related service order."),
                                     metavar="O"),
    ticket: str | None = typer.Option(None, "--ticket", help=_("A related queue ticket."),
                                      metavar="T"),
    id_number: str | None = typer.Option(None, "--id-number", help=_(
        "The customer's identity document, when they give it (links the customer record)."),
        metavar="ID"),
    id_type: str | None = typer.Option(None, "--id-type", help=_(
        "The document type (default: recognised from the number)."), metavar="TYPE"),
    name: str | None = typer.Option(None, "--name", help=_("The customer's name (with "
                                                           "--id-number)."), metavar="NAME"),
    received_at: str | None = typer.Option(None, "--received-at", help=_(
        "When the customer complained, for one passed on to the hall (hotline, HQ): "
        "YYYY-MM-DD HH:MM, hall time; the clocks run from then."), metavar="TIME"),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Open a complaint (you own it) and print its number."""
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store)
    received = _when(received_at, hctx.clock.tz) if received_at else None
    customer = complaints.Customer(phone, id_number=id_number, id_type=id_type, name=name)
    opened = complaints.open_complaint(hctx, customer=customer, category=category, text=text,
                                       channel=channel, receipt=receipt, order_no=order,
                                       ticket=ticket, received_at=received,
                                       command_id=command_id)
    if json_:
        print_json(opened)
        return
    typer.echo(opened.number)
    if opened.repeat_of:
        typer.echo(_("Repeat complaint: the same customer complained in {numbers}.").format(
            numbers=", ".join(opened.repeat_of)), err=True)


def _appeal_line(v) -> str:
    """The appeal's reference and the regulator's dates, from the clock (``show``, ``appeal``)."""
    a = v.clocks.appeal

    def when(at) -> str:
        return f"{at:%Y-%m-%d %H:%M}" if at else "-"

    return _("Appealed ({reference}) {at}: the regulator accepts by {accept}, replies by "
             "{reply}").format(reference=v.appeal_reference or "-", at=when(a.at),
                               accept=when(a.accept_by), reply=when(a.reply_by))


def _left(clock) -> str:
    from hallterm.services import complaints

    if clock.ended is not None:
        return _("done {at:%Y-%m-%d %H:%M} ({state})").format(
            at=clock.ended, state=_("late") if clock.state == "late" else _("in time"))
    due = f"{clock.due:%Y-%m-%d %H:%M}" if clock.due else "-"
    if clock.left.total_seconds() < 0:  # "overdue by 2d 00h", not "-2d 00h left"
        return _("due {due}, overdue by {left} ({level})").format(
            due=due, left=complaints.describe_left(-clock.left, clock.basis),
            level=complaints.level_label(clock.level))
    return _("due {due}, {left} left ({level})").format(
        due=due, left=complaints.describe_left(clock.left, clock.basis),
        level=complaints.level_label(clock.level))


@app.command("show")
@handle_errors
def show_cmd(ctx: typer.Context, number: str = NUMBER_ARG, as_: str | None = AS_OPTION,
             json_: bool = JSON_OPTION, store: str | None = STORE_OPTION) -> None:
    """A complaint: its stages, owner, every deadline and the time left."""
    from hallterm.money import format_fen
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store, reason=_(_READ))
    v = complaints.get_complaint(hctx, number=number)
    if json_:
        print_json(v)
        return
    label = complaints.label
    typer.echo(_("{number} {state} — {category}, {channel}, opened {at:%Y-%m-%d %H:%M} by "
                 "{taker}").format(number=v.number, state=label(complaints.STATES, v.state),
                                   category=label(complaints.CATEGORIES, v.category),
                                   channel=label(complaints.CHANNELS, v.channel),
                                   at=v.opened_at, taker=v.taken_by))
    typer.echo(_("Owner {owner}; customer {phone}").format(owner=v.owner, phone=v.phone or "-")
               + (("; " + _("offered to {empno}").format(empno=v.offered_to))
                  if v.offered_to else ""))
    typer.echo(v.text)
    related = [f"{k} {x}" for k, x in ((_("receipt"), v.receipt), (_("order"), v.order_no),
                                       (_("ticket"), v.ticket)) if x]
    if related:
        typer.echo(_("Related: {records}").format(records=", ".join(related)))
    if v.repeat_of:
        typer.echo(_("Repeat complaint: the same customer complained in {numbers}.").format(
            numbers=", ".join(v.repeat_of)))
    if v.clocks.appeal is not None:
        typer.echo(_appeal_line(v))
    for s in v.stages:
        done = (_("{at:%Y-%m-%d %H:%M} {by}: {done}").format(at=s.done_at, by=s.by, done=s.done)
                if s.done_at else _("not yet"))
        typer.echo(f"  {s.number}. {label(complaints.STAGE_TITLES, s.number)}: {done}")
    for c in v.clocks.clocks:
        typer.echo(f"  {c.name:<10} {_left(c)}")
    for m in v.compensations:
        typer.echo(_("Compensation {kind} {amount}: {what} (approved by {approver})").format(
            kind=label(complaints.COMPENSATION_KINDS, m.kind), amount=format_fen(m.amount_fen),
            what=m.description, approver=m.approver))
    if v.result:
        typer.echo(_("Closed: {result}. {summary}").format(
            result=label(complaints.RESULTS, v.result), summary=v.summary))


@app.command("list")
@handle_errors
def list_cmd(
    ctx: typer.Context,
    overdue: bool = typer.Option(False, "--overdue", help=_("Only the overdue (escalated).")),
    mine: bool = typer.Option(False, "--mine", help=_("Only yours.")),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """The open complaints, the next deadline first."""
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store, reason=_(_READ))
    lines = complaints.list_complaints(hctx, overdue=overdue,
                                       owner=hctx.actor.empno if mine and hctx.actor else None)
    if json_:
        print_json(lines)
        return
    if not lines:
        typer.echo(_("No open complaints."))
        return
    for x in lines:
        nxt = x.clocks.next
        when = f"{nxt.name} {_left(nxt)}" if nxt else "-"
        flag = (" R" if x.repeat else "") + (f" → {x.offered_to}" if x.offered_to else "")
        typer.echo(f"{x.number}  {x.owner:<6} {complaints.label(complaints.STATES, x.state)}"
                   f"  {x.stage}/4  {x.phone or '-'}{flag}  {when}")


@app.command("stage")
@handle_errors
def stage_cmd(
    ctx: typer.Context,
    number: str = NUMBER_ARG,
    stage: str = typer.Option(..., "--stage", help=_(
        "1-4 or accept, explain, resolve, follow_up (the next one only)."), metavar="N"),
    done: str | None = typer.Option(None, "--done", help=_("What was done."), metavar="TEXT"),
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Record the next stage done, with what was done."""
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store)
    _changed(complaints.record_stage(hctx, number=number, stage=stage, done=done or "",
                                     command_id=command_id), json_)


@app.command("pause")
@handle_errors
def pause_cmd(
    ctx: typer.Context, number: str = NUMBER_ARG,
    waiting_for: str | None = typer.Option(None, "--waiting-for", help=_(
        "What the customer is to give (the clocks stop only for the customer)."),
        metavar="TEXT"),
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Pause the clocks while waiting for the customer."""
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store)
    _changed(complaints.pause(hctx, number=number, waiting_for=waiting_for or "",
                              command_id=command_id), json_)


@app.command("resume")
@handle_errors
def resume_cmd(
    ctx: typer.Context, number: str = NUMBER_ARG,
    note: str | None = typer.Option(None, "--note", help=_("What the customer gave."),
                                    metavar="TEXT"),
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """The customer is back: the clocks run again."""
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store)
    _changed(complaints.resume(hctx, number=number, note=note, command_id=command_id), json_)


@app.command("transfer")
@handle_errors
def transfer_cmd(
    ctx: typer.Context, number: str = NUMBER_ARG,
    to: str = typer.Option(..., "--to", help=_("The colleague who is to take it over."),
                           metavar="EMPNO"),
    reason: str | None = typer.Option(None, "--reason", help=_("Why it moves."),
                                      metavar="TEXT"),
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Offer the complaint to a colleague: it is yours until they accept it."""
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store)
    _changed(complaints.transfer(hctx, number=number, to=to, reason=reason or "",
                                 command_id=command_id), json_)


@app.command("accept")
@handle_errors
def accept_cmd(ctx: typer.Context, number: str = NUMBER_ARG, as_: str | None = AS_OPTION,
               command_id: str | None = COMMAND_ID_OPTION, json_: bool = JSON_OPTION,
               store: str | None = STORE_OPTION) -> None:
    """Take over a complaint offered to you."""
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store)
    _changed(complaints.accept(hctx, number=number, command_id=command_id), json_)


@app.command("compensate")
@handle_errors
def compensate_cmd(
    ctx: typer.Context, number: str = NUMBER_ARG,
    kind: str = typer.Option(..., "--kind", help=_("cash, credit (bill credit) or goods."),
                             metavar="KIND"),
    amount: str = typer.Option(..., "--amount", help=_("The value, e.g. 50 or 50.00."),
                               metavar="YUAN"),
    description: str | None = typer.Option(None, "--description", help=_("What is given."),
                                           metavar="TEXT"),
    counter: int | None = typer.Option(None, "--counter", help=_(
        "Cash: the drawer it is paid from (default: this terminal's counter)."), metavar="N"),
    approver: str | None = typer.Option(None, "--approver", help=_(
        "The approving duty or hall manager (PIN from HALLTERM_APPROVER_PIN or a prompt)."),
        metavar="EMPNO"),
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Compensation approved by a manager (cash is paid from a drawer)."""
    from hallterm.context import command_done
    from hallterm.money import format_fen, parse_fen
    from hallterm.services import complaints
    from hallterm.services.staff import approve

    hctx = signed_in(ctx, as_, store, counter=counter)
    amount_fen = parse_fen(amount, allow_zero=False)
    action = "complaint.compensation_large"  # a retry replays the first write
    if not command_done(hctx, command_id):  # checked before the approver's PIN is asked
        action = complaints.check_compensate(hctx, number=number, kind=kind,
                                             amount_fen=amount_fen,
                                             description=description or "", counter=counter)
    second = None
    if approver:
        pin = read_pin(_("PIN for {empno}").format(empno=approver), env=APPROVER_PIN_ENV)
        second = approve(hctx, action=action, empno=approver, pin=pin)
    done = complaints.compensate(hctx, number=number, kind=kind, amount_fen=amount_fen,
                                 description=description or "", approver=second,
                                 counter=counter, command_id=command_id)
    if json_:
        print_json(done)
        return
    paid = (" " + _("paid from counter {n}'s drawer").format(n=done.counter)
            if done.cash_movement_id else "")
    typer.echo(_("{number}: {kind} {amount} approved by {approver}").format(
        number=done.number, kind=complaints.label(complaints.COMPENSATION_KINDS, done.kind),
        amount=format_fen(done.amount_fen), approver=done.approver) + paid)


@app.command("appeal")
@handle_errors
def appeal_cmd(
    ctx: typer.Context, number: str = NUMBER_ARG,
    reference: str | None = typer.Option(None, "--reference", help=_(
        "The regulator's reference of the appeal (申诉)."), metavar="REF"),
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """The customer appealed to the regulator (申诉): record its reference."""
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store)
    done = complaints.appeal(hctx, number=number, reference=reference or "",
                             command_id=command_id)
    _changed(done, json_)
    if not json_:  # the regulator's own dates, as the guide promises
        typer.echo(_appeal_line(complaints.get_complaint(hctx, number=done.number)))


@app.command("close")
@handle_errors
def close_cmd(
    ctx: typer.Context, number: str = NUMBER_ARG,
    result: str | None = typer.Option(None, "--result", help=_(
        "The customer's follow-up result: satisfied, dissatisfied or unreachable."),
        metavar="satisfied|dissatisfied|unreachable"),
    summary: str | None = typer.Option(None, "--summary", help=_("The summary."),
                                       metavar="S"),
    attempts: int | None = typer.Option(None, "--attempts", help=_(
        "Follow-up attempts made (unreachable: at least the hall's number)."), metavar="N"),
    as_: str | None = AS_OPTION, command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION, store: str | None = STORE_OPTION,
) -> None:
    """Close with the customer's follow-up result and a summary."""
    from hallterm.services import complaints

    hctx = signed_in(ctx, as_, store)
    _changed(complaints.close(hctx, number=number, result=result, summary=summary,
                              attempts=attempts, command_id=command_id), json_)
