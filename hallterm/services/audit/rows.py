"""Business rows under the audit log: each audited write seals the rows it wrote.

On SQLite every write connection carries TEMP triggers (per connection, never in the
store file, so they cannot be dropped from it) on the covered business tables; they
note each inserted, updated or deleted row's key in a TEMP table. On PostgreSQL the
covered tables carry the triggers themselves (``hallterm_rows_<table>``, made by the
migrations: ``hallterm.migrations.triggers``); they note the keys in the session's
temp table, which only the store's write connections have. Rows written by any other
session, or while someone has dropped those triggers, are never sealed: ``check``
names them. When the write appends
an audit row, the rows noted since its previous audit row are read back and their
keyed fingerprints (HMAC-SHA-256 under a sub-key of the hall secret, over every
column of the row, followed by the row's business key such as a receipt number;
``-`` for a deleted row) go into that audit row's payload under ``_rows`` —
covered by the row's MAC like the rest of the payload. Rows written
after the last ``uow.audit`` of a write get one closing ``audit.rows`` row.

``check`` (run by ``audit verify`` and, for the stock tables, ``stock verify``)
takes the latest fingerprint of every row from the log and recomputes it from the
table: a row changed, deleted or added behind the application's back is named.

Stores from before the seals: the first sealing audit row also records, under
``_rows_since``, each table's highest key at that moment; rows never sealed at or
below it (in insertion order: SQLite's rowid; on PostgreSQL a table's integer key, and
no bound for a table keyed otherwise) are older than the seals and are exempt until a write touches them.
Fingerprints cover columns with a value (NULL columns are left out), so a
migration adding a nullable column leaves existing seals valid.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hallterm.i18n import _
from hallterm.store import Conn, execute

if TYPE_CHECKING:
    from hallterm.context import Ctx, UnitOfWork

ROWS_CONTEXT = b"hallterm business rows v1"
ROWS_KEY = "_rows"
SINCE_KEY = "_rows_since"
SEAL_ACTION = "audit.rows"
TOMBSTONE = "-"
_TOUCHED = "hallterm_touched"  # a TEMP table (searched first on both engines)
_TRIGGER_PREFIX = "hallterm_rows_"
_META_KEY = "audit_rows_since"

# The covered tables and how a finding names a row (SQL over the row, or None).
# Not here: the audit log itself (its chain), ``day_close`` (its heads are checked
# against the chain, and what it closed is sealed in these tables and sent to HQ),
# and bookkeeping (``sequence``, ``command``, ``meta``, cart holds).
TABLES: dict[str, str | None] = {
    "staff": "empno",
    "business_day": "day",
    "counter": "number",
    "service": "code",
    "hall": "code",
    "visit": None,
    "ticket": "number",
    "ticket_event": "(SELECT number FROM ticket WHERE ticket.id = ticket_id)",
    "counter_event": None,
    "sale": "receipt_no",
    "sale_line": "(SELECT receipt_no FROM sale WHERE sale.id = sale_id)",
    "payment": "(SELECT receipt_no FROM sale WHERE sale.id = sale_id)",
    "sale_reversal": "number",
    "sale_reversal_line": "(SELECT number FROM sale_reversal r WHERE r.id = reversal_id)",
    "reversal_payment": "(SELECT number FROM sale_reversal r WHERE r.id = reversal_id)",
    "cash_movement": None,
    "cash_count": None,
    "handover": None,
    "handover_line": None,
    "catalog_item": "sku",
    "catalog_barcode": "barcode",
    "stock_document": "number",
    "stock_move": "(SELECT number FROM stock_document d WHERE d.id = document_id)",
    "stock_balance": "sku || ' @ ' || place",
    "stock_serial": "serial",
    "stocktake": "number",
    "stocktake_line": None,
    "complaint": "number",
    "complaint_event": "(SELECT number FROM complaint c WHERE c.id = complaint_id)",
    "complaint_status": "(SELECT number FROM complaint c WHERE c.id = complaint_id)",
    "complaint_compensation": "(SELECT number FROM complaint c WHERE c.id = complaint_id)",
    "customer": "id_masked",
    "review_event": "reference",
    "number_pool": "substr(number, 1, 3) || '****' || substr(number, 8, 4)",  # masked
    "service_line": "substr(number, 1, 3) || '****' || substr(number, 8, 4)",
    "service_order": "order_no",
    "retention_attempt": "(SELECT order_no FROM service_order o WHERE o.id = order_id)",
    "archive_position": "box_no",
}
STOCK_TABLES = ("stock_document", "stock_move", "stock_balance", "stock_serial",
                "stocktake", "stocktake_line")


def rows_key(secret: bytes) -> bytes:
    """The business rows' fingerprint key: a sub-key of the hall secret."""
    from hallterm.services.audit.chain import chain_key

    chain_key(secret)  # the same clear refusal without a key file
    return hmac.new(secret, ROWS_CONTEXT, hashlib.sha256).digest()


