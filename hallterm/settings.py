"""Settings: one typed object from defaults < TOML file < ``HALLTERM_*`` environment < options.

The TOML file is ``--config PATH``, else ``HALLTERM_CONFIG``, else ``hallterm.toml``
in the platformdirs configuration folder (silently absent is fine; a named file
that is missing is an error). A bad key or value is one line naming the file (or
the environment variable, or the option) and the key.
"""

from __future__ import annotations

import os
import re
import socket
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from hallterm import paths
from hallterm.errors import ConfigError
from hallterm.i18n import _

ENV_PREFIX = "HALLTERM_"
CONFIG_ENV = "HALLTERM_CONFIG"


class Settings(BaseSettings):
    """Everything a HallTerm process needs to know about where and who it is."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", validate_default=True, frozen=True,
        use_attribute_docstrings=True,
    )

    store: Path | str = Field(default_factory=lambda: paths.data_dir() / "hallterm.db")
    """The store every terminal of the hall shares: an SQLite file (default ``hallterm.db`` in
    the data folder, ``~/.local/share/hallterm/`` on Linux) or a PostgreSQL URL
    ``postgresql://user@host/database`` (never with a password in it: libpq's ``~/.pgpass``,
    ``PGPASSWORD`` or a service file give it; docs/operations/postgresql.md)."""

    hall: Path = Field(default_factory=lambda: paths.shipped_data() / "hall.toml")
    """The hall configuration file that ``hallterm init`` / ``hall load`` read; default the
    shipped ``data/hall.toml``."""

    terminal: str = Field(default_factory=lambda: socket.gethostname()[:32] or "T1")
    """This terminal's id, written on every audit row it makes; default the host name."""

    counter: int | None = None
    """The counter (窗口) number this terminal serves, if it is a counter terminal."""

    language: Literal["en", "zh_CN"] = "en"
    """The language of screens, messages, receipts and reports: ``en`` or ``zh_CN``."""

    timezone: str = "Asia/Shanghai"
    """The hall's IANA timezone; the business day is the local date in it. It is recorded in
    the store at the first ``init`` (the hall configuration); a terminal whose setting differs
    is refused at start (one line, exit 2)."""

    idle_lock_minutes: int = Field(default=5, ge=1, le=240)
    """Minutes without a key press before the terminal locks."""

    key_file: Path | None = None
    """The hall secret (PIN pepper); default ``hallterm.key`` beside the configuration file
    (or, when there is none there, beside the store). For a PostgreSQL store, "beside the
    store" is the data folder's ``postgresql/<database>/`` (``~/.local/share/hallterm/
    postgresql/hall_0101/hallterm.key``)."""

    reports_dir: Path | None = None
    """Where day reports are written; default ``reports/`` beside the store."""

    log_file: Path | None = None
    """Where unexpected errors are logged (by the app and the CLI); default ``hallterm.log``
    in the data folder."""

    printer: Literal["folder", "command", "escpos"] = "folder"
    """Where receipts print: ``folder`` (a text file each, in ``receipts_dir``), ``command``
    (the text piped into ``printer_command``, e.g. ``lp -d counter1``) or ``escpos`` (raw
    ESC/POS bytes, GB18030 text, to ``printer_device``)."""

    printer_command: str | None = None
    """The print command for ``printer = "command"``; the receipt text arrives on stdin."""

    printer_device: str | None = None
    """The ESC/POS printer for ``printer = "escpos"``: a device file (``/dev/usb/lp0``) or
    ``host:port`` of a network printer (usually port 9100)."""

    receipts_dir: Path | None = None
    """Where ``printer = "folder"`` writes receipts; default ``receipts/`` beside the store."""

    export_customer_ids: Literal["mask", "hash"] = "mask"
    """How the export to headquarters minimises ID numbers and phones: ``mask`` keeps the
    first 3 and last 4 characters (``110***********002X``, ``138****1234``); ``hash``
    replaces them by an HMAC-SHA256 under the hall secret, so HQ can join records."""

    keymap: dict[str, str] = Field(default_factory=dict)
    """Keys of the screens rebound by action id: a ``[keymap]`` table such as
    ``"sales.cash" = "f4"`` (ids in docs/reference/keys.md; in the environment as JSON).
    An entry naming no action or no key is shown as a message when the app starts and
    left out; the declared key stays."""

    now: datetime | None = None
    """Freeze the clock at this ISO time with offset; honoured only on a store made by
    ``hallterm demo`` (training rooms, scripted tests): on a hall's store it is refused, one
    line, exit 2."""

    @field_validator("store", mode="before")
    @classmethod
    def _store_location(cls, value: object) -> Path | str:
        if isinstance(value, str) and is_store_url(value):
            return check_store_url(value)
        if isinstance(value, str | Path):
            return Path(value)
        raise ValueError("a file path or a postgresql:// URL")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("terminal")
    @classmethod
    def _short_terminal(cls, value: str) -> str:
        value = value.strip()
        if not value or len(value) > 32:
            raise ValueError("terminal id must be 1-32 characters")
        return value

    @field_validator("now")
    @classmethod
    def _aware_now(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("now needs a UTC offset, e.g. 2026-11-25T09:00:00+08:00")
        return value

    # -- derived paths ---------------------------------------------------------
    @property
    def tz(self) -> ZoneInfo:
        """The hall's timezone."""
        return ZoneInfo(self.timezone)

    @property
    def store_path(self) -> Path | None:
        """The SQLite store file; ``None`` for a PostgreSQL store."""
        return self.store if isinstance(self.store, Path) else None

    @property
    def store_folder(self) -> Path:
        """Where what belongs "beside the store" goes (reports, receipts, the demo's secret):
        the SQLite file's folder, or ``postgresql/<database>/`` in the data folder."""
        if isinstance(self.store, Path):
            return self.store.parent
        from hallterm.store.postgres import local_folder

        return local_folder(self.store)

    def resolved_key_file(self, config_file: Path | None = None) -> Path:
        """The hall secret file: the setting, else beside the configuration file."""
        if self.key_file is not None:
            return self.key_file
        base = config_file.parent if config_file is not None else paths.config_dir()
        beside_config = base / "hallterm.key"
        beside_store = self.store_folder / "hallterm.key"
        # A store whose secret lives beside it (the demo's, or a hall that keeps both
        # in one locked folder) is found without extra settings.
        if not beside_config.exists() and beside_store.exists():
            return beside_store
        return beside_config

    def resolved_reports_dir(self) -> Path:
        """The folder day reports are written into."""
        return self.reports_dir or self.store_folder / "reports"

    def resolved_receipts_dir(self) -> Path:
        """The folder receipts are written into (``printer = "folder"``)."""
        return self.receipts_dir or self.store_folder / "receipts"

    def resolved_log_file(self) -> Path:
        """The file unexpected errors are logged to."""
        return self.log_file or paths.data_dir() / "hallterm.log"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Options (init) beat the environment, which beats the file (passed as
        # init too, underneath: see load_settings), which beats defaults.
        return (init_settings, env_settings)


STORE_URL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_store_url(location: object) -> bool:
    """Whether a ``--store`` value is a PostgreSQL URL rather than an SQLite file."""
    return isinstance(location, str) and location.lower().startswith(STORE_URL_SCHEMES)


def check_store_url(url: str) -> str:
    """Refuse a PostgreSQL URL that carries a password (it would sit in a shell's history,
    ``ps`` and the logs); libpq's own means give it. Returns the URL."""
    parts = urlsplit(url)
    try:
        has_password = parts.password is not None
    except ValueError:  # a port that is not a number
        raise ValueError(_("not a PostgreSQL URL (postgresql://user@host/database)")) from None
    query = {k.lower() for k in parse_qs(parts.query, keep_blank_values=True)}
    if has_password or "password" in query:
        raise ValueError(_("a PostgreSQL URL never carries a password; use ~/.pgpass, "
                           "PGPASSWORD or a service file (docs/operations/postgresql.md)"))
    return url


def _config_path(explicit: Path | None) -> tuple[Path | None, bool]:
    """The configuration file to read, and whether its absence is an error."""
    if explicit is not None:
        return explicit, True
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), True
    return paths.config_dir() / "hallterm.toml", False


def _env_name(key: str) -> str:
    return f"{ENV_PREFIX}{key.upper()}"


def load_settings(config: Path | None = None, **options: Any) -> tuple[Settings, Path | None]:
    """Build the settings and say which configuration file they came from.

    ``options`` are command-line values; ``None`` means "not given".
    Raises ``ConfigError`` with one line naming the file (or variable) and key.
    """
    path, required = _config_path(config)
    file_values: dict[str, Any] = {}
    if path is not None and path.exists():
        from hallterm.textinput import read_text_file

        try:
            file_values = tomllib.loads(read_text_file(path, error=ConfigError))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                _("{file}: not valid TOML: {error}").format(file=path, error=exc)
            ) from exc
        except OSError as exc:
            raise ConfigError(
                _("{file}: cannot read: {error}").format(file=path, error=exc.strerror)
            ) from exc
        for key in file_values:
            if key not in Settings.model_fields:
                raise ConfigError(
                    _("{file}: unknown setting {key!r}").format(file=path, key=key)
                )
    elif required:
        raise ConfigError(_("{file}: configuration file not found").format(file=path))
    else:
        path = None

    given = {k: v for k, v in options.items() if v is not None}
    env_keys = {k for k in Settings.model_fields if _env_name(k) in os.environ}
    # The file's values sit under the environment: drop those the env overrides.
    merged = {k: v for k, v in file_values.items() if k not in env_keys}
    merged.update(given)
    try:
        settings = Settings(**merged)
    except SettingsError as exc:
        # A value the environment source cannot even parse (bad JSON for the keymap).
        found = re.search(r'field "(\w+)"', str(exc))
        name = _env_name(found.group(1)) if found else _("the environment")
        raise ConfigError(_("environment variable {name}: not a valid value ({reason})").format(
            name=name, reason=str(exc.__cause__ or exc).splitlines()[0])) from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else "?"
        if key in given:
            where = _("option --{key}").format(key=key.replace("_", "-"))
        elif key in env_keys:
            where = _("environment variable {name}").format(name=_env_name(key))
        elif path is not None:
            where = str(path)
        else:
            where = _("settings")
        raise ConfigError(
            _("{where}: bad value for {key!r}: {reason}").format(
                where=where, key=key, reason=err["msg"].removeprefix("Value error, ")
            )
        ) from exc
    return settings, path
