"""``hallterm review``: the audit review of a closed day (稽核), the owner's inbox, the
cash reconciliation and who viewed customer data."""

from __future__ import annotations

import typer

from hallterm.cli.common import (
    AS_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    pad,
    print_json,
    signed_in,
)
from hallterm.i18n import _

app = group(_("The audit review: OK or exception per record, rectification, acceptance."))

REF_ARG = typer.Argument(..., metavar="REF", help=_(
    "The record: KIND:REFERENCE (sale:R20261125-0001, handover:HO20261125-001) or its "
    "reference."))
DAY_OPTION = typer.Option(None, "--day", metavar="DATE", help=_(
    "The reviewed business day (YYYY-MM-DD); default the last closed day."))


def _day(hctx, text: str | None):
    from hallterm.cli.parse import parse_day
    from hallterm.errors import Refused
    from hallterm.services.day import last_closed_day

    day = parse_day(text) or last_closed_day(hctx)
    if day is None:
        raise Refused(_("No business day has been closed yet: a day is reviewed once it is "
                        "closed."))
    return day


def _done(step, json_: bool) -> None:
    from hallterm.services.review import state_label

    if json_:
        print_json(step)
        return
    extra = f" ({step.with_ref})" if step.with_ref else ""
    typer.echo(_("{ref} of {day} ({owner}): {state}{extra}").format(
        ref=step.ref, day=step.target_day, owner=step.owner, state=state_label(step.state),
        extra=extra))


