"""The nightly export to headquarters: each closed day as CSV and JSON Lines with a Data Package.

``export_days`` writes every closed day not yet exported into
``DIR/<hall>/<YYYY-MM-DD>/``: ``<table>.csv`` and ``<table>.jsonl`` for the core's
tables (``business_day``, ``day_close``, ``audit_log``) and every table the areas
register (``dayparts.register_export``), described by ``datapackage.json`` (a
Frictionless Data Package: per file its schema, byte size, SHA-256 and row count;
plus the hall's own properties), signed with the hall's Ed25519 key in
``datapackage.sig``. A day is written into a temporary folder beside
the final one and renamed into place only when complete, so a reader never sees
half a day; a killed run leaves only a temporary folder, which the next run
removes. The store is read in short read transactions, one per chunk of rows (a
long-held read would let the WAL grow while terminals write). ``verify`` is what
HQ runs (``export_verify``): it checks the signatures, every file, the audit
rows' links and the days' continuity.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from hallterm import __version__, signing
from hallterm.context import Ctx
from hallterm.errors import BadInput, ConfigError, Refused, StoreUnavailable
from hallterm.i18n import _
from hallterm.services import dayparts
from hallterm.services.dayparts import ExportTable
from hallterm.services.export_verify import SIG_NAME
from hallterm.store import execute

FORMAT_VERSION = 1
CHUNK_ROWS = 5000
LOCK_NAME = ".hallterm-export.lock"
TMP_PREFIX = ".tmp-"
# The kill test only: "DIR:STEP" makes the export stop at step STEP (0 after the
# temporary folder is made, n after the n-th table, "final" just before the rename),
# say so by creating DIR/reached and wait there to be killed: a barrier, not a timing.
BARRIER_ENV = "HALLTERM_TEST_EXPORT_BARRIER"
FIRST_KEY = -(2**63)  # below every integer and, in SQLite's ordering, every text key
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_VERSIONED = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.v(\d+))?$")
CustomerIds = Literal["mask", "hash"]

CORE_FIELDS = (
    ("business_day", "date", "The closed business day this row belongs to (营业日)."),
    ("z_number", "integer", "The day's closing number (Z counter)."),
)

_AUDIT_FIELDS = (
    ("seq", "integer", "Position in the hall's audit chain."),
    ("at", "datetime", "When (UTC, the exact stored text the hash covers)."),
    ("row_business_day", "date", "The row's own business day (hashed as business_day)."),
    ("actor", "string", "Employee number of who acted."),
    ("approver", "string", "Employee number of the second person who approved."),
    ("terminal", "string", "The terminal id."),
    ("action", "string", "What was done."),
    ("entity", "string", "The kind of record acted on."),
    ("entity_id", "string", "The record acted on."),
    ("payload", "string", "The canonical JSON payload (hashed as text)."),
    ("prev_hash", "string", "The previous row's hash."),
    ("hash", "string", "HMAC-SHA-256 of this row under the hall's chain key "
                       "(hallterm.services.audit.row_mac)."),
)

CORE_TABLES = (
    ExportTable(
        name="business_day",
        query="SELECT d.day, d.state, d.opened_at, o.empno, d.closed_at, c.empno "
              "FROM business_day d JOIN staff o ON o.id = d.opened_by "
              "LEFT JOIN staff c ON c.id = d.closed_by WHERE d.day = :day AND d.day > :after "
              "ORDER BY d.day LIMIT :limit",
        fields=(("business_day", "date", "The business day."),
                ("state", "string", "Always closed in an export."),
                ("opened_at", "datetime", "When the hall manager opened the day (UTC)."),
                ("opened_by", "string", "Who opened it (employee number)."),
                ("closed_at", "datetime", "When it was closed (UTC)."),
                ("closed_by", "string", "Who closed it (employee number).")),
        primary_key=("business_day",), key_column="business_day",
        description="The business day (营业日).", order=0),
    ExportTable(
        name="day_close",
        query="SELECT business_day, z_number, closed_at, closed_by_empno, forced, reason, "
              "blockers_json, first_receipt, last_receipt, receipt_count, totals_json, "
              "grand_totals_json, audit_first_seq, audit_head_seq, audit_head_hash, "
              "prev_audit_head_hash, generator, report_json FROM day_close "
              "WHERE business_day = :day AND business_day > :after LIMIT :limit",
        fields=(("business_day", "date", "The closed business day."),
                ("z_number", "integer", "The closing number (Z counter): only ever grows."),
                ("closed_at", "datetime", "When the day was closed (UTC)."),
                ("closed_by", "string", "Who closed it (employee number)."),
                ("forced", "boolean", "Closed by the hall manager despite blockers."),
                ("reason", "string", "Why a forced close was forced."),
                ("blockers_json", "string", "JSON list of the blockers at closing."),
                ("first_receipt", "string", "The day's first receipt number."),
                ("last_receipt", "string", "The day's last receipt number."),
                ("receipt_count", "integer", "How many receipts the day issued."),
                ("totals_json", "string", "JSON object: the day's totals (fen, counts)."),
                ("grand_totals_json", "string", "JSON object: perpetual totals since day one."),
                ("audit_first_seq", "integer", "First audit row of this closing."),
                ("audit_head_seq", "integer", "Last audit row of this closing (the head)."),
                ("audit_head_hash", "string", "The audit chain head hash at closing."),
                ("prev_audit_head_hash", "string", "The previous closing's head hash."),
                ("generator", "string", "The HallTerm version that closed the day."),
                ("report_json", "string", "The day report (Z report) as JSON.")),
        primary_key=("business_day",), key_column="business_day",
        foreign_keys=({"fields": ["business_day"],
                       "reference": {"resource": "business_day", "fields": ["business_day"]}},),
        description="The closing record (日结记录, Z report).", order=1),
    ExportTable(
        name="audit_log",
        query="SELECT a.seq, a.at, a.business_day, a.actor, a.approver, a.terminal, a.action, "
              "a.entity, a.entity_id, a.payload, a.prev_hash, a.hash FROM audit_log a, "
              "day_close z WHERE z.business_day = :day AND a.seq >= z.audit_first_seq "
              "AND a.seq <= z.audit_head_seq AND a.seq > :after ORDER BY a.seq LIMIT :limit",
        fields=_AUDIT_FIELDS, primary_key=("seq",), key_column="seq",
        description="Every audit row since the previous closing, up to this closing's head: "
                    "the first row's prev_hash is the previous day's head.", order=2),
)


# -- results ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportedDay:
    """One day written (or, in a dry run, to be written)."""

    business_day: date
    z_number: int
    folder: str
    files: tuple[str, ...]
    rows: int


@dataclass(frozen=True)
class ExportResult:
    """What an export run did."""

    days: tuple[ExportedDay, ...]
    skipped: tuple[date, ...]
    removed_temp: tuple[str, ...]
    dry_run: bool


# -- customer data ---------------------------------------------------------------------
def mask_middle(value: str) -> str:
    """Keep the first 3 and last 4 characters, star the rest (``138****1234``)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """Keep a name's first character (``张**``)."""
    return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else "*" * len(value)


