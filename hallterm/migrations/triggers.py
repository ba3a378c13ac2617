"""The store's own rules as triggers, on both engines, for the migrations to apply.

One history of migrations serves SQLite and PostgreSQL; the DDL that differs (the
triggers) branches here on the migration's dialect. On SQLite every statement is
exactly the one the migrations ran before PostgreSQL came (``hallterm.store``'s
``day_lock_sql`` and ``closed_books_sql``, the append-only triggers of ``0001``),
so an existing store upgrades unchanged. On PostgreSQL the same rules are plpgsql
trigger functions raising the same texts (``hallterm: business day closed``,
``hallterm: audit log is append-only``, ``hallterm: stock balance differs from the
ledger``), which the store maps to the same messages for the clerk.

PostgreSQL differs where it must:

- a day's state is read ``FOR SHARE``: a write into a day waits for a transaction
  closing that day and then fails (a plain read let a sale commit into a day being
  closed by a concurrent transaction under READ COMMITTED);
- PostgreSQL has no ``INSERT OR REPLACE``: ``INSERT … ON CONFLICT DO UPDATE`` fires
  the UPDATE triggers on the row it would change, so no key checks are needed on
  INSERT; ``TRUNCATE`` (which fires no row trigger) is refused by statement triggers;
- the audit rows' seals (``services/audit/rows.py``) cannot use TEMP triggers: the
  covered tables carry AFTER triggers (``hallterm_rows_<table>``) that note each
  touched row's key in the session's temp table ``hallterm_touched`` when the write
  connection has made one (other sessions note nothing: their rows stay unsealed,
  which ``audit verify`` reports, as it does when the triggers are dropped).

Migrations call ``add_day_lock``/``drop_day_lock``, ``add_append_only``,
``add_closed_books``/``drop_closed_books`` and ``add_row_notes``; a SQLite batch
operation that rebuilds a table drops its triggers, so wrap it in
``keeping_triggers(table)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from alembic import op

DAY_CLOSED = "hallterm: business day closed"
APPEND_ONLY = "hallterm: audit log is append-only"
UNBALANCED = "hallterm: stock balance differs from the ledger"
ROW_NOTES_PREFIX = "hallterm_rows_"

# The append-only audit log and the closed day's own row (migration 0001 on SQLite).
SQLITE_APPEND_ONLY = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'hallterm: audit log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'hallterm: audit log is append-only'); END",
    # A closed business day never reopens and is never removed.
    "CREATE TRIGGER business_day_closed_update BEFORE UPDATE ON business_day "
    "WHEN OLD.state = 'closed' BEGIN SELECT RAISE(ABORT, 'hallterm: business day closed'); END",
    "CREATE TRIGGER business_day_closed_delete BEFORE DELETE ON business_day "
    "WHEN OLD.state = 'closed' BEGIN SELECT RAISE(ABORT, 'hallterm: business day closed'); END",
]
APPEND_ONLY_TRIGGERS = (("audit_log_no_update", "audit_log"),
                        ("audit_log_no_delete", "audit_log"),
                        ("audit_log_no_truncate", "audit_log"),
                        ("business_day_closed_update", "business_day"),
                        ("business_day_closed_delete", "business_day"))


def dialect() -> str:
    """The dialect the running migration works on (``sqlite`` or ``postgresql``)."""
    return op.get_context().dialect.name


def _run(statements: Sequence[str]) -> None:
    for sql in statements:
        op.execute(sql)


# -- PostgreSQL: the functions ------------------------------------------------------
def _function(name: str, body: str, *, returns: str = "trigger", args: str = "") -> str:
    return (f"CREATE OR REPLACE FUNCTION {name}({args}) RETURNS {returns} "
            f"LANGUAGE plpgsql AS $fn$\n{body}\n$fn$")


# A day is closed when its row says so; the row is read FOR SHARE, so a write into
# the day waits for a transaction that is closing it, then sees it closed.
PG_DAY_CLOSED = _function("hallterm_day_closed", """
DECLARE s text;
BEGIN
  IF d IS NULL THEN RETURN false; END IF;
  SELECT state INTO s FROM business_day WHERE day = d FOR SHARE;
  RETURN s IS NOT DISTINCT FROM 'closed';