@app.command("list")
@handle_errors
def list_cmd(
    ctx: typer.Context,
    day: str | None = DAY_OPTION,
    kind: str | None = typer.Option(None, "--kind", metavar="KIND", help=_(
        "Only one kind of record (sale, void, refund, override, cash_move, cash_count, "
        "handover, stock, …).")),
    state: str | None = typer.Option(None, "--state", metavar="STATE", help=_(
        "Only records in one state (unreviewed, ok, exception, rectified, accepted, "
        "reopened).")),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """A day's review queue: every reviewable record with its review state."""
    from hallterm.money import format_fen
    from hallterm.services.review import day_queue, state_label

    hctx = signed_in(ctx, as_, store, reason=_("Reading the review"))
    rows = day_queue(hctx, business_day=_day(hctx, day), kind=kind, state=state)
    if json_:
        print_json(rows)
        return
    for r in rows:
        amount = format_fen(r.amount_fen) if r.amount_fen is not None else ""
        typer.echo(f"{pad(r.ref, 30)} {pad(r.owner, 6)} {pad(state_label(r.state), 10)} "
                   f"{amount:>11}  {r.summary}")
        for line in (*r.flags, *([r.note] if r.note else [])):
            typer.echo(f"{'':30}   {line}")
    if not rows:
        typer.echo(_("No reviewable records."))


@app.command("ok")
@handle_errors
def ok_cmd(ctx: typer.Context, ref: str = REF_ARG, day: str | None = DAY_OPTION,
           as_: str | None = AS_OPTION, json_: bool = JSON_OPTION,
           store: str | None = STORE_OPTION) -> None:
    """Mark a record of a closed day as reviewed and in order (auditor)."""
    from hallterm.services.review import mark_ok

    hctx = signed_in(ctx, as_, store)
    _done(mark_ok(hctx, business_day=_day(hctx, day), ref=ref), json_)


@app.command("exception")
@handle_errors
def exception_cmd(
    ctx: typer.Context,
    ref: str = REF_ARG,
    category: str = typer.Option(..., "--category", metavar="C", help=_(
        "missing_paperwork, wrong_amount, wrong_customer_data, approval_missing or other.")),
    note: str = typer.Option(..., "--note", metavar="N", help=_("What is wrong.")),
    day: str | None = DAY_OPTION,
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Raise an exception on a record (auditor): it goes to the owner's inbox."""
    from hallterm.services.review import parse_category, raise_exception

    parse_category(category)  # a wrong category: one line before any PIN
    hctx = signed_in(ctx, as_, store)
    _done(raise_exception(hctx, business_day=_day(hctx, day), ref=ref, category=category,
                          note=note), json_)


@app.command("mine")
@handle_errors
def mine_cmd(ctx: typer.Context, as_: str | None = AS_OPTION, json_: bool = JSON_OPTION,
             store: str | None = STORE_OPTION) -> None:
    """Your inbox: exceptions on your records that are not yet accepted."""
    from hallterm.services.review import category_label, mine, state_label

    hctx = signed_in(ctx, as_, store, reason=_("Your inbox"))
    rows = mine(hctx)
    if json_:
        print_json(rows)
        return
    for e in rows:
        typer.echo(f"{e.target_day} {pad(e.ref, 30)} {pad(state_label(e.state), 10)} "
                   f"{category_label(e.category)}: {e.note or ''}")
    if not rows:
        typer.echo(_("No open exceptions on your records."))


@app.command("rectify")
@handle_errors
def rectify_cmd(
    ctx: typer.Context,
    ref: str = REF_ARG,
    with_: str = typer.Option(..., "--with", metavar="RECORD", help=_(
        "The corrective record (KIND:REFERENCE: a refund, a cash movement CM<n>, an order…), "
        "or 'note' when nothing can be changed (then --note says why).")),
    note: str | None = typer.Option(None, "--note", metavar="N", help=_("A note.")),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Answer an exception on your record with a corrective record (the record's owner)."""
    from hallterm.services.review import rectify

    hctx = signed_in(ctx, as_, store)
    _done(rectify(hctx, ref=ref, with_record=with_, note=note), json_)


@app.command("accept")
@handle_errors
def accept_cmd(ctx: typer.Context, ref: str = REF_ARG, as_: str | None = AS_OPTION,
               json_: bool = JSON_OPTION, store: str | None = STORE_OPTION) -> None:
    """Accept a rectification: the exception is closed (auditor; not the one who rectified)."""
    from hallterm.services.review import accept

    hctx = signed_in(ctx, as_, store)
    _done(accept(hctx, ref=ref), json_)


@app.command("reopen")
@handle_errors
def reopen_cmd(
    ctx: typer.Context,
    ref: str = REF_ARG,
    note: str = typer.Option(..., "--note", metavar="N", help=_("Why it goes back.")),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Send a rectification back to the record's owner, saying why (auditor)."""
    from hallterm.services.review import reopen

    hctx = signed_in(ctx, as_, store)
    _done(reopen(hctx, ref=ref, note=note), json_)


@app.command("cash")
@handle_errors
def cash_cmd(ctx: typer.Context, day: str | None = DAY_OPTION, as_: str | None = AS_OPTION,
             json_: bool = JSON_OPTION, store: str | None = STORE_OPTION) -> None:
    """The cash reconciliation: per counter, expected against counted at each count."""
    from hallterm.services.review import cash_lines, cash_reconciliation

    hctx = signed_in(ctx, as_, store, reason=_("The cash reconciliation"))
    rows = cash_reconciliation(hctx, business_day=_day(hctx, day))
    if json_:
        print_json(rows)
        return
    for line in cash_lines(rows):
        typer.echo(line)


@app.command("reveals")
@handle_errors
def reveals_cmd(ctx: typer.Context, day: str | None = DAY_OPTION, as_: str | None = AS_OPTION,
                json_: bool = JSON_OPTION, store: str | None = STORE_OPTION) -> None:
    """Who viewed customer data in full on a day, by person."""
    from hallterm.services.review import reveals

    hctx = signed_in(ctx, as_, store, reason=_("The reveals list"))
    rows = reveals(hctx, business_day=_day(hctx, day))
    if json_:
        print_json(rows)
        return
    for r in rows:
        typer.echo(f"{pad(r.person, 6)} {r.at:%Y-%m-%d %H:%M:%S} {pad(r.what, 12)} "
                   f"{pad(r.record, 24)} {r.reason or ''}")
    if not rows:
        typer.echo(_("Nobody viewed customer data in full that day."))