def fingerprint(key: bytes, table: str, row_key: str, columns: Iterable[str],
                values: Iterable[Any]) -> str:
    """The keyed fingerprint of one row's full content (NULL columns left out)."""
    content = {c: (v.hex() if isinstance(v, bytes) else v)
               for c, v in zip(columns, values, strict=True) if v is not None}
    body = json.dumps([table, row_key, content], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _key_text(values: Iterable[Any]) -> str:
    return "|".join(str(v) for v in values)


def _pk_columns(conn: Conn, table: str) -> list[str]:
    return list(conn.driver.key_columns(conn, table))


def _existing(conn: Conn) -> list[str]:
    names = {r[0] for r in execute(conn, conn.driver.tables_sql).all()}
    return [t for t in TABLES if t in names]


# -- the write path ---------------------------------------------------------------
_INSTALLED = "hallterm audit.rows installed"  # connection memo: its TEMP triggers are made
_PKS = "hallterm audit.rows keys"  # connection memo: table -> its key columns
_SINCE_DONE = "hallterm audit.rows since"  # connection memo: the marker is in meta
_CHANGES = ("hallterm_touched", "changes at the last audit row")  # the write's memo
_KEYS_PER_QUERY = 200  # rows of a composite key read per statement (an OR each)


def install(uow: UnitOfWork) -> None:
    """Make sure this write connection notes the rows it touches (once per connection).

    Remembered on the connection (its TEMP triggers live as long as it does) once the
    write that made them commits: later writes on it run no statement here. The noted
    rows are empty between writes: each write's audit rows take them, and a write
    that fails rolls its notes back with it.
    """
    if uow.session.dialect == "postgresql":
        _install_notes(uow)
        return
    if uow.connection_memo.get(_INSTALLED):
        return
    _install_triggers(uow)
    # A write that fails takes its CREATEs back with it: remembered only once committed.
    uow.remember_when_committed(_INSTALLED, True)


def _install_triggers(uow: UnitOfWork) -> None:
    """SQLite: TEMP triggers noting each touched row's key in a TEMP table."""
    have = uow.sql("SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger' "
                   "AND name LIKE :p", {"p": _TRIGGER_PREFIX + "%"}).scalar()
    tables = _existing(uow.session)
    if have == 3 * len(tables):
        uow.sql(f"DELETE FROM {_TOUCHED}")
        return
    uow.sql("CREATE TEMP TABLE IF NOT EXISTS hallterm_touched (tbl TEXT NOT NULL, k NOT NULL)")
    # No unique key: an UPSERT's conflict handling overrides a trigger's OR IGNORE.
    uow.sql(f"DELETE FROM {_TOUCHED}")
    for trigger in uow.sql("SELECT name FROM sqlite_temp_master WHERE type = 'trigger' "
                           "AND name LIKE :p", {"p": _TRIGGER_PREFIX + "%"}).all():
        uow.sql(f"DROP TRIGGER temp.{trigger.name}")
    for table in tables:
        pk = _keys(uow, table)

        def key(row: str, pk: list[str] = pk) -> str:
            if len(pk) == 1:
                return f"{row}.{pk[0]}"
            return "json_array(" + ", ".join(f"{row}.{c}" for c in pk) + ")"

        for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")),
                         ("DELETE", ("OLD",))):
            body = " ".join(f"INSERT INTO hallterm_touched VALUES ('{table}', "
                            f"{key(r)});" for r in rows)
            uow.sql(f"CREATE TEMP TRIGGER {_TRIGGER_PREFIX}{table}_{op.lower()} AFTER {op} "
                    f"ON main.{table} BEGIN {body} END")


