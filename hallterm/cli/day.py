"""``hallterm day``: open and status of the business day (closing: ``day close``)."""

from __future__ import annotations

import typer

from hallterm.cli.common import (
    AS_OPTION,
    COMMAND_ID_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    options,
    print_json,
    sign_in,
    signed_in,
)
from hallterm.i18n import _

app = group(_("The business day: open, status, close, report, X report."))


@app.command("open")
@handle_errors
def open_cmd(
    ctx: typer.Context,
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Open today's business day (hall manager)."""
    from hallterm.services.day import open_day

    hctx = signed_in(ctx, as_, store)
    info = open_day(hctx, command_id=command_id)
    typer.echo(_("Business day {day} is open.").format(day=info.business_day.isoformat()))


@app.command("status")
@handle_errors
def status(
    ctx: typer.Context,
    day: str | None = typer.Argument(None, help=_("The day (YYYY-MM-DD); default today.")),
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Show the state of a business day."""
    from hallterm.cli.parse import parse_day
    from hallterm.services.day import day_status, state_label

    info = day_status(options(ctx).ctx(store), business_day=parse_day(day))
    if json_:
        print_json(info)
        return
    typer.echo(_("Business day {day}: {state}").format(
        day=info.business_day.isoformat(), state=state_label(info.state)))
    if info.opened_at:
        typer.echo(_("Opened {at:%Y-%m-%d %H:%M} by {who}").format(at=info.opened_at,
                                                                    who=info.opened_by))
    if info.closed_at:
        typer.echo(_("Closed {at:%Y-%m-%d %H:%M} by {who}, Z number {z}").format(
            at=info.closed_at, who=info.closed_by, z=info.z_number))


@app.command("close")
@handle_errors
def close_cmd(
    ctx: typer.Context,
    force: bool = typer.Option(False, "--force", help=_(
        "Close despite blockers (hall manager; needs --reason; blockers are recorded).")),
    reason: str | None = typer.Option(None, "--reason", help=_("Why the close is forced."),
                                      metavar="TEXT"),
    day: str | None = typer.Option(None, "--day", help=_(
        "The day to close (YYYY-MM-DD); default the oldest open day."), metavar="DATE"),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Close the business day (日结): lock it and write its day report (Z report).

    Refuses (exit 3), listing every blocker, while tickets wait, a drawer is not
    counted, a stocktake is open or business hours are not over. Run again after
    a crash, it finishes the job (writes the missing report files).
    """
    from hallterm.cli.parse import parse_day
    from hallterm.services.day import close_day

    opts = options(ctx)
    hctx = sign_in(opts.ctx(store), as_)
    hctx.extra["reports_dir"] = opts.settings().resolved_reports_dir()
    result = close_day(hctx, business_day=parse_day(day), force=force, reason=reason,
                       command_id=command_id)
    if json_:
        print_json(result)
        return
    if result.finished_only:
        typer.echo(_("Business day {day} was already closed (Z {z}); its report files were "
                     "missing and are now written.").format(day=result.business_day.isoformat(),
                                                            z=result.z_number))
    else:
        typer.echo(_("Business day {day} is closed: Z number {z}.").format(
            day=result.business_day.isoformat(), z=result.z_number))
        if result.forced:
            typer.echo(_("Forced despite {n} blocker(s); they are recorded.").format(
                n=len(result.blockers)))
    typer.echo(_("Report: {text}").format(text=result.text_file))
    typer.echo(_("Report (JSON): {json}").format(json=result.json_file))


@app.command("report")
@handle_errors
def report_cmd(
    ctx: typer.Context,
    day: str = typer.Argument(..., help=_("The closed day (YYYY-MM-DD).")),
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Print a closed day's report (Z report) again."""
    from hallterm.cli.parse import parse_day
    from hallterm.services.day import report

    business_day = parse_day(day)
    assert business_day is not None  # a required argument
    result = report(options(ctx).ctx(store), business_day)
    if json_:
        print_json(result.data)
    else:
        typer.echo(result.text)


@app.command("xreport")
@handle_errors
def xreport_cmd(
    ctx: typer.Context,
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Print an interim X report of today (any manager): figures so far, nothing locked.

    Written beside the day reports (x-report-DAY-NN.txt and .json) and audited; it
    takes no Z number and the day stays open. Refuses (exit 3) a day not open.
    """
    from hallterm.services.day import x_report

    opts = options(ctx)
    hctx = sign_in(opts.ctx(store), as_)
    result = x_report(hctx, reports_dir=opts.settings().resolved_reports_dir())
    if json_:
        print_json({"business_day": result.business_day, "x_number": result.x_number,
                    "at": result.at, "by": result.by, "blockers": result.blockers,
                    "text_file": result.text_file, "json_file": result.json_file,
                    "report": result.data})
        return
    typer.echo(result.text)
    typer.echo("")
    typer.echo(_("X report {x} written: {text} ({json})").format(
        x=result.x_number, text=result.text_file, json=result.json_file))
