"""Column types: aware datetimes stored as UTC ISO-8601 text that sorts correctly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.types import String, TypeDecorator

from hallterm.clock import utc_text


class AwareDateTime(TypeDecorator[datetime]):
    """An aware ``datetime`` stored as ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00`` (UTC).

    SQLite has no time type; a fixed-width UTC string keeps ``ORDER BY`` and range
    comparisons right, and never loses the offset the way a naive column does.
    """

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; HallTerm times are timezone-aware")
        return utc_text(value)

    def process_result_value(self, value: str | None, dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value)


