"""The few settings the app needs for its first paint, read without pydantic.

Importing pydantic-settings costs about as much as painting the sign-in screen, so
``hallterm demo`` paints with these values and loads (and validates) the real
``Settings`` in the app's worker right after. The precedence is the same: options
< environment < the TOML file < defaults, read the same way; anything that does
not parse here is left to the real settings, whose error the sign-in screen shows.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hallterm import paths
from hallterm.i18n import LANGUAGES

ENV_PREFIX = "HALLTERM_"


@dataclass(frozen=True)
class EarlySettings:
    """What the sign-in screen, the header and the clock need before the store opens."""

    terminal: str
    counter: int | None
    language: str
    timezone: str
    idle_lock_minutes: int
    now: datetime | None
    log_file: Path | None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_log_file(self) -> Path:
        return self.log_file or paths.data_dir() / "hallterm.log"


def early_settings(config: Path | None, options: dict[str, Any]) -> EarlySettings:
    """Best-effort settings for the first paint (``options``: the CLI's, None = not given)."""
    values: dict[str, Any] = {}
    path = config or (Path(os.environ["HALLTERM_CONFIG"]) if os.environ.get("HALLTERM_CONFIG")
                      else paths.config_dir() / "hallterm.toml")
    with contextlib.suppress(OSError, ValueError):  # the real settings will say why
        values.update(tomllib.loads(path.read_text(encoding="utf-8")))
    for key in ("terminal", "counter", "language", "timezone", "idle_lock_minutes", "now",
                "log_file"):
        env = os.environ.get(f"{ENV_PREFIX}{key.upper()}")
        if env:
            values[key] = env
        if options.get(key) is not None:
            values[key] = options[key]

    def pick(key: str, convert, default):
        try:
            return convert(values[key]) if key in values else default
        except (TypeError, ValueError, KeyError):
            return default

    language = str(values.get("language", "en"))
    timezone = pick("timezone", lambda v: str(ZoneInfo(str(v))), "Asia/Shanghai")
    now = pick("now", lambda v: v if isinstance(v, datetime) else datetime.fromisoformat(v),
               None)
    return EarlySettings(
        terminal=str(values.get("terminal") or socket.gethostname()[:32] or "T1").strip()[:32],
        counter=pick("counter", int, None),
        language=language if language in LANGUAGES else "en",
        timezone=timezone,
        idle_lock_minutes=pick("idle_lock_minutes", int, 5),
        now=now if now is not None and now.tzinfo is not None else None,
        log_file=pick("log_file", Path, None),
    )
