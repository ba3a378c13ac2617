"""``hallterm export``: the nightly export of closed days to headquarters, and ``export verify``.

Exit codes for cron: 0 exported or nothing to do; 1 failed (one line on stderr,
details in the log); 75 the store is busy or another export holds the lock (try
later); 2 a bad option; 3 a day that is not closed.
"""

from __future__ import annotations

from pathlib import Path

import typer

from hallterm.cli.common import JSON_OPTION, STORE_OPTION, fail, handle_errors, options, print_json
from hallterm.i18n import _

app = typer.Typer(help=_("Export closed days for headquarters (CSV, JSON Lines, datapackage.json); "
                         "verify an export."))


@app.callback(invoke_without_command=True)
@handle_errors
def export_cmd(
    ctx: typer.Context,
    to: Path | None = typer.Option(None, "--to", help=_(
        "The export folder; each day goes to DIR/<hall>/<YYYY-MM-DD>/."), metavar="DIR"),
    day: str | None = typer.Option(None, "--day", help=_(
        "Export only this closed day (YYYY-MM-DD)."), metavar="DATE"),
    again: bool = typer.Option(False, "--again", help=_(
        "With --day: write the day again as a new version folder (<date>.v2, ...).")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_(
        "List what would be written; write and remove nothing.")),
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Write every closed day not yet exported (idempotent, atomic; exit 0, 1 or 75)."""
    if ctx.invoked_subcommand is not None:
        return
    from hallterm.cli.parse import parse_day
    from hallterm.errors import BadInput
    from hallterm.services.export import export_days

    if to is None:
        raise BadInput(_("Give the export folder: hallterm export --to DIR"))
    opts = options(ctx)
    hctx = opts.ctx(store)
    try:
        result = export_days(hctx, to=to, business_day=parse_day(day), again=again,
                             dry_run=dry_run,
                             customer_ids=opts.settings().export_customer_ids)
    except OSError as exc:
        from hallterm.cli.common import _log_unexpected

        log = _log_unexpected(exc, ctx)
        raise fail(_("Export failed: {error}; details are in {log}").format(
            error=exc.strerror or exc, log=log), 1) from None
    if json_:
        print_json(result)
        return
    for name in result.removed_temp:
        typer.echo((_("Would remove an unfinished folder: {name}") if dry_run
                    else _("Removed an unfinished folder: {name}")).format(name=name))
    for d in result.days:
        if dry_run:
            typer.echo(_("Would write {day} (Z {z}) to {folder}:").format(
                day=d.business_day.isoformat(), z=d.z_number, folder=d.folder))
            for f in d.files:
                typer.echo(f"  {f}")
        else:
            typer.echo(_("Exported {day} (Z {z}): {rows} rows in {folder}").format(
                day=d.business_day.isoformat(), z=d.z_number, rows=d.rows, folder=d.folder))
    if not result.days:
        typer.echo(_("Nothing to export: every closed day is already exported."))
    elif result.skipped:
        typer.echo(_("{n} day(s) already exported were skipped.").format(n=len(result.skipped)))


@app.command("verify")
@handle_errors
def verify_cmd(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., help=_("The export folder (or one hall's, or one day's).")),
    public_key: list[Path] | None = typer.Option(None, "--public-key", metavar="FILE", help=_(
        "The hall's public key (from hallterm hall key) the days must be signed with; "
        "repeat for a hall whose key was replaced.")),
    json_: bool = JSON_OPTION,
) -> None:
    """Check signatures, files, bytes, SHA-256, rows, the audit links and the days' continuity."""
    from hallterm.services.export import verify
    from hallterm.signing import read_public_file

    keys = tuple(read_public_file(p) for p in public_key or ())
    result = verify(folder, public_keys=keys)
    if json_:
        print_json(result)
    elif result.ok:
        typer.echo(_("Export intact: {packages} day(s), {files} files checked.").format(
            packages=result.packages, files=result.files))
        if not result.pinned:
            typer.echo(_("Signed by key {keys}, the one the packages record: the key is not "
                         "pinned. Give --public-key with the hall's key (hallterm hall key) "
                         "to know it is the hall's.").format(
                             keys=", ".join(result.key_fingerprints)))
    if not result.ok:
        if not json_:
            typer.echo(_("Export damaged: {file}: {reason}").format(file=result.bad_file,
                                                                   reason=result.reason), err=True)
        raise typer.Exit(1)
