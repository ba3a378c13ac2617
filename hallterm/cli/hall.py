"""``hallterm hall``: load the hall configuration into the store, show it, print its key."""

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

app = group(_("The hall configuration: load, show; its public signing key."))


@app.command("load")
@handle_errors
def load(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=_("The hall configuration file (TOML).")),
    as_: str | None = AS_OPTION,
    command_id: str | None = COMMAND_ID_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Validate FILE and make it the configuration of every terminal (hall manager)."""
    from hallterm.hallconfig import load_hall_file
    from hallterm.services.hall import load_hall

    load_hall_file(file)  # a bad file is refused before anyone is asked for a PIN
    hctx = signed_in(ctx, as_, store)
    result = load_hall(hctx, path=file, command_id=command_id)
    if result.changed:
        typer.echo(_("Hall {code} loaded: {services} services, {counters} counters.").format(
            code=result.code, services=result.services, counters=result.counters))
    else:
        typer.echo(_("Hall {code}: the store already had this configuration.").format(
            code=result.code))


@app.command("show")
@handle_errors
def show(ctx: typer.Context, json_: bool = JSON_OPTION,
         store: str | None = STORE_OPTION) -> None:
    """Show the hall configuration the store holds."""
    from hallterm.hallconfig import WEEKDAYS
    from hallterm.i18n import get_language
    from hallterm.services.hall import get_hall

    hall = get_hall(options(ctx).ctx(store))
    if json_:
        print_json(hall.model_dump(mode="json"))
        return
    lang = get_language()
    typer.echo(f"{hall.code}  {hall.name(lang)}")
    typer.echo(_("Hours: ") + "  ".join(f"{d} {hall.hours[d].label()}" for d in WEEKDAYS))
    for s in hall.services:
        typer.echo(f"  {s.code} ({s.prefix})  {s.name_zh if lang == 'zh_CN' else s.name_en}")
    for c in hall.counters:
        typer.echo(_("  Counter {n}: {services}").format(n=c.number,
                                                        services=" ".join(c.services)))


@app.command("key")
@handle_errors
def key(ctx: typer.Context, json_: bool = JSON_OPTION,
        store: str | None = STORE_OPTION) -> None:
    """Print the hall's public signing key (PEM) for HQ: export verify --public-key FILE."""
    from hallterm.errors import ConfigError
    from hallterm.services.export import hall_public_key
    from hallterm.signing import fingerprint, public_pem, public_text

    raw = hall_public_key(options(ctx).ctx(store))
    if raw is None:
        raise ConfigError(_("This hall has no signing key yet: hallterm init creates it."))
    if json_:
        print_json({"public_key": public_text(raw), "pem": public_pem(raw),
                    "fingerprint": fingerprint(raw)})
        return
    typer.echo(public_pem(raw), nl=False)
    typer.echo(_("Fingerprint {fp}: read it to HQ on the phone to confirm the file.").format(
        fp=fingerprint(raw)), err=True)
