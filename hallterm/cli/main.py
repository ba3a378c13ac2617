"""The ``hallterm`` command: global options, ``init``, ``demo``, ``app``, and the groups."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import typer
import typer.main

from hallterm import __version__
from hallterm.cli.common import (
    OneLineErrors,
    Options,
    fail,
    handle_errors,
    never_prompt_for_pins,
    options,
    read_pin,
)
from hallterm.i18n import LANGUAGES, _, set_language

# Help text is read before any settings file: take the language from the environment.
if os.environ.get("HALLTERM_LANGUAGE") in LANGUAGES:
    set_language(os.environ["HALLTERM_LANGUAGE"])

LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "display": ("hallterm.cli.queue", "display"),
    "handover": ("hallterm.cli.handover", "handover"),
    "restore": ("hallterm.cli.backup", "restore_cmd"),
    "terminal": ("hallterm.cli.host", "terminal_cmd"),
    "serve": ("hallterm.cli.host", "serve_cmd"),
}
LAZY_GROUPS: dict[str, tuple[str, str]] = {
    "staff": ("hallterm.cli.staff", "app"),
    "day": ("hallterm.cli.day", "app"),
    "audit": ("hallterm.cli.audit", "app"),
    "review": ("hallterm.cli.review", "app"),
    "hall": ("hallterm.cli.hall", "app"),
    "queue": ("hallterm.cli.queue", "app"),
    "catalog": ("hallterm.cli.catalog", "app"),
    "stock": ("hallterm.cli.stock", "app"),
    "export": ("hallterm.cli.export", "app"),
    "sales": ("hallterm.cli.sales", "app"),
    "cash": ("hallterm.cli.sales", "cash_app"),
    "order": ("hallterm.cli.orders", "app"),
    "store": ("hallterm.cli.store", "app"),
    "customer": ("hallterm.cli.customers", "app"),
    "complaint": ("hallterm.cli.complaints", "app"),
    "backup": ("hallterm.cli.backup", "app"),
}
"""The commands and groups whose module is imported only when they are called (or
their help is shown): ``hallterm queue status`` never imports the stock or sales
commands. Name: (module, the command function or the Typer group in it); ``--help``
lists them in this order, the commands before ``init``, ``demo`` and ``app``."""


def _load(name: str, module: str, attribute: str) -> Any:
    """The click command Typer makes of one lazy group or command."""
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    holder.callback()(lambda: None)  # always a group, whatever it holds
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands by name: the built ones, and the lazy ones loaded on first use."""

    def __init__(self, built: MutableMapping[str, Any], before: dict[str, tuple[str, str]],
                 after: dict[str, tuple[str, str]]) -> None:
        self._built = dict(built)
        self._lazy = {k: v for k, v in {**before, **after}.items() if k not in self._built}
        self._order = [*before, *self._built, *after]

    def __getitem__(self, name: str) -> Any:
        if name not in self._built and name in self._lazy:
            self._built[name] = _load(name, *self._lazy.pop(name))
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._lazy.pop(name, None)
        self._built[name] = command
        if name not in self._order:
            self._order.append(name)

    def __delitem__(self, name: str) -> None:
        if self._lazy.pop(name, None) is None:
            del self._built[name]
        self._order.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._lazy


class LazyRoot(OneLineErrors):
    """The ``hallterm`` group: the groups and commands of ``LAZY_*`` load when called."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands, LAZY_COMMANDS, LAZY_GROUPS)


app = typer.Typer(
    name="hallterm",
    cls=LazyRoot,
    help=_("HallTerm: the service hall's counter terminals, shift handover, day close and "
           "export."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hallterm {__version__}")
        raise typer.Exit()


def _int64(value: int | None) -> int | None:
    """A number SQLite can keep; said as a usage error (no range shown in ``--help``)."""
    if value is not None and not -(2**63) <= value < 2**63:
        raise typer.BadParameter(_("{value} is too large a number.").format(value=value))
    return value


@app.callback()
def main(
    ctx: typer.Context,
    config: Path | None = typer.Option(None, "--config", help=_(
        "Settings file (TOML); default HALLTERM_CONFIG, else hallterm.toml in the config "
        "folder."), metavar="PATH"),
    store: str | None = typer.Option(None, "--store", help=_(
        "The store: an SQLite file or a postgresql:// URL (HALLTERM_STORE)."),
        metavar="PATH|URL"),
    terminal: str | None = typer.Option(None, "--terminal", help=_(
        "This terminal's id (HALLTERM_TERMINAL)."), metavar="ID"),
    counter: int | None = typer.Option(None, "--counter", help=_(
        "The counter this terminal serves (HALLTERM_COUNTER)."), metavar="N",
        callback=_int64),  # past SQLite's integers: one line, exit 2
    language: str | None = typer.Option(None, "--language", help=_(
        "en or zh_CN (HALLTERM_LANGUAGE)."), metavar="LANG"),
    pin_from_env: bool = typer.Option(False, "--pin-from-env", help=_(
        "Never prompt for a PIN: read it from HALLTERM_PIN (HALLTERM_NEW_PIN, "
        "HALLTERM_APPROVER_PIN, HALLTERM_WITNESS_PIN); a missing one is exit 2.")),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help=_("Print the version and exit.")),
) -> None:
    """HallTerm: the service hall's counter terminals, shift handover, day close and export."""
    ctx.obj = Options(config=config, store=store, terminal=terminal, counter=counter,
                      language=language)
    never_prompt_for_pins(pin_from_env)


