"""Rows and results of a plain DBAPI cursor, read the way services read them.

Services run SQL text through ``execute`` and read rows by name (``row.number``),
by position, or as mappings. SQLAlchemy's result layer used to do this; it cost
more per statement than the statement itself on the hot paths, so the store now
hands out these small wrappers over the driver's cursor (the same for SQLite and
PostgreSQL).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

_CHUNK = 500


@lru_cache(maxsize=1024)
def row_class(names: tuple[str, ...]) -> Any:
    """A tuple class whose items are also read by column name (cached per shape).

    Names that are not identifiers (``count(*)``) or repeat (``SELECT id, *``) are
    read by position; ``_fields`` and ``_mapping`` keep the names as the query gave them.
    """
    base = namedtuple("Row", names, rename=True)  # type: ignore[misc]

    class Row(base):  # type: ignore[valid-type, misc]
        __slots__ = ()
        _fields = names  # type: ignore[assignment]

        @property
        def _mapping(self) -> dict[str, Any]:
            return dict(zip(names, self, strict=True))

        def _asdict(self) -> dict[str, Any]:
            return dict(zip(names, self, strict=True))

    return Row


class Result:
    """The outcome of one statement: its rows (read lazily) or its row count."""

    __slots__ = ("_cursor", "_make", "_names", "rowcount")

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.rowcount: int = cursor.rowcount
        description = cursor.description
        if description is None:
            self._names: tuple[str, ...] = ()
            self._make = None
        else:
            self._names = tuple(d[0] for d in description)
            self._make = row_class(self._names)._make

    def keys(self) -> list[str]:
        return list(self._names)

    def _rows(self, raw: list[Any]) -> list[Any]:
        make = self._make
        if make is None:
            raise TypeError("this statement returns no rows")
        return [make(r) for r in raw]

    def fetchone(self) -> Any:
        if self._make is None:
            raise TypeError("this statement returns no rows")
        raw = self._cursor.fetchone()
        return None if raw is None else self._make(raw)

    def all(self) -> list[Any]:
        rows = self._rows(self._cursor.fetchall())
        self._cursor.close()
        return rows

    fetchall = all

    def __iter__(self) -> Iterator[Any]:
        while True:
            chunk = self._cursor.fetchmany(_CHUNK)
            if not chunk:
                self._cursor.close()
                return
            yield from self._rows(chunk)

    def first(self) -> Any:
        row = self.fetchone()
        self._cursor.close()
        return row

    def one(self) -> Any:
        rows = self.all()
        if len(rows) != 1:
            raise LookupError(f"expected one row, got {len(rows)}")
        return rows[0]

    def one_or_none(self) -> Any:
        rows = self.all()
        if len(rows) > 1:
            raise LookupError(f"expected at most one row, got {len(rows)}")
        return rows[0] if rows else None

    def scalar(self) -> Any:
        row = self.first()
        return None if row is None else row[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalars(self) -> list[Any]:
        return [r[0] for r in self.all()]

    def mappings(self) -> _Mappings:
        return _Mappings(self)


class _Mappings:
    """``result.mappings()``: the rows as dicts of column name to value."""

    __slots__ = ("_result",)

    def __init__(self, result: Result) -> None:
        self._result = result

    def all(self) -> list[dict[str, Any]]:
        return [r._mapping for r in self._result.all()]

    def first(self) -> dict[str, Any] | None:
        row = self._result.first()
        return None if row is None else row._mapping

    def one(self) -> dict[str, Any]:
        return self._result.one()._mapping

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (r._mapping for r in self._result)
