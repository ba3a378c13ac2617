"""The nightly export to headquarters: each closed day as CSV and JSON Lines with a Data Package.

``export_days`` writes every closed day not yet exported into
``DIR/<hall>/<YYYY-MM-DD>/``: ``<table>.csv`` and ``<table>.jsonl`` for the core's
tables (``business_day``, ``day_close``, ``audit_log``) and every table the areas
register (``day.register_export``), described by ``datapackage.json`` (a
Frictionless Data Package: per file its schema, byte size, SHA-256 and row count;
plus the hall's own properties), signed with the hall's Ed25519 key in
``datapackage.sig``. A day is written into a temporary folder beside
the final one and renamed into place only when complete, so a reader never sees
half a day; a killed run leaves only a temporary folder, which the next run
removes. The store is read in short read transactions, one per chunk of rows (a
long-held read would let the WAL grow while terminals write). ``verify`` is what
HQ runs (``export.verify``): it checks the signatures, every file, the audit
rows' links and the days' continuity.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from hallterm import __version__, signing
from hallterm.context import Ctx
from hallterm.errors import BadInput, ConfigError, Refused, StoreUnavailable
from hallterm.i18n import _
from hallterm.services.export.customers import CustomerIds
from hallterm.services.export.tables import ExportTable, check_columns, tables
from hallterm.services.export.verifier import SIG_NAME, TMP_PREFIX
from hallterm.services.export.write import write_table
from hallterm.store import execute

if TYPE_CHECKING:  # cryptography loads only when a key is used
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

FORMAT_VERSION = 1
CHUNK_ROWS = 5000
LOCK_NAME = ".hallterm-export.lock"
# The kill test only: "DIR:STEP" makes the export stop at step STEP (0 after the
# temporary folder is made, n after the n-th table, "final" just before the rename):
# it says so by creating DIR/reached, then stops itself (SIGSTOP) for the test to
# kill: a barrier the test waits on with waitpid, no timing.
BARRIER_ENV = "HALLTERM_TEST_EXPORT_BARRIER"
_VERSIONED = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\.v(\d+))?$")


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
    return [_Closed(date.fromisoformat(r.business_day), r.z_number, r.audit_first_seq,
                    r.audit_head_seq, r.audit_head_hash, r.prev_audit_head_hash) for r in rows]


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


def _lock(to: Path) -> IO[str]:
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
    with ctx.store.read() as session:  # a table that lost a column fails before any file
        for table, _core in all_tables:
            check_columns(session, table)
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
    while True:  # the test, waiting with waitpid(WUNTRACED), kills this process here
        os.kill(os.getpid(), signal.SIGSTOP)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_day(ctx: Ctx, hall_dir: Path, name: str, day: _Closed, prev: _Closed | None,
               version: int, all_tables: list[tuple[ExportTable, bool]], mode: CustomerIds,
               chunk: int, hall: str, signer: Ed25519PrivateKey) -> tuple[int, tuple[str, ...]]:
    """Write one day into a temporary folder and rename it into place: (rows, files)."""
    tmp = hall_dir / f"{TMP_PREFIX}{name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        _barrier(0)
        in_package = {t.name for t, _core in all_tables}
        resources: list[dict[str, Any]] = []
        for step, (table, _core) in enumerate(all_tables, start=1):
            resources += write_table(ctx, tmp, table, day.business_day, day.z_number, mode,
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


def _signer(ctx: Ctx) -> Ed25519PrivateKey:
    """The hall's Ed25519 signing key (beside the hall secret)."""
    if ctx.key_file is None:
        raise ConfigError(_("The export needs the hall's signing key: no hall secret file "
                            "is configured."))
    return signing.load_signing_key(signing.signing_key_path(ctx.key_file))