def keyed_hash(pepper: bytes, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the hall secret, hex (lets HQ join without the value)."""
    return hmac.new(pepper, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _minimiser(kind: str, mode: CustomerIds, pepper: bytes):
    if kind == "name":
        return mask_name
    if kind in ("id_number", "phone"):
        if mode == "hash":
            return lambda v: keyed_hash(pepper, v)
        return mask_middle
    raise ValueError(f"unknown masked kind {kind!r}")


# -- tables ----------------------------------------------------------------------------
def _check_table(table: ExportTable, core: bool) -> None:
    """Refuse a table the export must never write (a bug in the registering area)."""
    if not _NAME.match(table.name):
        raise ValueError(f"export table name {table.name!r} is not a-z0-9_")
    if not core and table.name in {t.name for t in CORE_TABLES}:
        raise ValueError(f"export table name {table.name!r} is the core's")
    names = [f[0] for f in table.fields]
    for name in names:
        if "pin" in name.split("_"):
            raise ValueError(f"export table {table.name}: never export a PIN ({name})")
    if table.key_column not in names:
        raise ValueError(f"export table {table.name}: key column {table.key_column} not a field")
    for column in table.masked:
        if column not in names:
            raise ValueError(f"export table {table.name}: masked column {column} not a field")


def tables() -> list[tuple[ExportTable, bool]]:
    """The core's tables, then every registered one (with ``True`` for the core's)."""
    out = [(t, True) for t in CORE_TABLES] + [(t, False) for t in dayparts.exports()]
    for table, core in out:
        _check_table(table, core)
    return out


def _out_fields(table: ExportTable) -> list[tuple[str, str, str]]:
    own = [f for f in table.fields if f[0] not in ("business_day", "z_number")]
    return [*CORE_FIELDS, *own]


def _rows(ctx: Ctx, table: ExportTable, day: date, chunk: int) -> Iterator[list[tuple]]:
    """The table's rows of ``day``, a chunk per short read transaction (keyset paging)."""
    key = [f[0] for f in table.fields].index(table.key_column)
    after: Any = FIRST_KEY
    while True:
        with ctx.store.read() as session:
            rows = execute(session, table.query,
                           {"day": day.isoformat(), "after": after, "limit": chunk}).all()
        if not rows:
            return
        yield [tuple(r) for r in rows]
        if len(rows) < chunk:
            return
        after = rows[-1][key]


