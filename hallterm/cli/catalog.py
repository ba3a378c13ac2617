"""``hallterm catalog``: load the catalog file, list items."""

from __future__ import annotations

from pathlib import Path

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
    signed_in,
)
from hallterm.i18n import _

app = group(_("The catalog of goods and services: load, list."))


@app.command("load")
@handle_errors
def load_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("The catalog file (TOML), e.g. data/catalog.toml."),
                                metavar="FILE"),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Check a catalog file and load it (hall manager); a bad file loads nothing."""
    from hallterm.services.catalog import load_catalog

    hctx = signed_in(ctx, as_, store)
    result = load_catalog(hctx, path=file, command_id=command_id)
    typer.echo(_("Catalog loaded: {items} items ({added} new, {updated} updated, {retired} "
                 "retired).").format(items=result.items, added=result.added,
                                     updated=result.updated, retired=result.retired))


@app.command("list")
@handle_errors
def list_cmd(
    ctx: typer.Context,
    search: str | None = typer.Option(None, "--search", help=_(
        "Only items whose SKU or name contains this."), metavar="TEXT"),
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """List the catalog's items with their prices."""
    from hallterm.money import format_fen
    from hallterm.services import catalog

    hctx = options(ctx).ctx(store)
    found = catalog.search(hctx, text=search) if search else catalog.items(hctx)
    if json_:
        print_json(found)
        return
    for item in found:
        flag = "" if item.offered else " " + _("(not offered)")
        typer.echo(f"{item.sku:<16} {item.kind:<13} {format_fen(item.price_fen):>12}  "
                   f"{item.name()}{flag}")
