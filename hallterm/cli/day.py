"""``hallterm day``: open and status of the business day (closing: ``day close``)."""

from __future__ import annotations

from pathlib import Path

import typer

from hallterm.cli.common import (
    AS_OPTION,
    COMMAND_ID_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    handle_errors,
    options,
    print_json,
    sign_in,
)
from hallterm.i18n import _

app = typer.Typer(help=_("The business day: open, status, close, report."),
                  no_args_is_help=True)


@app.command("open")
@handle_errors
def open_cmd(
    ctx: typer.Context,
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    store: Path | None = STORE_OPTION,
) -> None:
    """Open today's business day (hall manager)."""
    from hallterm.services.day import open_day

    hctx = sign_in(options(ctx).ctx(store), as_)
    info = open_day(hctx, command_id=command_id)
    typer.echo(_("Business day {day} is open.").format(day=info.business_day.isoformat()))


@app.command("status")
@handle_errors
def status(
    ctx: typer.Context,
    day: str | None = typer.Argument(None, help=_("The day (YYYY-MM-DD); default today.")),
    json_: bool = JSON_OPTION,
    store: Path | None = STORE_OPTION,
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
