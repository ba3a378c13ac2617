"""``hallterm audit``: verify the keyed chain (and against an export), list recent rows."""

from __future__ import annotations

from pathlib import Path

import typer

from hallterm.cli.common import (
    AS_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    options,
    print_json,
    signed_in,
)
from hallterm.i18n import _

app = group(_("The audit log: verify the chain, list rows."))


@app.command("verify")
@handle_errors
def verify_cmd(
    ctx: typer.Context,
    against: Path | None = typer.Option(None, "--against", metavar="DIR", help=_(
        "Also compare the store with the closed days in this export folder (what HQ "
        "received).")),
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Recompute the keyed chain and check every closing's head (needs the hall secret):
    exit 0 with the head, or 1 naming the first broken row."""
    from hallterm.errors import BadInput
    from hallterm.services.audit import verify, verify_against

    hctx = options(ctx).ctx(store)
    if against is not None and not against.is_dir():
        raise BadInput(_("No such folder: {dir}").format(dir=against))
    result = verify(hctx) if against is None else verify_against(hctx, against)
    if json_:
        print_json(result)
    elif result.ok:
        typer.echo(_("Audit chain intact: {rows} rows, head {seq} {hash}").format(
            rows=result.rows, seq=result.head_seq, hash=result.head_hash))
        if against is not None:
            typer.echo(_("It matches every closed day in {dir}.").format(dir=against))
    if not result.ok:
        if not json_:
            if result.broken_seq is None:
                typer.echo(_("Audit chain not confirmed: {reason}").format(
                    reason=result.reason), err=True)
            else:
                typer.echo(_("Audit chain broken at row {seq}: {reason}").format(
                    seq=result.broken_seq, reason=result.reason), err=True)
        raise typer.Exit(1)


@app.command("list")
@handle_errors
def list_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(30, "--limit", min=1, max=10000, help=_("How many rows.")),
    action: str | None = typer.Option(None, "--action", help=_("Only actions starting so.")),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Show the newest audit rows (hall manager or auditor: --as EMPNO and the PIN)."""
    from hallterm.permissions import require
    from hallterm.services.audit import recent

    hctx = signed_in(ctx, as_, store, reason=_("Reading the audit log"))
    require(hctx.actor, "audit.read")
    rows = recent(hctx, limit=limit, action_prefix=action)
    if json_:
        print_json(rows)
        return
    for r in reversed(rows):
        who = r.actor or "-"
        if r.approver:
            who += f"+{r.approver}"
        typer.echo(f"{r.seq:>7} {r.at:%Y-%m-%d %H:%M:%S} {r.terminal:<10} {who:<12} "
                   f"{r.action:<24} {r.entity or ''} {r.entity_id or ''}")
