"""The hall host's commands: ``hallterm terminal`` (the SSH login command) and
``hallterm serve`` (the app in a browser)."""

from __future__ import annotations

import secrets
from pathlib import Path

import typer

from hallterm.cli.common import handle_errors, options
from hallterm.i18n import _


def open_app(settings, config_file: Path | None) -> None:
    """Open the app on ``settings``' store and terminal; a bad store or counter is one line
    before any screen opens."""
    from hallterm.bootstrap import open_ctx

    hctx = open_ctx(settings, config_file)
    try:
        if settings.counter is not None:  # --counter 99: say so before any screen opens
            from hallterm.services.queue import require_counter

            with hctx.store.read() as session:
                require_counter(session, settings.counter)
    finally:
        hctx.store.dispose()
    from screens.app import run_app

    run_app(settings, config_file, demo=False)


@handle_errors
def terminal_cmd(
    ctx: typer.Context,
    browser: bool = typer.Option(False, "--browser", hidden=True, help=_(
        "A browser session of hallterm serve: a terminal id of its own, no counter.")),
) -> None:
    """The login command of the hall host's SSH account (sshd ForceCommand): the terminal
    id and counter come from the hall configuration's [[terminals]] for this client."""
    from hallterm.bootstrap import open_ctx
    from hallterm.services.hall import get_hall
    from hallterm.terminals import ssh_login, terminal_for

    opts = options(ctx)
    if browser:
        settings = opts.settings().model_copy(update={
            "terminal": f"WEB-{secrets.token_hex(4)}", "counter": None})
    else:
        login = ssh_login()  # not over SSH: one line, before the store is touched
        hctx = open_ctx(opts.settings(), opts.config_file)
        try:
            found = terminal_for(get_hall(hctx), login)
        finally:
            hctx.store.dispose()
        settings = opts.settings().model_copy(update={"terminal": found.id,
                                                      "counter": found.counter})
    open_app(settings, opts.config_file)


@handle_errors
def serve_cmd(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help=_(
        "The address to listen on (localhost only unless you say otherwise).")),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help=_("The port.")),
    public_url: str | None = typer.Option(None, "--public-url", metavar="URL", help=_(
        "The address browsers use, when a reverse proxy with TLS stands in front "
        "(e.g. https://hall.example/).")),
) -> None:
    """Serve the app to browsers (textual-serve): one terminal per browser session, sign-in
    by employee number and PIN. No transport security of its own: put it behind the hall's
    reverse proxy with TLS."""
    import os

    from hallterm.bootstrap import open_ctx
    from hallterm.services.hall import get_hall
    from hallterm.web import LOCAL_HOSTS, serve

    opts = options(ctx)
    settings = opts.settings()
    hctx = open_ctx(settings, opts.config_file)  # a bad store or key: one line, now
    try:
        hall = get_hall(hctx)
    finally:
        hctx.store.dispose()
    # every session's process finds the same store and configuration as this command
    os.environ["HALLTERM_STORE"] = str(settings.store)
    if opts.config_file is not None:
        os.environ["HALLTERM_CONFIG"] = str(opts.config_file)
    os.environ["HALLTERM_KEY_FILE"] = str(hctx.key_file)
    typer.echo(_("textual-serve has no transport security: PINs cross the network in clear "
                 "unless a reverse proxy with TLS stands in front (docs/operations/"
                 "hall-host.md)."), err=True)
    if host not in LOCAL_HOSTS:
        typer.echo(_("Listening on {host}, not only this machine: make sure only the hall's "
                     "proxy can reach port {port}.").format(host=host, port=port), err=True)
    serve(host=host, port=port, public_url=public_url, hall_name=hall.name(settings.language),
          language=settings.language)