def _install_notes(uow: UnitOfWork) -> None:
    """PostgreSQL: the schema's triggers note rows in this session's temp table.

    Made for the connection's life by the store's write connections (``hallterm.store.
    postgres``, outside any transaction, so a rolled back write cannot take it away);
    emptied at every commit; a rolled back write's notes go with it.
    """


def _keys(uow: UnitOfWork, table: str) -> list[str]:
    """A covered table's key columns, read once per connection."""
    pks = uow.connection_memo.setdefault(_PKS, {})
    if table not in pks:
        pks[table] = _pk_columns(uow.session, table)
    return pks[table]  # type: ignore[no-any-return]


def seal(uow: UnitOfWork) -> dict[str, Any]:
    """The fingerprints of the rows touched since the last seal (payload entries)."""
    extra: dict[str, Any] = {}
    at_seal = uow.memo.get(_CHANGES)
    if at_seal is not None and uow.changes() == at_seal:
        return extra  # nothing written since the last audit row: nothing noted
    # Take the noted keys and clear them in one statement (a row noted twice is one).
    touched = uow.sql(f"DELETE FROM {_TOUCHED} RETURNING tbl, k").all()
    if not touched:
        return extra
    key = rows_key(uow.ctx.pepper)
    by_table: dict[str, list[Any]] = {}
    for t in touched:
        keys = by_table.setdefault(t.tbl, [])
        if t.k not in keys:
            keys.append(t.k)
    sealed: dict[str, dict[str, str]] = {}
    for table, keys in by_table.items():
        pk = _keys(uow, table)
        found: dict[str, str] = {}
        cols = ", ".join(pk)
        label = TABLES.get(table) or "NULL"
        head = f"SELECT {cols}, {label}, * FROM {table} AS {table}"
        if len(pk) == 1:
            params = {f"k{i}": k for i, k in enumerate(keys)}
            marks = ", ".join(f":{p}" for p in params)
            results = [uow.sql(f"{head} WHERE {pk[0]} IN ({marks})", params)]
            wanted = {str(k) for k in keys}
        else:
            values = [json.loads(k) for k in keys]
            results = []
            for start in range(0, len(values), _KEYS_PER_QUERY):
                chunk = values[start:start + _KEYS_PER_QUERY]
                where = " OR ".join(
                    "(" + " AND ".join(f"{c} = :c{j}_{i}" for i, c in enumerate(pk)) + ")"
                    for j in range(len(chunk)))
                results.append(uow.sql(f"{head} WHERE {where}", {
                    f"c{j}_{i}": v for j, row in enumerate(chunk) for i, v in enumerate(row)}))
            wanted = {_key_text(v) for v in values}
        n = len(pk)
        # A generic row: its key columns, its label, then every column of the table
        # (``*`` repeats the key's names, so this one reads by position, with the names
        # taken from ``result.keys()``).
        for result in results:
            columns = list(result.keys())[n + 1:]
            for r in result.all():
                text = _key_text(r[:n])
                fp = fingerprint(key, table, text, columns, r[n + 1:])
                found[text] = fp if r[n] is None else f"{fp} {r[n]}"
        sealed[table] = {k: found.get(k, TOMBSTONE) for k in sorted(wanted)}
    extra[ROWS_KEY] = sealed
    # A hint only (rolled back with the write): the marker itself is the audit row.
    # Once there it stays (meta rows are never removed): remembered on the connection
    # when the write commits.
    if not uow.connection_memo.get(_SINCE_DONE) and not uow.committed_memo.get(_SINCE_DONE):
        if uow.sql("SELECT 1 FROM meta WHERE key = :k", {"k": _META_KEY}).first() is None:
            extra[SINCE_KEY] = _highest(uow.session)
            uow.add_meta(_META_KEY, "1")
        uow.remember_when_committed(_SINCE_DONE, True)
    return extra


