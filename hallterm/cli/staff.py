"""``hallterm staff``: add, list, set-pin, disable, enable, unlock."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from hallterm.cli.common import (
    AS_OPTION,
    COMMAND_ID_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    pad,
    print_json,
    read_pin,
    signed_in,
)
from hallterm.i18n import N_, _

if TYPE_CHECKING:
    from hallterm.context import Ctx

app = group(_("Staff accounts: add, list, PINs, disable."))


@app.command("add")
@handle_errors
def add(
    ctx: typer.Context,
    empno: str = typer.Argument(..., help=_("Employee number of the new member of staff.")),
    name: str = typer.Option(..., "--name", help=_("Their name.")),
    roles: str = typer.Option(..., "--roles", help=_(
        "Comma-separated roles: manager, duty_manager, guide, sales, acceptance, complaints, "
        "retention, warehouse, auditor, trainer.")),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Add a member of staff (hall manager). Their PIN comes from HALLTERM_NEW_PIN or a prompt."""
    from hallterm.services.staff import add_staff

    hctx = signed_in(ctx, as_, store)
    pin = read_pin(_("New PIN for {empno} (6 digits)").format(empno=empno),
                   env="HALLTERM_NEW_PIN", confirm=True)
    info = add_staff(hctx, empno=empno, name=name,
                     roles=[r.strip() for r in roles.split(",") if r.strip()], pin=pin,
                     command_id=command_id)
    typer.echo(_("Added {empno} {name}: {roles}").format(
        empno=info.empno, name=info.name, roles=", ".join(info.roles)))


@app.command("list")
@handle_errors
def list_(ctx: typer.Context, as_: str | None = AS_OPTION, json_: bool = JSON_OPTION,
          store: str | None = STORE_OPTION) -> None:
    """List staff with their roles and lock state, never PINs (a manager or auditor:
    --as EMPNO and the PIN)."""
    from hallterm.permissions import require, role_label
    from hallterm.services.staff import list_staff

    hctx = signed_in(ctx, as_, store, reason=_("Reading the staff list"))
    require(hctx.actor, "staff.list")
    staff = list_staff(hctx)
    if json_:
        print_json([
            {"empno": s.empno, "name": s.name, "roles": list(s.roles), "active": s.active,
             "failed_attempts": s.failed_attempts, "locked_until": s.locked_until,
             "hard_locked": s.hard_locked}
            for s in staff
        ])
        return
    from rich.cells import cell_len

    name_width = max([20, *(cell_len(s.name) for s in staff)])
    for s in staff:
        state = (_("disabled") if not s.active else _("locked") if s.hard_locked
                 else _("waiting until {at:%H:%M}").format(at=s.locked_until)
                 if s.locked_until else _("active"))
        typer.echo(f"{s.empno:<8} {pad(s.name, name_width)} {pad(state, 12)} "
                   + ", ".join(role_label(r) for r in s.roles))


@app.command("set-pin")
@handle_errors
def set_pin_cmd(
    ctx: typer.Context,
    empno: str = typer.Argument(..., help=_("Whose PIN to set.")),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Set a PIN (a manager for anyone; anyone for themselves). New PIN: HALLTERM_NEW_PIN."""
    from hallterm.services.staff import set_pin

    hctx = signed_in(ctx, as_, store)
    pin = read_pin(_("New PIN for {empno} (6 digits)").format(empno=empno),
                   env="HALLTERM_NEW_PIN", confirm=True)
    set_pin(hctx, empno=empno, pin=pin, command_id=command_id)
    typer.echo(_("PIN of {empno} changed.").format(empno=empno))


@app.command("disable")
@handle_errors
def disable(
    ctx: typer.Context,
    empno: str = typer.Argument(..., help=_("Whose account to disable.")),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Disable an account (hall manager); history keeps it."""
    from hallterm.services.staff import set_active

    _change_account(ctx, as_, store, empno, N_("Account {empno} disabled."),
                    lambda hctx: set_active(hctx, empno=empno, active=False,
                                            command_id=command_id))


@app.command("enable")
@handle_errors
def enable(
    ctx: typer.Context,
    empno: str = typer.Argument(..., help=_("Whose account to enable again.")),
    as_: str | None = AS_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Enable a disabled account again (hall manager)."""
    from hallterm.services.staff import set_active

    _change_account(ctx, as_, store, empno, N_("Account {empno} enabled."),
                    lambda hctx: set_active(hctx, empno=empno, active=True))


@app.command("unlock")
@handle_errors
def unlock_cmd(
    ctx: typer.Context,
    empno: str = typer.Argument(..., help=_("Whose PIN lockout to clear.")),
    as_: str | None = AS_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Clear a PIN lockout (hall manager)."""
    from hallterm.services.staff import unlock

    _change_account(ctx, as_, store, empno, N_("Account {empno} unlocked."),
                    lambda hctx: unlock(hctx, empno=empno))


def _change_account(ctx: typer.Context, as_: str | None, store: str | None, empno: str,
                    done: str, change: Callable[[Ctx], object]) -> None:
    """Sign in, make the change to ``empno``'s account, say it is done (``done``: ``N_()``)."""
    change(signed_in(ctx, as_, store))
    typer.echo(_(done).format(empno=empno))
