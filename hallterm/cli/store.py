"""``hallterm store``: the store itself — copy a hall's whole store to another engine."""

from __future__ import annotations

import typer

from hallterm.cli.common import JSON_OPTION, group, handle_errors, options, print_json
from hallterm.i18n import _

app = group(_("The store itself: copy a hall's whole store (SQLite, PostgreSQL)."))


@app.command("copy")
@handle_errors
def copy_cmd(
    ctx: typer.Context,
    from_: str = typer.Option(..., "--from", help=_(
        "The store to copy: an SQLite file or a postgresql:// URL."), metavar="PATH|URL"),
    to: str = typer.Option(..., "--to", help=_(
        "The new store: a new SQLite file or an empty PostgreSQL database."),
        metavar="PATH|URL"),
    json_: bool = JSON_OPTION,
) -> None:
    """Copy every row into a new, empty store (refused when it holds anything); audit verify
    on the copy ends on the same head. Stop the terminals first."""
    from hallterm.errors import BadInput
    from hallterm.settings import check_store_url
    from hallterm.store import Store, check_store_file
    from hallterm.storecopy import copy_store

    for option, value in (("--from", from_), ("--to", to)):
        try:
            check_store_url(value)
        except ValueError as exc:
            raise BadInput(_("option {option}: {reason}").format(option=option,
                                                                 reason=exc)) from None
    opts = options(ctx)
    source = opts.settings(store=from_)
    target = opts.settings(store=to)
    if source.store_path is not None:
        check_store_file(source.store_path)
    if target.store_path is not None:
        check_store_file(target.store_path, missing_ok=True)
        if not target.store_path.parent.is_dir():
            raise BadInput(_("The folder for the store does not exist: {path}").format(
                path=target.store_path.parent))
    if source.store == target.store:
        raise BadInput(_("--from and --to are the same store."))
    result = copy_store(Store(source.store), Store(target.store))
    if json_:
        print_json(result)
        return
    typer.echo(_("Copied {rows} rows of {tables} tables from {source} to {target}. The copy "
                 "is read with the source's hall secret; check it with: HALLTERM_KEY_FILE={key} "
                 "hallterm audit verify --store {target}").format(
                     rows=result.rows, tables=result.tables, source=result.source,
                     target=result.target, key=source.resolved_key_file(opts.config_file)))