END""", returns="boolean", args="d date")

# The business day a sequence key ends with ('receipt:2026-11-25'), or NULL when its
# last ten characters are no date (SQLite compares them as text: no day, no lock).
PG_KEY_DAY = _function("hallterm_key_day", r"""
DECLARE t text := right(k, 10); y int; m int; dd int;
BEGIN
  IF t IS NULL OR t !~ '^\d{4}-\d{2}-\d{2}$' THEN RETURN NULL; END IF;
  y := substr(t, 1, 4)::int; m := substr(t, 6, 2)::int; dd := substr(t, 9, 2)::int;
  IF y < 1 OR m < 1 OR m > 12 OR dd < 1
     OR dd > extract(day FROM make_date(y, m, 1) + interval '1 month - 1 day') THEN
    RETURN NULL;
  END IF;
  RETURN make_date(y, m, dd);
END""", returns="date", args="k text")

# Every row of a business day: neither the old row nor the new one may be in a
# closed day (an UPDATE cannot move a row into one, nor out of one).
PG_CLOSED_DAY = _function("hallterm_closed_day", f"""
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND hallterm_day_closed(OLD.business_day) THEN
    RAISE EXCEPTION '{DAY_CLOSED}';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF (TG_OP = 'INSERT' OR NEW.business_day IS DISTINCT FROM OLD.business_day)
       AND hallterm_day_closed(NEW.business_day) THEN
      RAISE EXCEPTION '{DAY_CLOSED}';
    END IF;
    RETURN NEW;
  END IF;
  RETURN OLD;
END""")

# TRUNCATE fires no row trigger: refused while the table holds a closed day's row.
PG_CLOSED_DAY_TRUNCATE = _function("hallterm_closed_day_truncate", f"""
DECLARE found boolean;
BEGIN
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I AS t JOIN business_day AS b '
                 'ON b.day = t.business_day WHERE b.state = ''closed'')',
                 TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO found;
  IF found THEN RAISE EXCEPTION '{DAY_CLOSED}'; END IF;
  RETURN NULL;
END""")

PG_APPEND_ONLY = _function("hallterm_append_only", f"""
BEGIN
  RAISE EXCEPTION '{APPEND_ONLY}';
END""")

# business_day itself: a closed day is never changed nor removed (0001) ...
PG_BUSINESS_DAY_CLOSED = _function("hallterm_business_day_closed", f"""
BEGIN
  IF OLD.state = 'closed' THEN RAISE EXCEPTION '{DAY_CLOSED}'; END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END""")

# ... and (0008) never inserted again, nor a day opened on or before the last closed one.
PG_BUSINESS_DAY_INSERT = _function("hallterm_business_day_insert", f"""
BEGIN
  IF NEW.day <= (SELECT max(day) FROM business_day WHERE state = 'closed')
     OR NEW.state <> 'open' THEN
    RAISE EXCEPTION '{DAY_CLOSED}';
  END IF;
  RETURN NEW;
END""")

# A counter scoped to a day ('receipt:2026-11-25') is frozen once that day is closed.
PG_SEQUENCE_CLOSED_DAY = _function("hallterm_sequence_closed_day", f"""
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND hallterm_day_closed(hallterm_key_day(OLD.key)) THEN
    RAISE EXCEPTION '{DAY_CLOSED}';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF (TG_OP = 'INSERT' OR NEW.key IS DISTINCT FROM OLD.key)
       AND hallterm_day_closed(hallterm_key_day(NEW.key)) THEN
      RAISE EXCEPTION '{DAY_CLOSED}';
    END IF;
    RETURN NEW;
  END IF;
  RETURN OLD;
END""")

# An audit row never takes another's number, and none is written into a closed day.
PG_AUDIT_INSERT = _function("hallterm_audit_log_insert", f"""
BEGIN
  IF EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq) THEN
    RAISE EXCEPTION '{APPEND_ONLY}';
  END IF;
  IF hallterm_day_closed(NEW.business_day) THEN RAISE EXCEPTION '{DAY_CLOSED}'; END IF;
  RETURN NEW;
END""")


def _pg_stock_balance(exempt: Sequence[str] | None = None) -> str:
    from hallterm.store import SOURCE_PLACES

    sources = ", ".join(f"'{p}'" for p in (SOURCE_PLACES if exempt is None else exempt))
    ledger = ("COALESCE((SELECT sum(quantity) FROM stock_move WHERE sku = r.sku "
              "AND to_place = r.place), 0) - COALESCE((SELECT sum(quantity) FROM stock_move "
              "WHERE sku = r.sku AND from_place = r.place), 0)")
    return _function("hallterm_stock_balance_ledger", f"""