def _highest(conn: Conn) -> dict[str, int]:
    """Each covered table's last row in insertion order now (the exemption bound of
    older rows; 0 where the order is not known)."""
    return {table: execute(conn, f"SELECT max({conn.driver.insertion_order(conn, table)}) "
                                 f"FROM {table}").scalar() or 0
            for table in _existing(conn)}


def sealed_here(uow: UnitOfWork) -> None:
    """An audit row was just appended (its seal took the noted rows): remember the
    connection's change count, so ``pending`` knows for free whether anything followed."""
    uow.memo[_CHANGES] = uow.changes()


def pending(uow: UnitOfWork) -> bool:
    """Whether rows were touched after the write's last audit row."""
    at_seal = uow.memo.get(_CHANGES)
    if at_seal is not None and uow.changes() == at_seal:
        return False  # nothing at all was written since: no row can be waiting
    return uow.sql(f"SELECT 1 FROM {_TOUCHED} LIMIT 1").first() is not None


# -- verification ----------------------------------------------------------------
@dataclass(frozen=True)
class RowProblem:
    """One business row that differs from what the log sealed."""

    table: str
    key: str
    label: str | None
    seq: int | None  # the audit row that sealed it last (None: never sealed)
    what: str  # changed | deleted | unsealed

    def describe(self) -> str:
        name = f"{self.table} {self.key}" + (f" ({self.label})" if self.label else "")
        if self.what == "changed":
            return _("{row} was changed without the log (sealed by audit row {seq})").format(
                row=name, seq=self.seq)
        if self.what == "deleted":
            return _("{row} was deleted without the log (sealed by audit row {seq})").format(
                row=name, seq=self.seq)
        return _("{row} was written without the log (no audit row sealed it)").format(row=name)


@dataclass
class Seals:
    """The latest seal of every row, gathered while the chain is read."""

    rows: dict[tuple[str, str], tuple[str, int]]
    since: dict[str, Any] | None = None

    def add(self, seq: int, payload_text: str) -> None:
        if ROWS_KEY not in payload_text:
            return
        payload = json.loads(payload_text)
        if self.since is None and isinstance(payload.get(SINCE_KEY), dict):
            self.since = payload[SINCE_KEY]
        for table, entries in (payload.get(ROWS_KEY) or {}).items():
            for k, fp in entries.items():
                self.rows[(table, k)] = (fp, seq)


def gather(ctx: Ctx, *, batch: int = 5000) -> Seals:
    """The seals of the log, trusting only rows whose MAC holds (for ``stock verify``)."""
    from hallterm.services.audit.chain import _ROW_COLUMNS, _fields, chain_key, row_mac

    chain = chain_key(ctx.pepper)
    seals = Seals({})
    after = 0
    while True:
        with ctx.store.read() as session:
            chunk = execute(session, f"SELECT {_ROW_COLUMNS} FROM audit_log WHERE seq > :s "
                            "AND payload LIKE :p ORDER BY seq LIMIT :n",
                            {"s": after, "p": f'%"{ROWS_KEY}"%', "n": batch}).all()
        if not chunk:
            return seals
        for r in chunk:
            if hmac.compare_digest(row_mac(chain, **_fields(r)), r.hash):
                seals.add(r.seq, r.payload)
            after = r.seq


