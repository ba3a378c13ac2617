"""``hallterm store copy``: a hall's whole store from one engine to the other.

Every row of every table is copied as it is — the audit chain, its seals, the
closings, the closed days — so ``audit verify`` on the copy ends on the same head
hash as on the source. It is a backup and a restore in one step, not a write of the
hall's: it adds no audit row (a row would change the head it must keep).

The target is made empty (a new SQLite file, or an empty PostgreSQL database made
by the hall's DBA), brought to this version's schema by the migrations, and filled in
one transaction with its triggers held off (they would refuse rows of closed days,
which is what a copy is made of); they are back on before it commits. A failure
leaves the target without a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.store import Store, execute

BATCH = 2_000


@dataclass(frozen=True)
class CopyResult:
    """What ``store copy`` copied."""

    source: str
    target: str
    tables: int
    rows: int


# -- where the engines differ (for this tool only) ------------------------------------
def table_names(store: Store, conn: Any) -> list[str]:
    """The tables the store's database holds (any, HallTerm's or not)."""
    return [r[0] for r in execute(conn, store.driver.tables_sql).all()]


def _triggers_off(store: Store, conn: Any, tables: list[Any]) -> list[str]:
    """Hold the target's triggers off for the copy; what ``_triggers_on`` needs back.

    SQLite cannot disable a trigger: they are dropped and made again from their own SQL
    (DDL is transactional there too). PostgreSQL disables the user triggers of each
    table (the hall's role owns them); foreign keys stay on.
    """
    if store.dialect == "sqlite":
        made = [r[1] for r in execute(conn, "SELECT name, sql FROM sqlite_master "
                                      "WHERE type = 'trigger' AND sql IS NOT NULL").all()]
        for (name,) in execute(conn, "SELECT name FROM sqlite_master "
                               "WHERE type = 'trigger'").all():
            execute(conn, f'DROP TRIGGER "{name}"')
        return made
    for table in tables:
        execute(conn, f"ALTER TABLE {table.name} DISABLE TRIGGER USER")
    return [table.name for table in tables]


def _triggers_on(store: Store, conn: Any, held: list[str]) -> None:
    if store.dialect == "sqlite":
        for sql in held:
            execute(conn, sql)
        return
    for name in held:
        execute(conn, f"ALTER TABLE {name} ENABLE TRIGGER USER")


def _after_rows(store: Store, conn: Any, tables: list[Any]) -> None:
    """PostgreSQL: every id sequence goes past the copied ids (SQLite needs nothing)."""
    if store.dialect == "sqlite":
        return
    for table in tables:
        for col in table.primary_key.columns:
            seq = execute(conn, "SELECT pg_get_serial_sequence(:t, :c)",
                          {"t": table.name, "c": col.name}).scalar()
            if seq:
                execute(conn, f"SELECT setval(:s, COALESCE((SELECT max({col.name}) FROM "
                        f"{table.name}), 0) + 1, false)", {"s": seq})


def _flag(store: Store, value: Any) -> Any:
    """A BOOLEAN column's value as the target takes it (0/1 reads back the same)."""
    return value if store.dialect == "sqlite" else bool(value)


def _tables() -> list[Any]:
    """The store's tables (the models; the migrations agree), parents before children."""
    from sqlmodel import SQLModel

    import hallterm.models  # noqa: F401  (registers every table)

    return list(SQLModel.metadata.sorted_tables)


def _has_rows(store: Store, names: list[str]) -> str | None:
    """The first of ``names`` that exists in ``store`` and holds a row, if any."""
    with store.read() as conn:
        present = set(table_names(store, conn))
        for name in names:
            if name in present and execute(conn, f"SELECT 1 FROM {name} LIMIT 1").first():
                return name
    return None


def _check_target(target: Store, names: list[str]) -> None:
    """Refuse a target that holds anything: a copy never mixes two stores."""
    from hallterm import schema

    rev = schema.current_revision(target)
    schema.refuse_newer(target, rev)
    with target.read() as conn:
        present = store_tables = table_names(target, conn)
    if rev is None and store_tables:
        raise BadInput(_("{store} is not empty (it holds tables of something else); copy "
                         "into a new, empty store.").format(store=target.location))
    full = _has_rows(target, names) if present else None
    if full:
        raise BadInput(_("{store} is not empty (table {table} has rows); copy into a new, "
                         "empty store.").format(store=target.location, table=full))


def _batches(conn: Any, table: Any) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``table`` in its key's order, ``BATCH`` at a time (keyset pages)."""
    cols = [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns] or cols
    select = f"SELECT {', '.join(cols)} FROM {table.name}"
    order = f" ORDER BY {', '.join(keys)} LIMIT {BATCH}"
    after = None
    while True:
        if after is None:
            rows = execute(conn, select + order).all()
        else:
            # (k1, k2) > (:k1, :k2), spelled out: both engines, any key length.
            terms = []
            for i, key in enumerate(keys):
                same = [f"{k} = :_k{j}" for j, k in enumerate(keys[:i])]
                terms.append("(" + " AND ".join([*same, f"{key} > :_k{i}"]) + ")")
            rows = execute(conn, f"{select} WHERE {' OR '.join(terms)}{order}",
                           {f"_k{i}": after[k] for i, k in enumerate(keys)}).all()
        if not rows:
            return
        batch = [dict(zip(cols, row, strict=True)) for row in rows]
        yield batch
        if len(rows) < BATCH:
            return
        after = batch[-1]


def copy_store(source: Store, target: Store) -> CopyResult:
    """Copy every row of ``source`` (at this version's schema) into an empty ``target``."""
    from sqlalchemy import Boolean

    from hallterm import schema

    schema.require_current(source)
    tables = _tables()
    names = [t.name for t in tables]
    _check_target(target, names)
    schema.upgrade(target)

    def fill(conn: Any) -> int:
        copied = 0
        held = _triggers_off(target, conn, tables)
        for table in reversed(tables):  # what the migrations seeded, if anything
            execute(conn, f"DELETE FROM {table.name}")
        with source.read() as src:
            for table in tables:
                cols = [c.name for c in table.columns]
                flags = [c.name for c in table.columns if isinstance(c.type, Boolean)]
                insert = (f"INSERT INTO {table.name} ({', '.join(cols)}) "
                          f"VALUES ({', '.join(':' + c for c in cols)})")
                for batch in _batches(src, table):
                    for row in batch:  # 0/1 on SQLite, a boolean on PostgreSQL
                        for flag in flags:
                            if row[flag] is not None:
                                row[flag] = _flag(target, row[flag])
                    execute(conn, insert, batch)
                    copied += len(batch)
        _after_rows(target, conn, tables)
        _triggers_on(target, conn, held)
        return copied

    total = target.transact(fill)
    target.dispose()
    source.dispose()
    return CopyResult(source.location, target.location, len(tables), total)