DECLARE r stock_balance; want bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; want := 0; ELSE r := NEW; want := NEW.quantity; END IF;
  IF r.place NOT IN ({sources}) AND want <> ({ledger}) THEN
    RAISE EXCEPTION '{UNBALANCED}';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END""")


# Notes each touched row's key for the write's seal, in the session's temp table
# (made by the write connection; no temp table, no note). TG_ARGV: the key columns.
PG_NOTE_ROW = _function("hallterm_note_row", """
DECLARE r jsonb; k text; o text;
BEGIN
  IF to_regclass('pg_temp.hallterm_touched') IS NULL THEN RETURN NULL; END IF;
  IF TG_OP <> 'INSERT' THEN
    r := to_jsonb(OLD);
    IF TG_NARGS = 1 THEN o := r ->> TG_ARGV[0];
    ELSE o := (SELECT jsonb_agg(r -> c ORDER BY n)::text
               FROM unnest(TG_ARGV) WITH ORDINALITY AS a(c, n));
    END IF;
    INSERT INTO pg_temp.hallterm_touched (tbl, k) VALUES (TG_TABLE_NAME, o);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    r := to_jsonb(NEW);
    IF TG_NARGS = 1 THEN k := r ->> TG_ARGV[0];
    ELSE k := (SELECT jsonb_agg(r -> c ORDER BY n)::text
               FROM unnest(TG_ARGV) WITH ORDINALITY AS a(c, n));
    END IF;
    IF o IS DISTINCT FROM k THEN
      INSERT INTO pg_temp.hallterm_touched (tbl, k) VALUES (TG_TABLE_NAME, k);
    END IF;
  END IF;
  RETURN NULL;
END""")


def _pg_trigger(name: str, when: str, table: str, function: str, *,
                each: str = "ROW", args: Sequence[str] = ()) -> list[str]:
    arguments = ", ".join(f"'{a}'" for a in args)
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {each} "
            f"EXECUTE FUNCTION {function}({arguments})"]


# -- what the migrations call -------------------------------------------------------
def add_day_lock(table: str, keys: Sequence[Sequence[str]] = ()) -> None:
    """Lock ``table``'s rows with their business day (``business_day`` column)."""
    if dialect() == "sqlite":
        from hallterm.store import day_lock_sql

        _run(day_lock_sql(table, keys=keys))
        return
    statements = [PG_DAY_CLOSED, PG_CLOSED_DAY, PG_CLOSED_DAY_TRUNCATE]
    for event in ("INSERT", "UPDATE", "DELETE"):
        statements += _pg_trigger(f"{table}_closed_day_{event.lower()}", f"BEFORE {event}",
                                  table, "hallterm_closed_day")
    statements += _pg_trigger(f"{table}_closed_day_truncate", "BEFORE TRUNCATE", table,
                              "hallterm_closed_day_truncate", each="STATEMENT")
    _run(statements)


def drop_day_lock(table: str) -> None:
    if dialect() == "sqlite":
        from hallterm.store import drop_day_lock_sql

        _run(drop_day_lock_sql(table))
        return
    _run([f"DROP TRIGGER IF EXISTS {table}_closed_day_{event} ON {table}"
          for event in ("insert", "update", "delete", "truncate")])


def add_append_only() -> None:
    """The audit log is append-only; a closed business day never changes (0001)."""
    if dialect() == "sqlite":
        _run(SQLITE_APPEND_ONLY)
        return
    statements = [PG_APPEND_ONLY, PG_BUSINESS_DAY_CLOSED]
    statements += _pg_trigger("audit_log_no_update", "BEFORE UPDATE", "audit_log",
                              "hallterm_append_only")
    statements += _pg_trigger("audit_log_no_delete", "BEFORE DELETE", "audit_log",
                              "hallterm_append_only")
    statements += _pg_trigger("audit_log_no_truncate", "BEFORE TRUNCATE", "audit_log",
                              "hallterm_append_only", each="STATEMENT")
    statements += _pg_trigger("business_day_closed_update", "BEFORE UPDATE", "business_day",
                              "hallterm_business_day_closed")
    statements += _pg_trigger("business_day_closed_delete", "BEFORE DELETE", "business_day",
                              "hallterm_business_day_closed")
    _run(statements)


def drop_append_only() -> None:
    if dialect() == "sqlite":
        _run([f"DROP TRIGGER IF EXISTS {name}" for name, _table in APPEND_ONLY_TRIGGERS])
        return
    _run([f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in APPEND_ONLY_TRIGGERS])


