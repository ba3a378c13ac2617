"""The global options (``--config``, ``--store``, ...) and the settings they give.

Kept apart from ``hallterm.cli.common`` (which imports Typer): the console script's
fast path for ``hallterm demo`` reads the options without Typer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the settings module loads pydantic: not for --help
    from hallterm.context import Ctx
    from hallterm.settings import Settings


class Options:
    """Global options from the root callback (``None`` = not given)."""

    def __init__(self, **values: Any) -> None:
        self.values = values
        self._settings: tuple[Settings, Path | None] | None = None

    def _load(self, **extra: Any) -> tuple[Settings, Path | None]:
        from hallterm.i18n import set_language
        from hallterm.settings import load_settings

        loaded = self._settings
        if loaded is None or extra:
            config = self.values.get("config")
            opts = {k: v for k, v in self.values.items() if k != "config"}
            opts.update(extra)
            loaded = self._settings = load_settings(config, **opts)
            set_language(loaded[0].language)
        return loaded

    def settings(self, **extra: Any) -> Settings:
        """The settings: file < environment < these options (loaded on first use)."""
        return self._load(**extra)[0]

    @property
    def config_file(self) -> Path | None:
        return self._load()[1]

    def ctx(self, store: str | None = None) -> Ctx:
        """A context on the configured store (``store``: a command's own --store)."""
        from hallterm.bootstrap import open_ctx

        settings = self.settings(store=store) if store is not None else self.settings()
        return open_ctx(settings, self.config_file)