def store_option() -> Any:
    return typer.Option(None, "--store", help=_("The store: an SQLite file or a postgresql:// "
                                                "URL (same as the global --store)."),
                        metavar="PATH|URL")


@app.command("init")
@handle_errors
def init(
    ctx: typer.Context,
    manager: str | None = typer.Option(None, "--manager", help=_(
        "Employee number of the first hall manager (new store only)."), metavar="EMPNO"),
    name: str | None = typer.Option(None, "--name", help=_("The first hall manager's name."),
                                    metavar="NAME"),
    hall: Path | None = typer.Option(None, "--hall", help=_(
        "Hall configuration file (default: the hall setting)."), metavar="FILE"),
    store: str | None = store_option(),
) -> None:
    """Create a store, or upgrade an existing one to this version's schema."""
    from hallterm.bootstrap import init_store
    from hallterm.signing import signing_key_path

    opts = options(ctx)
    settings = opts.settings(store=store) if store else opts.settings()
    pin = None
    if manager and (settings.store_path is None or not settings.store_path.exists()):
        from hallterm.empno import check_empno

        manager = check_empno(manager)  # "abc" is said before a PIN is asked for
        pin = read_pin(_("PIN for {empno} (6 digits)").format(empno=manager), confirm=True)
    result = init_store(settings, opts.config_file, manager_empno=manager, manager_name=name,
                        pin=pin, hall_file=hall)
    if result.created:
        typer.echo(_("Created store {path} for hall {hall}; hall manager {empno}.").format(
            path=result.store, hall=result.hall_code, empno=result.manager))
        typer.echo(_("Hall secret: {path} (keep it; copy it to every terminal of this "
                     "hall).").format(path=result.key_file))
        typer.echo(_("Hall signing key: {path} (give HQ its public key: hallterm hall "
                     "key).").format(path=signing_key_path(result.key_file)))
    else:
        typer.echo(_("Store {path} is up to date (schema {rev}).").format(
            path=result.store, rev=result.to_revision))
    if result.legacy_audit_rows is not None:
        typer.echo(_("Audit chain keyed with the hall secret from row {seq} on; the {n} rows "
                     "before keep their SHA-256 form.").format(
                         seq=result.legacy_audit_rows + 1, n=result.legacy_audit_rows))
        if manager or name:
            typer.echo(_("The store already has its staff: --manager and --name were not used "
                         "(add staff with: hallterm staff add)."), err=True)


@app.command("demo")
@handle_errors
def demo(
    ctx: typer.Context,
    reset: bool = typer.Option(False, "--reset", help=_("Start the demo store afresh.")),
    no_app: bool = typer.Option(False, "--no-app", help=_(
        "Prepare the demo store and print its path instead of opening the app.")),
    store: str | None = store_option(),
) -> None:
    """Open the app on a demo hall (created on first run; staff 8001-8010, PIN 246810)."""
    from hallterm.demo import prepare_demo
    from hallterm.settings import is_store_url

    opts = options(ctx)
    if is_store_url(store):
        raise fail(_("The demo hall is an SQLite file: give --store a file path, not a "
                     "PostgreSQL URL."))
    demo_store = Path(store) if store else None
    if no_app:
        prepared = prepare_demo(opts.settings(), store=demo_store, reset=reset)
        typer.echo(str(prepared.store))
        return
    from hallterm.cli.fastdemo import open_demo

    opts.settings()  # a bad key or value: one line and exit 2, before any screen opens
    # The app paints its sign-in screen first; the settings and the demo store come
    # in its worker right after (see hallterm/cli/fastdemo.py, bench/cold_start.py).
    open_demo(opts, reset=reset, store=demo_store)


@app.command("app")
@handle_errors
def run_application(ctx: typer.Context, store: str | None = store_option()) -> None:
    """Open the app on the configured store and terminal."""
    opts = options(ctx)
    settings = opts.settings(store=store) if store else opts.settings()
    from hallterm.cli.host import open_app

    open_app(settings, opts.config_file)


def run() -> None:
    """Console-script entry point (``hallterm.cli.run``; kept here for old scripts)."""
    from hallterm.cli import run as run_cli

    run_cli()