# (name, table, timing, function) of the PostgreSQL closed books (0008).
_PG_CLOSED_BOOKS = (
    ("business_day_closed_insert", "business_day", "BEFORE INSERT",
     "hallterm_business_day_insert"),
    ("sequence_closed_day_insert", "sequence", "BEFORE INSERT", "hallterm_sequence_closed_day"),
    ("sequence_closed_day_update", "sequence", "BEFORE UPDATE", "hallterm_sequence_closed_day"),
    ("sequence_closed_day_delete", "sequence", "BEFORE DELETE", "hallterm_sequence_closed_day"),
    ("audit_log_no_replace", "audit_log", "BEFORE INSERT", "hallterm_audit_log_insert"),
    ("stock_balance_ledger_insert", "stock_balance", "BEFORE INSERT",
     "hallterm_stock_balance_ledger"),
    ("stock_balance_ledger_update", "stock_balance", "BEFORE UPDATE",
     "hallterm_stock_balance_ledger"),
    ("stock_balance_ledger_delete", "stock_balance", "BEFORE DELETE",
     "hallterm_stock_balance_ledger"),
)


def add_closed_books() -> None:
    """The rows outside the per-table day lock (``store.closed_books_sql``; 0008)."""
    if dialect() == "sqlite":
        from hallterm.store import closed_books_sql

        for name, sql in closed_books_sql():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(sql)
        return
    statements = [PG_DAY_CLOSED, PG_KEY_DAY, PG_BUSINESS_DAY_INSERT, PG_SEQUENCE_CLOSED_DAY,
                  PG_AUDIT_INSERT, _pg_stock_balance(), PG_CLOSED_DAY_TRUNCATE]
    for name, table, timing, function in _PG_CLOSED_BOOKS:
        statements += _pg_trigger(name, timing, table, function)
    statements += _pg_trigger("sequence_closed_day_truncate", "BEFORE TRUNCATE", "sequence",
                              "hallterm_closed_books_truncate", each="STATEMENT")
    statements[-1:-1] = [_function("hallterm_closed_books_truncate", f"""
BEGIN
  IF EXISTS (SELECT 1 FROM business_day WHERE state = 'closed') THEN
    RAISE EXCEPTION '{DAY_CLOSED}';
  END IF;
  RETURN NULL;
END""")]
    _run(statements)


def exempt_from_ledger_check(places: Sequence[str]) -> None:
    """The stock balance = ledger triggers leave ``places`` alone (migration 0014sinks)."""
    if dialect() == "sqlite":
        from hallterm.store import closed_books_sql

        for name, sql in closed_books_sql(places):
            if name.startswith("stock_balance_ledger_"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
                op.execute(sql)
        return
    _run([_pg_stock_balance(places)])  # CREATE OR REPLACE FUNCTION: the triggers stay


def drop_closed_books() -> None:
    if dialect() == "sqlite":
        from hallterm.store import closed_books_sql

        _run([f"DROP TRIGGER IF EXISTS {name}" for name, _sql in closed_books_sql()])
        return
    _run([f"DROP TRIGGER IF EXISTS {name} ON {table}"
          for name, table, _timing, _function in _PG_CLOSED_BOOKS]
         + ["DROP TRIGGER IF EXISTS sequence_closed_day_truncate ON sequence"])


def add_row_notes(*tables: str) -> None:
    """PostgreSQL: the covered tables note the rows a write touches (its seal).

    SQLite needs nothing in the store: each write connection makes TEMP triggers.
    """
    if dialect() == "sqlite":
        return
    import sqlalchemy as sa

    inspector = sa.inspect(op.get_bind())
    statements = [PG_NOTE_ROW]
    for table in tables:
        pk = inspector.get_pk_constraint(table)["constrained_columns"]
        statements += _pg_trigger(f"{ROW_NOTES_PREFIX}{table}",
                                  "AFTER INSERT OR UPDATE OR DELETE", table,
                                  "hallterm_note_row", args=pk)
    _run(statements)


def drop_row_notes(*tables: str) -> None:
    if dialect() == "sqlite":
        return
    _run([f"DROP TRIGGER IF EXISTS {ROW_NOTES_PREFIX}{table} ON {table}" for table in tables])


@contextmanager
def keeping_triggers(table: str) -> Iterator[None]:
    """Around a batch operation: SQLite re-creates a rebuilt table without its triggers.

    The triggers on ``table`` are read before and any that went missing are made again
    from their own SQL after. PostgreSQL alters tables in place: nothing to do.
    """
    if dialect() != "sqlite":
        yield
        return
    conn = op.get_bind()
    before = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        (table,)).all()
    yield
    now = {r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        (table,)).all()}
    for name, sql in before:
        if name not in now:
            op.execute(sql)
