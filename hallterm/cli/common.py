"""What every command shares: options, settings, sign-in, output, and error handling."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
import typer.core

from hallterm.cli.options import Options
from hallterm.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_UNAVAILABLE, HallTermError
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.context import Ctx

F = TypeVar("F", bound=Callable[..., Any])
PIN_ENV = "HALLTERM_PIN"


def options(ctx: typer.Context) -> Options:
    obj = ctx.find_root().obj
    if not isinstance(obj, Options):
        obj = Options()
        ctx.find_root().obj = obj
    return obj


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Print one line on stderr and return the Exit to raise."""
    typer.echo(message, err=True)
    return typer.Exit(code)


def _log_path(ctx: Any) -> Path:
    """The ``log_file`` setting (file < ``HALLTERM_LOG_FILE`` < default in the data folder)."""
    from hallterm import paths

    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, Options):
        try:
            return obj.settings().resolved_log_file()
        except Exception:  # the settings themselves are broken: log where we can
            pass
    return Path(os.environ.get("HALLTERM_LOG_FILE") or paths.data_dir() / "hallterm.log")


def _log_unexpected(exc: BaseException, ctx: Any = None) -> Path:
    log = _log_path(ctx)
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        # A handler of our own: logging.basicConfig does nothing once the root logger
        # has a handler (a library's, or pytest's), and the traceback would be lost.
        handler = logging.FileHandler(log, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger = logging.getLogger("hallterm.cli")
        logger.addHandler(handler)
        try:
            logger.error("unexpected error\n%s", "".join(traceback.format_exception(exc)))
        finally:
            logger.removeHandler(handler)
            handler.close()
    except OSError:
        pass
    return log


def handle_errors(func: F) -> F:
    """Turn HallTerm errors into one stderr line and the documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from hallterm.context import command_request

        try:
            with command_request(_request_of(func, kwargs)):
                return func(*args, **kwargs)
        except HallTermError as exc:
            first, *rest = str(exc).splitlines() or [""]
            hint = getattr(exc, "cli_hint", None)  # what to type on the CLI (an option)
            if hint and not rest:
                first = f"{first} {_(hint)}"
            typer.echo(first if not rest else str(exc), err=True)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            typer.echo(_("Interrupted; nothing was half-written."), err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            # `hallterm audit list | head -1`: the reader has gone; stop quietly.
            quiet_stdout()
            raise typer.Exit(0) from None
        except OverflowError:
            # A number past SQLite's 64-bit integers (--counter 99999999999999999999).
            typer.echo(_("A number is too large."), err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except Exception as exc:
            from hallterm.store import is_busy

            if is_busy(exc):
                typer.echo(_("The store is busy; try again in a moment."), err=True)
                raise typer.Exit(EXIT_UNAVAILABLE) from None
            # The command's context (Typer passes click's own class, not typer.Context).
            command_ctx = next((v for v in (*args, *kwargs.values())
                                if hasattr(v, "find_root")), None)
            log = _log_unexpected(exc, command_ctx)
            typer.echo(_("Sorry, something went wrong ({error}); details are in {log}").format(
                error=type(exc).__name__, log=log), err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


# Not part of what a command asks for: the id itself and how the answer is printed.
_NOT_REQUEST = frozenset({"command_id", "json_"})


def _request_of(func: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments of this CLI command as typed, for ``--command-id`` reuse checks."""
    params = {name: to_jsonable(value) for name, value in kwargs.items()
              if name not in _NOT_REQUEST and _is_value(value)}
    return {"command": f"{func.__module__}.{func.__qualname__}", "params": params}


def _is_value(value: Any) -> bool:
    """A typed value (text, number, path, list of them), not the click context object."""
    if isinstance(value, (list, tuple)):
        return all(_is_value(v) for v in value)
    return value is None or isinstance(value, (str, int, float, Path, date, datetime))


_never_prompt = {"pin": False}  # the global --pin-from-env, set by the root callback


def never_prompt_for_pins(flag: bool) -> None:
    """The global ``--pin-from-env``: PINs only from the environment (set per invocation)."""
    _never_prompt["pin"] = flag


def pins_only_from_env() -> bool:
    """True when the global ``--pin-from-env`` was given."""
    return _never_prompt["pin"]


def quiet_stdout() -> None:
    """Point stdout at /dev/null (after a broken pipe: Python's last flush must not fail)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class OneLineErrors(typer.core.TyperGroup):
    """The root command: a usage error is one line on stderr and exit 2 (no usage block)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        from typer._click import exceptions as click  # the click Typer vendors

        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.NoArgsIsHelpError as exc:
            exc.show()  # `hallterm day`: the group's help, as before
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            where = exc.ctx.command_path if getattr(exc, "ctx", None) else "hallterm"
            text = " ".join(exc.format_message().split())
            hint = (" " + _("(see {command} --help)").format(command=where)
                    if isinstance(exc, click.UsageError) else "")
            typer.echo(f"{where}: {text}{hint}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo(_("Aborted."), err=True)
            sys.exit(1)
        except BrokenPipeError:
            quiet_stdout()
            sys.exit(0)
        except SystemExit as exc:
            from typer._click.utils import PacifyFlushWrapper

            if exc.code == 1 and isinstance(sys.stdout, PacifyFlushWrapper):
                # Typer met the broken pipe first (`hallterm --help | head -1`): not a failure.
                quiet_stdout()
                sys.exit(0)
            raise
        sys.exit(rv if isinstance(rv, int) else 0)


def read_pin(prompt: str, *, env: str = PIN_ENV, confirm: bool = False) -> str:
    """A PIN from ``env`` when set, else a hidden prompt (twice when ``confirm``).

    Without a terminal (cron, a script) a PIN piped on stdin is read line by line;
    nothing to read, or the global ``--pin-from-env``, is one line and exit 2 that
    names the variable to set, never click's bare "Aborted!".
    """
    from hallterm.errors import BadInput

    value = os.environ.get(env)
    if value is not None:
        return value.strip()
    missing = BadInput(_("No PIN: set {env} (there is no terminal to ask on, or "
                         "--pin-from-env was given).").format(env=env))
    if _never_prompt["pin"]:
        raise missing
    if not sys.stdin.isatty():
        lines = []
        for _i in range(2 if confirm else 1):
            line = sys.stdin.readline()
            if not line:
                raise missing
            lines.append(line.strip())
        if confirm and lines[0] != lines[1]:
            raise BadInput(_("The two PINs differ."))
        return lines[0]
    try:
        pin = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm, default="",
                           show_default=False)
    except (typer.Abort, EOFError):
        raise missing from None
    return pin.strip()


def sign_in(ctx, empno: str | None, *, env: str = PIN_ENV, reason: str | None = None):
    """Authenticate ``--as EMPNO`` with a PIN from ``HALLTERM_PIN`` or a prompt.

    ``reason``: why a command that only reads needs a sign-in (said when --as is missing).
    """
    from hallterm.errors import BadInput
    from hallterm.services.staff import authenticate

    if not empno:
        if reason:
            raise BadInput(_("{reason} needs a sign-in: give --as EMPNO (and the PIN).").format(
                reason=reason))
        raise BadInput(_("This command writes: give --as EMPNO (and the PIN)."))
    from hallterm.empno import check_empno

    empno = check_empno(empno)  # "--as abc": said before any PIN is asked for
    pin = read_pin(_("PIN for {empno}").format(empno=empno), env=env)
    actor = authenticate(ctx, empno=empno, pin=pin, purpose="cli")
    return ctx.as_actor(actor)


def signed_in(ctx: typer.Context, as_: str | None, store: str | None, *,
              counter: int | None = None, terminal_counter: bool = False,
              reason: str | None = None) -> Ctx:
    """The command's context signed in as ``--as`` (``--store``: the command's own store).

    ``counter`` (or, with ``terminal_counter``, this terminal's when none is given) is
    checked first: an unknown counter is one line and exit 2 before any PIN is asked for.
    """
    base = options(ctx).ctx(store)
    if counter is None and terminal_counter:
        counter = base.counter
    known_counter(base, counter)  # before any PIN
    return sign_in(base, as_, reason=reason)


def group(help: str) -> typer.Typer:
    """A command group (``hallterm GROUP``): its help, and the help when called bare."""
    return typer.Typer(help=help, no_args_is_help=True)


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a CJK character takes two).

    ``f"{name:<20}"`` counts characters, so 王经理 would take 3 columns of 20 and
    every column after it would shift; rich (which Textual brings) knows the widths.
    """
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def known_counter(hctx, number: int | None) -> None:
    """``--counter 99``: one line and exit 2 before any PIN is asked for."""
    if number is None:
        return
    from hallterm.services.queue import require_counter

    with hctx.store.read() as session:
        require_counter(session, number)


def to_jsonable(value: Any) -> Any:
    if callable(getattr(value, "to_json", None)) and not isinstance(value, type):
        return to_jsonable(value.to_json())  # a value that says how it is written
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def print_json(value: Any) -> None:
    """One JSON document on stdout (one line: friendly to scripts and jq)."""
    typer.echo(json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":")))


# Option declarations reused by every command group.
AS_OPTION = typer.Option(None, "--as", help="Your employee number (PIN from HALLTERM_PIN or a "
                         "prompt).", metavar="EMPNO")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of text.")
COMMAND_ID_OPTION = typer.Option(None, "--command-id", help="An id for this write: running "
                                 "the command again with the same id does not write twice.")
STORE_OPTION = typer.Option(None, "--store", help="The store: an SQLite file or a "
                            "postgresql:// URL (HALLTERM_STORE).", metavar="PATH|URL")
OVERRIDE_OPTION = typer.Option(None, "--override-reason", help=_(
    "A manager acting at a counter another clerk keeps: why (audited as an override)."),
    metavar="TEXT")
