"""What the export writes: each table's fields, listed once.

An ``ExportTable`` names its fields once — (name, Frictionless type, description,
and the SQL expression when it is not the column of the same name) — and its
``source`` (``FROM … WHERE … = :day``); the query is built from that list, so the
rows read, the CSV/JSON Lines columns, the ``datapackage.json`` schema, the
verifier's header check and the reference page (``docs/reference/export-format.md``,
``python -m hallterm.tools.docgen``) cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from hallterm.services import day

# Every row starts with these two: the closed day the folder belongs to and its number.
CORE_FIELDS_NAMES = ("business_day", "z_number")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_EXPR_NAME = re.compile(r"^(?:[a-z_][a-z0-9_]*\.)?([a-z_][a-z0-9_]*)$")
MASK_KINDS = ("id_number", "phone", "name")


class Field(NamedTuple):
    """One exported column: its name, Frictionless type, description and SQL expression."""

    name: str
    type: str
    description: str
    sql: str = ""  # the expression read; empty: the column of the same name

    @property
    def expr(self) -> str:
        return self.sql or self.name

    def select(self) -> str:
        """``expr AS name`` (just ``name`` when that is the expression)."""
        match = _EXPR_NAME.match(self.expr)
        return self.expr if match and match.group(1) == self.name else f"{self.expr} AS {self.name}"


@dataclass(frozen=True)
class ExportTable:
    """A table of one closed day, written for HQ as CSV and JSON Lines.

    ``fields`` lists the columns once: ``Field(name, type, description, sql="")``
    or the same as a plain tuple; ``sql`` is the expression read when it is not
    the column ``name`` (``"o.empno"``). ``source`` is the rest of the query,
    ``FROM … WHERE …`` selecting the day's rows with ``:day``; the query is built
    from both, paging on ``key_column`` (``AND <key> > :after ORDER BY <key>
    LIMIT :limit``). A hand-written ``query`` (instead of ``source``) must select
    exactly the fields' names (``tests/test_export_fields.py`` checks every
    registered table). ``masked`` names columns holding customer data:
    ``"id_number"``, ``"phone"`` or ``"name"`` — the export masks them or
    replaces them by a keyed hash.
    """

    name: str
    fields: tuple[Field | tuple[str, ...], ...]
    primary_key: tuple[str, ...]
    key_column: str
    source: str = ""
    query: str = ""
    foreign_keys: tuple[dict[str, Any], ...] = ()
    masked: dict[str, str] = field(default_factory=dict)
    description: str = ""
    order: int = 100
    columns: tuple[Field, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        columns = tuple(f if isinstance(f, Field) else Field(*f) for f in self.fields)
        object.__setattr__(self, "columns", columns)
        if bool(self.source) == bool(self.query):
            raise ValueError(f"export table {self.name}: give source (or a query), not both")
        if self.source:
            key = next((c.expr for c in columns if c.name == self.key_column), self.key_column)
            joiner = " AND " if " where " in f" {self.source.lower()} " else " WHERE "
            object.__setattr__(self, "query", (
                f"SELECT {', '.join(c.select() for c in columns)} {self.source}"
                f"{joiner}{key} > :after ORDER BY {key} LIMIT :limit"))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def out_fields(self) -> tuple[Field, ...]:
        """The columns as written: ``business_day`` and ``z_number`` first, then the table's."""
        return (*CORE_FIELDS, *(c for c in self.columns if c.name not in CORE_FIELDS_NAMES))


CORE_FIELDS = (
    Field("business_day", "date", "The closed business day this row belongs to (营业日)."),
    Field("z_number", "integer", "The day's closing number (Z counter)."),
)

AUDIT_FIELDS = (
    Field("seq", "integer", "Position in the hall's audit chain.", "a.seq"),
    Field("at", "datetime", "When (UTC, the exact stored text the hash covers).", "a.at"),
    Field("row_business_day", "date", "The row's own business day (hashed as business_day).",
          "a.business_day"),
    Field("actor", "string", "Employee number of who acted.", "a.actor"),
    Field("approver", "string", "Employee number of the second person who approved.",
          "a.approver"),
    Field("terminal", "string", "The terminal id.", "a.terminal"),
    Field("action", "string", "What was done.", "a.action"),
    Field("entity", "string", "The kind of record acted on.", "a.entity"),
    Field("entity_id", "string", "The record acted on.", "a.entity_id"),
    Field("payload", "string", "The canonical JSON payload (hashed as text).", "a.payload"),
    Field("prev_hash", "string", "The previous row's hash.", "a.prev_hash"),
    Field("hash", "string", "HMAC-SHA-256 of this row under the hall's chain key "
                            "(hallterm.services.audit.row_mac).", "a.hash"),
)