class _Sink:
    """A file being written, with its SHA-256, byte count and row count."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.sha = hashlib.sha256()
        self.bytes = 0
        self.rows = 0

    def write(self, data: bytes, rows: int) -> None:
        self.fh.write(data)
        self.sha.update(data)
        self.bytes += len(data)
        self.rows += rows

    def close(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()


def _json_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "boolean":
        return bool(value)
    return value


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _write_table(ctx: Ctx, folder: Path, table: ExportTable, day: date, z: int,
                 mode: CustomerIds, chunk: int, in_package: set[str]) -> list[dict]:
    """Write one table as CSV and JSON Lines; returns its two resource descriptors."""
    fields = _out_fields(table)
    names = [f[0] for f in fields]
    kinds = [f[1] for f in fields]
    source = {f[0]: i for i, f in enumerate(table.fields)}
    minimise = {name: _minimiser(kind, mode, ctx.pepper) for name, kind in table.masked.items()}
    csv_sink, jsonl_sink = _Sink(folder / f"{table.name}.csv"), _Sink(folder / f"{table.name}.jsonl")
    try:
        buf = io.StringIO()
        csv.writer(buf).writerow(names)
        csv_sink.write(buf.getvalue().encode("utf-8"), 0)
        for rows in _rows(ctx, table, day, chunk):
            buf = io.StringIO()
            writer = csv.writer(buf)
            lines = []
            for row in rows:
                values: list[Any] = [day.isoformat(), z]
                for name, kind in zip(names[2:], kinds[2:], strict=True):
                    value = row[source[name]]
                    if value is not None and name in minimise:
                        value = minimise[name](str(value))
                    values.append(_json_value(value, kind))
                writer.writerow([_csv_text(v) for v in values])
                lines.append(json.dumps(dict(zip(names, values, strict=True)),
                                        ensure_ascii=False, separators=(",", ":")))
            csv_sink.write(buf.getvalue().encode("utf-8"), len(rows))
            jsonl_sink.write(("\n".join(lines) + "\n").encode("utf-8"), len(rows))
    finally:
        csv_sink.close()
        jsonl_sink.close()
    schema: dict[str, Any] = {
        "fields": [{"name": n, "type": k, "description": d} for n, k, d in fields]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    out = []
    pairs = [(csv_sink, "csv", "text/csv", "")]
    if jsonl_sink.rows:
        pairs.append((jsonl_sink, "jsonl", "application/jsonl", "_jsonl"))
    else:
        # An empty JSON Lines file cannot say its columns (Frictionless cannot read
        # one either): a table without rows that day is its CSV header alone.
        jsonl_sink.path.unlink()
    for sink, fmt, media, suffix in pairs:
        fks = _foreign_keys(table, suffix, in_package)
        resource = {
            "name": f"{table.name}{suffix}",
            "path": sink.path.name,
            "profile": "tabular-data-resource",
            "format": fmt,
            "mediatype": media,
            "encoding": "utf-8",
            "description": table.description,
            "schema": {**schema, **({"foreignKeys": fks} if fks else {})},
            "bytes": sink.bytes,
            "hash": f"sha256:{sink.sha.hexdigest()}",
            "rows": sink.rows,
        }
        out.append(resource)
    return out


def _foreign_keys(table: ExportTable, suffix: str, in_package: set[str]) -> list[dict]:
    """The table's foreign keys to tables in the same package (others cannot be checked)."""
    out = []
    for fk in table.foreign_keys:
        ref = fk.get("reference", {})
        target = ref.get("resource", "")
        if target and target not in in_package:
            continue
        out.append({"fields": list(fk["fields"]),
                    "reference": {"resource": f"{target}{suffix}" if target else "",
                                  "fields": list(ref.get("fields", []))}})
    return out


