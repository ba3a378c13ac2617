"""Where HallTerm keeps things by default (platformdirs) and where shipped data lives."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "hallterm"


def config_dir() -> Path:
    """The user's configuration folder (``~/.config/hallterm`` on Linux)."""
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    """The user's data folder (``~/.local/share/hallterm`` on Linux)."""
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def shipped_data() -> Path:
    """The folder of shipped reference data: ``data/`` in a checkout, packaged in a wheel."""
    packaged = Path(__file__).parent / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"
