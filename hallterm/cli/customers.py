"""``hallterm customer``: check an identity document, show and find customers (masked)."""

from __future__ import annotations

import typer

from hallterm.cli.common import (
    AS_OPTION,
    JSON_OPTION,
    STORE_OPTION,
    group,
    handle_errors,
    options,
    pad,
    print_json,
    signed_in,
)
from hallterm.i18n import _

app = group(_("Customers: check an identity document, show and find customers."))

TYPE_HELP = _("The document type: resident, temporary, household, hk_macao_permit, "
              "taiwan_permit, hmt_residence, foreign_pr, passport (default: from the "
              "number's shape).")


@app.command("check-id")
@handle_errors
def check_id_cmd(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("The document number."), metavar="NUMBER"),
    doc_type: str | None = typer.Option(None, "--type", help=TYPE_HELP, metavar="TYPE"),
    json_: bool = JSON_OPTION,
) -> None:
    """Check a document number: exit 0 printing the number as stored and its type (and any
    warning, on stderr), or 2 with the reason (wrong format, check digit or date)."""
    from hallterm.bootstrap import make_clock
    from hallterm.services import customers

    today = make_clock(options(ctx).settings()).now().date()
    check = customers.check_id(number, doc_type, on=today)
    if json_:
        print_json(check)
        return
    typer.echo(f"{check.number} {check.doc_type}")
    for warning in check.warnings:
        typer.echo(_("Warning: {text}").format(text=warning), err=True)


def _show(found, *, json_: bool) -> None:
    """Customers one a line (a ``CustomerView`` masked, a ``Revealed`` in full), or JSON."""
    from hallterm.services import customers

    if json_:
        print_json(found)
        return
    for c in found:
        number, phone = (c.number, c.phone) if isinstance(c, customers.Revealed) else (
            c.id_masked, c.phone_masked)
        typer.echo(f"{c.id:>6} {number:<20} {pad(c.name, 12)} {phone or '-':<14} "
                   f"{customers.doc_label(c.doc_type)}")


@app.command("show")
@handle_errors
def show_cmd(
    ctx: typer.Context,
    number: str = typer.Argument(..., help=_("The document number."), metavar="NUMBER"),
    reveal: bool = typer.Option(False, "--reveal", help=_(
        "Show the full number and phone (needs data.reveal and --reason; audited).")),
    reason: str | None = typer.Option(None, "--reason", help=_(
        "Why the full number is needed (recorded in the audit log)."), metavar="TEXT"),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Show the customer holding a document number: masked, or in full with --reveal."""
    from hallterm.errors import NotFound
    from hallterm.permissions import require
    from hallterm.services import customers

    if reveal:
        customers.check_reason(reason)  # before any PIN is asked for
    hctx = signed_in(ctx, as_, store, reason=_("Looking up customers"))
    if reveal:
        require(hctx.actor, "data.reveal")
    found = customers.find(hctx, number=number)
    if not found:
        raise NotFound(_("No customer holds this document number."))
    if reveal:
        _show([customers.reveal(hctx, c.id, reason or "") for c in found], json_=json_)
    else:
        _show(found, json_=json_)


@app.command("find")
@handle_errors
def find_cmd(
    ctx: typer.Context,
    number: str | None = typer.Option(None, "--number", help=_("A document number (exact)."),
                                      metavar="NUMBER"),
    phone: str | None = typer.Option(None, "--phone", help=_("A phone (exact)."),
                                     metavar="PHONE"),
    name: str | None = typer.Option(None, "--name", help=_("The start of the name."),
                                    metavar="TEXT"),
    as_: str | None = AS_OPTION,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Find customers by document number, phone or name (masked; at most 50)."""
    from hallterm.errors import BadInput
    from hallterm.services import customers

    if not any(v and v.strip() for v in (number, phone, name)):
        raise BadInput(_("Give a document number, a phone or a name to find."))
    hctx = signed_in(ctx, as_, store, reason=_("Looking up customers"))
    found = customers.find(hctx, number=number, phone=phone, name=name)
    if not found and not json_:
        typer.echo(_("No customer found."), err=True)
    _show(found, json_=json_)