# -- the export run --------------------------------------------------------------------
@dataclass(frozen=True)
class _Closed:
    business_day: date
    z_number: int
    first_seq: int
    head_seq: int
    head_hash: str
    prev_hash: str


def _closed_days(ctx: Ctx) -> list[_Closed]:
    with ctx.store.read() as session:
        rows = execute(session, "SELECT business_day, z_number, audit_first_seq, audit_head_seq, "
                                "audit_head_hash, prev_audit_head_hash FROM day_close "
                                "ORDER BY z_number").all()
    return [_Closed(date.fromisoformat(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]


def _versions(hall_dir: Path) -> dict[date, list[int]]:
    """Day folders already in place: ``2026-11-25`` is version 1, ``2026-11-25.v2`` is 2."""
    out: dict[date, list[int]] = {}
    if not hall_dir.is_dir():
        return out
    for path in hall_dir.iterdir():
        match = _VERSIONED.match(path.name)
        if match and path.is_dir():
            out.setdefault(date.fromisoformat(match.group(1)), []).append(
                int(match.group(2) or 1))
    return out


def _lock(to: Path):
    fh = open(to / LOCK_NAME, "a+")  # noqa: SIM115 - held for the run, closed by the caller
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise StoreUnavailable(_("Another export into {dir} is running; try again later.")
                               .format(dir=to)) from None
    return fh


def export_days(ctx: Ctx, *, to: Path, business_day: date | None = None, again: bool = False,
                dry_run: bool = False, customer_ids: CustomerIds = "mask",
                chunk: int = CHUNK_ROWS) -> ExportResult:
    """Write every closed day not yet exported into ``to/<hall>/<day>/`` (see the module doc).

    ``business_day`` exports only that day; with ``again`` it is written once more
    as a new version folder (``<day>.v2``…), never overwriting. ``dry_run`` writes
    and removes nothing and says what a real run would do.
    """
    from hallterm.services.hall import get_hall

    if again and business_day is None:
        raise BadInput(_("--again needs --day: which day to export again."))
    if customer_ids not in ("mask", "hash"):
        raise BadInput(_("Unknown customer id rule: {rule}").format(rule=customer_ids))
    to = Path(to)
    if not to.is_dir():
        if to.exists() or not to.parent.is_dir():
            raise BadInput(_("No such folder: {dir}").format(dir=to))
        if not dry_run:
            to.mkdir()
    hall = get_hall(ctx).code
    hall_dir = to / hall
    signer = _signer(ctx)  # refused here, before anything is written, when unusable
    all_tables = tables()
    lock = None if dry_run else _lock(to)
    try:
        removed = []
        if hall_dir.is_dir():
            for path in sorted(hall_dir.iterdir()):
                if path.name.startswith(TMP_PREFIX):
                    removed.append(path.name)
                    if not dry_run:
                        shutil.rmtree(path)
        closed = _closed_days(ctx)
        previous = {c.z_number: c for c in closed}
        if business_day is not None:
            closed = [c for c in closed if c.business_day == business_day]
            if not closed:
                raise Refused(_("Business day {day} is not closed; only closed days are "
                                "exported.").format(day=business_day.isoformat()))
        versions = _versions(hall_dir)
        done, skipped = [], []
        for day in closed:
            have = versions.get(day.business_day, [])
            if have and not again:
                skipped.append(day.business_day)
                continue
            version = max(have) + 1 if have else 1
            name = day.business_day.isoformat() + (f".v{version}" if version > 1 else "")
            files = tuple(f"{t.name}.{ext}" for t, _core in all_tables for ext in ("csv", "jsonl"))
            if dry_run:
                done.append(ExportedDay(day.business_day, day.z_number, str(hall_dir / name),
                                        (*files, "datapackage.json", SIG_NAME), 0))
                continue
            hall_dir.mkdir(exist_ok=True)
            prev = previous.get(day.z_number - 1)
            rows, written = _write_day(ctx, hall_dir, name, day, prev, version, all_tables,
                                       customer_ids, chunk, hall, signer)
            done.append(ExportedDay(day.business_day, day.z_number, str(hall_dir / name),
                                    written, rows))
        return ExportResult(tuple(done), tuple(skipped), tuple(removed), dry_run)
    finally:
        if lock is not None:
            lock.close()


def _barrier(step: int | str) -> None:
    spec = os.environ.get(BARRIER_ENV)
    if not spec:
        return
    folder, _sep, at = spec.rpartition(":")
    if at != str(step):
        return
    Path(folder, "reached").write_text(str(step))
    while True:  # the test kills this process here
        time.sleep(0.05)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_day(ctx: Ctx, hall_dir: Path, name: str, day: _Closed, prev: _Closed | None,
               version: int, all_tables: list[tuple[ExportTable, bool]], mode: CustomerIds,
               chunk: int, hall: str, signer: Any) -> tuple[int, tuple[str, ...]]:
    """Write one day into a temporary folder and rename it into place: (rows, files)."""
    tmp = hall_dir / f"{TMP_PREFIX}{name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        _barrier(0)
        in_package = {t.name for t, _core in all_tables}
        resources: list[dict] = []
        for step, (table, _core) in enumerate(all_tables, start=1):
            resources += _write_table(ctx, tmp, table, day.business_day, day.z_number, mode,
                                      chunk, in_package)
            _barrier(step)
        descriptor = {
            "profile": "tabular-data-package",
            "name": f"hallterm-{hall.lower()}-{day.business_day.isoformat()}-v{version}",
            "title": f"HallTerm {hall} {day.business_day.isoformat()} (Z {day.z_number})",
            "created": ctx.now().isoformat(timespec="seconds"),
            "hallterm_export_format": FORMAT_VERSION,
            "hall": hall,
            "business_day": day.business_day.isoformat(),
            "z_number": day.z_number,
            "export_version": version,
            "generator": f"hallterm {__version__}",
            "customer_ids": mode,
            "audit_first_seq": day.first_seq,
            "audit_head_seq": day.head_seq,
            "audit_head_hash": day.head_hash,
            "prev_audit_head_hash": day.prev_hash,
            "prev_business_day": prev.business_day.isoformat() if prev else None,
            "hall_public_key": signing.public_text(signing.public_raw(signer)),
            "resources": resources,
        }
        data = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        # The signature covers the descriptor's exact bytes: every field, and through
        # the files' SHA-256 every row.
        signature = {"signed_file": "datapackage.json", "algorithm": "Ed25519",
                     "public_key": descriptor["hall_public_key"],
                     "signature": signing.sign(signer, data)}
        for file_name, content in (("datapackage.json", data), (SIG_NAME, (json.dumps(
                signature, indent=2) + "\n").encode("utf-8"))):
            with open(tmp / file_name, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        _fsync_dir(tmp)
        _barrier("final")
        os.rename(tmp, hall_dir / name)  # atomic: the day appears whole or not at all
        _fsync_dir(hall_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return (sum(r["rows"] for r in resources if r["format"] == "csv"),
            (*(r["path"] for r in resources), "datapackage.json", SIG_NAME))


def _signer(ctx: Ctx):
    """The hall's Ed25519 signing key (beside the hall secret)."""
    if ctx.key_file is None:
        raise ConfigError(_("The export needs the hall's signing key: no hall secret file "
                            "is configured."))
    return signing.load_signing_key(signing.signing_key_path(ctx.key_file))


# -- verify (what HQ runs): hallterm.services.export_verify ------------------------------
from hallterm.services.export_verify import VerifyResult, verify  # noqa: E402

__all__ = ["ExportResult", "ExportedDay", "VerifyResult", "export_days", "verify"]