CORE_TABLES = (
    ExportTable(
        name="business_day",
        source="FROM business_day d JOIN staff o ON o.id = d.opened_by "
               "LEFT JOIN staff c ON c.id = d.closed_by WHERE d.day = :day",
        fields=(Field("business_day", "date", "The business day.", "d.day"),
                Field("state", "string", "Always closed in an export.", "d.state"),
                Field("opened_at", "datetime", "When the hall manager opened the day (UTC).",
                      "d.opened_at"),
                Field("opened_by", "string", "Who opened it (employee number).", "o.empno"),
                Field("closed_at", "datetime", "When it was closed (UTC).", "d.closed_at"),
                Field("closed_by", "string", "Who closed it (employee number).", "c.empno")),
        primary_key=("business_day",), key_column="business_day",
        description="The business day (营业日).", order=0),
    ExportTable(
        name="day_close",
        source="FROM day_close WHERE business_day = :day",
        fields=(Field("business_day", "date", "The closed business day."),
                Field("z_number", "integer", "The closing number (Z counter): only ever grows."),
                Field("closed_at", "datetime", "When the day was closed (UTC)."),
                Field("closed_by", "string", "Who closed it (employee number).",
                      "closed_by_empno"),
                Field("forced", "boolean", "Closed by the hall manager despite blockers."),
                Field("reason", "string", "Why a forced close was forced."),
                Field("blockers_json", "string", "JSON list of the blockers at closing."),
                Field("first_receipt", "string", "The day's first receipt number."),
                Field("last_receipt", "string", "The day's last receipt number."),
                Field("receipt_count", "integer", "How many receipts the day issued."),
                Field("totals_json", "string", "JSON object: the day's totals (fen, counts)."),
                Field("grand_totals_json", "string",
                      "JSON object: perpetual totals since day one."),
                Field("audit_first_seq", "integer", "First audit row of this closing."),
                Field("audit_head_seq", "integer", "Last audit row of this closing (the head)."),
                Field("audit_head_hash", "string", "The audit chain head hash at closing."),
                Field("prev_audit_head_hash", "string", "The previous closing's head hash."),
                Field("generator", "string", "The HallTerm version that closed the day."),
                Field("report_json", "string", "The day report (Z report) as JSON.")),
        primary_key=("business_day",), key_column="business_day",
        foreign_keys=({"fields": ["business_day"],
                       "reference": {"resource": "business_day", "fields": ["business_day"]}},),
        description="The closing record (日结记录, Z report).", order=1),
    ExportTable(
        name="audit_log",
        source="FROM audit_log a, day_close z WHERE z.business_day = :day "
               "AND a.seq >= z.audit_first_seq AND a.seq <= z.audit_head_seq",
        fields=AUDIT_FIELDS, primary_key=("seq",), key_column="seq",
        description="Every audit row since the previous closing, up to this closing's head: "
                    "the first row's prev_hash is the previous day's head.", order=2),
)


def check_table(table: ExportTable, core: bool) -> None:
    """Refuse a table the export must never write (a bug in the registering area)."""
    if not _NAME.match(table.name):
        raise ValueError(f"export table name {table.name!r} is not a-z0-9_")
    if not core and table.name in {t.name for t in CORE_TABLES}:
        raise ValueError(f"export table name {table.name!r} is the core's")
    names = table.names
    if len(set(names)) != len(names):
        raise ValueError(f"export table {table.name}: a field is listed twice")
    for name in names:
        if "pin" in name.split("_"):
            raise ValueError(f"export table {table.name}: never export a PIN ({name})")
    if table.key_column not in names:
        raise ValueError(f"export table {table.name}: key column {table.key_column} not a field")
    for column, kind in table.masked.items():
        if column not in names:
            raise ValueError(f"export table {table.name}: masked column {column} not a field")
        if kind not in MASK_KINDS:
            raise ValueError(f"export table {table.name}: unknown masked kind {kind!r}")


def query_columns(session: Any, table: ExportTable) -> tuple[str, ...]:
    """The columns the table's query selects, in order (no row is read)."""
    from hallterm.store import execute

    result = execute(session, table.query,
                     {"day": "1970-01-01", "after": first_key(table), "limit": 0})
    return tuple(result.keys())


# Below every key of its type, so the first page starts at the first row (typed: a
# PostgreSQL column is compared only with a value of its own type; SQLite sorted any
# integer before any text).
_FIRST_KEYS: dict[str, Any] = {"integer": -(2**63), "date": "0001-01-01"}


def first_key(table: ExportTable) -> Any:
    """The ``:after`` of the table's first page (keyset paging on ``key_column``)."""
    kind = next((c.type for c in (*table.columns, *CORE_FIELDS)
                 if c.name == table.key_column), "integer")
    return _FIRST_KEYS.get(kind, "")


def check_columns(session: Any, table: ExportTable) -> None:
    """Refuse a table whose query does not select exactly its fields, in order."""
    selected = query_columns(session, table)
    if selected != table.names:
        raise ValueError(f"export table {table.name}: the query selects {list(selected)}, "
                         f"the fields are {list(table.names)}")


def tables() -> list[tuple[ExportTable, bool]]:
    """The core's tables, then every registered one (with ``True`` for the core's)."""
    out = [(t, True) for t in CORE_TABLES] + [(t, False) for t in day.registered_exports()]
    for table, core in out:
        check_table(table, core)
    return out
