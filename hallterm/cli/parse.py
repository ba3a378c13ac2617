"""Parsing command-line values into domain values, with one clear line when wrong."""

from __future__ import annotations

from datetime import date

from hallterm.errors import BadInput
from hallterm.i18n import _


def parse_day(text: str | None) -> date | None:
    """``YYYY-MM-DD`` into a date (``None`` stays ``None``)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise BadInput(_("Not a date (YYYY-MM-DD): {text}").format(text=text)) from exc
