"""``hallterm demo`` without Typer's start-up cost: the newcomer's first impression.

Typer turns every option into a pydantic adapter before it runs a command, which
costs about a third of a second on top of painting the app. For the plain
``hallterm [global options] demo [--reset] [--store PATH]`` the console-script
entry point therefore reads the few options itself and opens the app; anything
else (``--no-app``, ``--help``, a typo, another command) goes to Typer as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hallterm.cli.options import Options

GLOBAL_VALUED = {"--config": "config", "--store": "store", "--terminal": "terminal",
                 "--counter": "counter", "--language": "language"}


def parse(argv: list[str]) -> tuple[dict, bool, Path | None] | None:
    """``(global option values, reset, demo store)`` for a plain demo command line, else None."""
    values: dict = {}
    i = 0
    args = list(argv)

    def valued(arg: str) -> tuple[str, str | None, int]:
        if "=" in arg:
            name, value = arg.split("=", 1)
            return name, value, 1
        return arg, (args[i + 1] if i + 1 < len(args) else None), 2

    while i < len(args) and args[i] != "demo":
        name, value, step = valued(args[i])
        if name not in GLOBAL_VALUED or value is None or value.startswith("-"):
            return None
        values[GLOBAL_VALUED[name]] = value
        i += step
    if i >= len(args):
        return None
    i += 1
    reset, store = False, None
    while i < len(args):
        if args[i] == "--reset":
            reset, i = True, i + 1
            continue
        name, value, step = valued(args[i])
        if name != "--store" or value is None or value.startswith("-") or "://" in value:
            return None  # a PostgreSQL URL: the demo command says no (demo is SQLite)
        store, i = Path(value), i + step
    if "counter" in values:
        try:
            values["counter"] = int(values["counter"])
        except ValueError:
            return None
    for key in ("config", "store"):
        if key in values and "://" not in values[key]:
            values[key] = Path(values[key])
    return values, reset, store


def open_demo(opts: Options, *, reset: bool, store: Path | None) -> None:
    """Paint the app first; the real settings and the demo store come in its worker."""
    from hallterm.demo import prepare_demo
    from hallterm.early import early_settings
    from screens.app import run_app

    run_app(early_settings(opts.values.get("config"), opts.values), None, demo=True,
            load_settings=lambda: (opts.settings(), None),
            prepare=lambda settings, clock: prepare_demo(settings, store=store, reset=reset,
                                                         clock=clock))


def _plain_environment(values: dict) -> bool:
    """Whether the settings are sure to validate without pydantic.

    The fast path is for a newcomer's plain ``hallterm demo``: no settings file, and
    environment/option values the early reader can check. Anything else goes through
    Typer and the real settings, so a bad key or value still ends the command with
    one line naming it and exit 2, before any screen opens.
    """
    import os
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hallterm import paths
    from hallterm.i18n import LANGUAGES

    if values.get("config") or os.environ.get("HALLTERM_CONFIG"):
        return False
    if (paths.config_dir() / "hallterm.toml").exists():
        return False
    checks = {
        "counter": lambda v: int(v) >= 1,
        "idle_lock_minutes": lambda v: 1 <= int(v) <= 240,
        "language": lambda v: v in LANGUAGES,
        "timezone": lambda v: ZoneInfo(v) is not None,
        "now": lambda v: datetime.fromisoformat(v).tzinfo is not None,
        "terminal": lambda v: 0 < len(v.strip()) <= 32,
    }
    for key, check in checks.items():
        raw = values.get(key)
        raw = os.environ.get(f"HALLTERM_{key.upper()}") if raw is None else str(raw)
        if raw is None:
            continue
        try:
            if not check(raw):
                return False
        except (ValueError, TypeError, KeyError, OSError):
            return False
    return True


def fast_path(argv: list[str]) -> Callable[[], None] | None:
    """The demo's opener for a plain demo command line, else None (use Typer)."""
    parsed = parse(argv)
    if parsed is None:
        return None
    values, reset, store = parsed
    if not _plain_environment(values):
        return None
    opts = Options(**{k: values.get(k) for k in ("config", "store", "terminal", "counter",
                                                  "language")})
    return lambda: open_demo(opts, reset=reset, store=store)