def check(ctx: Ctx, seals: Seals, *, tables: Iterable[str] | None = None,
          batch: int = 5000, limit: int = 20) -> list[RowProblem]:
    """Recompute every covered row's fingerprint and compare it with its latest seal."""
    if seals.since is None and not seals.rows:
        return []  # a store from before the seals, never written since
    since = seals.since or {}  # seals without their marker: nothing is exempt
    key = rows_key(ctx.pepper)
    wanted = list(tables) if tables is not None else list(TABLES)
    with ctx.store.read() as session:
        present = _existing(session)
        pks = {t: _pk_columns(session, t) for t in present}
        orders = {t: session.driver.insertion_order(session, t) for t in present}
    problems: list[RowProblem] = []
    for table in wanted:
        if table not in pks:
            continue
        pk = pks[table]
        bound = since.get(table, 0)
        cols = ", ".join(pk)
        offset_key: tuple[Any, ...] | None = None
        seen: set[str] = set()
        while True:
            where, params = "", {"n": batch}
            if offset_key is not None:
                where = f"WHERE ({cols}) > ({', '.join(f':o{i}' for i in range(len(pk)))}) "
                params.update({f"o{i}": v for i, v in enumerate(offset_key)})
            with ctx.store.read() as session:
                result = execute(session, f"SELECT {orders[table]}, {cols}, * FROM {table} "
                                 f"{where}ORDER BY {cols} LIMIT :n", params)
                # The insertion order, the key, then every column (by position: ``*``
                # repeats the key's names; the names are ``result.keys()``).
                columns = list(result.keys())[1 + len(pk):]
                chunk = [(r[0], tuple(r[1:1 + len(pk)]), tuple(r[1 + len(pk):]))
                         for r in result.all()]
            if not chunk:
                break
            for order, pk_values, values in chunk:
                text = _key_text(pk_values)
                seen.add(text)
                sealed = seals.rows.get((table, text))
                if sealed is None:
                    if order is None or order > int(bound or 0):
                        problems.append(RowProblem(table, text, None, None, "unsealed"))
                elif not hmac.compare_digest(
                        fingerprint(key, table, text, columns, values), _fp(sealed[0])):
                    problems.append(RowProblem(table, text, _label(sealed[0]), sealed[1],
                                               "changed" if sealed[0] != TOMBSTONE
                                               else "unsealed"))
            offset_key = chunk[-1][1]
        for (t, k), (fp, seq) in seals.rows.items():
            if t == table and fp != TOMBSTONE and k not in seen:
                problems.append(RowProblem(t, k, _label(fp), seq, "deleted"))
        if len(problems) >= limit:
            break
    return _labelled(ctx, problems[:limit], pks)


def _fp(entry: str) -> str:
    return entry.split(" ", 1)[0]


def _label(entry: str) -> str | None:
    parts = entry.split(" ", 1)
    return parts[1] if len(parts) > 1 else None


def _labelled(ctx: Ctx, problems: list[RowProblem], pks: dict[str, list[str]]
              ) -> list[RowProblem]:
    """Name rows the log never sealed by their business key as they read now."""
    out = []
    with ctx.store.read() as session:
        for p in problems:
            label_sql, pk = TABLES.get(p.table), pks.get(p.table, [])
            label = p.label
            if label is None and label_sql and p.what == "unsealed" and len(pk) == 1:
                label = execute(session, f"SELECT {label_sql} FROM {p.table} AS {p.table} "
                                f"WHERE CAST({pk[0]} AS TEXT) = :k", {"k": p.key}).scalar()
            out.append(RowProblem(p.table, p.key, None if label is None else str(label),
                                  p.seq, p.what))
    return out
