"""Backups of the hall's store: taken online while terminals write, checked without
restoring, restored only onto an empty target (or with ``--force``), chain verified.

A backup is useless without the hall secret (PINs and the audit chain are keyed with it,
customer identity numbers are encrypted under it): either it travels inside the backup
(``--with-keys``, then the whole file is sealed with a passphrase) or the operator is
told where it is and keeps it apart.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hallterm import signing
from hallterm.backup import archive, engines
from hallterm.backup.archive import SUFFIX, Manifest
from hallterm.backup.restoring import restore, verify
from hallterm.backup.sealed import check_passphrase
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _
from hallterm.settings import Settings

__all__ = ["SUFFIX", "BackupChecked", "BackupTaken", "Manifest", "Restored", "check_passphrase",
           "restore", "take", "verify"]


@dataclass(frozen=True)
class BackupTaken:
    path: Path
    manifest: Manifest
    size: int
    key_file: Path  # where the hall secret is (inside the backup too when with_keys)
    pruned: tuple[Path, ...] = ()


@dataclass(frozen=True)
class BackupChecked:
    path: Path
    manifest: Manifest
    manifest_signed: bool | None  # None: no hall secret at hand to check it with
    chain_rows: int | None  # None: not checked (no key, or a PostgreSQL dump)


@dataclass(frozen=True)
class Restored:
    store: str
    manifest: Manifest
    chain_rows: int
    head_seq: int
    head_hash: str
    key_file: Path
    key_written: bool


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def _pepper_and_key(settings: Settings, config_file: Path | None) -> tuple[bytes, Path]:
    from hallterm.bootstrap import open_ctx

    ctx = open_ctx(settings, config_file)  # the store's own secret, checked against it
    assert ctx.key_file is not None
    return ctx.pepper, ctx.key_file


def _target(to: Path, hall: str, at: datetime) -> Path:
    return to / f"hallterm-{hall}-{_stamp(at)}{SUFFIX}" if to.is_dir() else to


def prune(folder: Path, hall: str, keep: int) -> tuple[Path, ...]:
    """Remove this hall's oldest backups in ``folder`` beyond the newest ``keep``."""
    pattern = re.compile(rf"hallterm-{re.escape(hall)}-\d{{8}}T\d{{6}}\.\d{{6}}Z{re.escape(SUFFIX)}")
    mine = sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name) and p.is_file())
    gone = tuple(mine[:-keep]) if keep < len(mine) else ()
    for path in gone:
        path.unlink()
    return gone


def take(settings: Settings, config_file: Path | None, *, to: Path, with_keys: bool = False,
         passphrase: str | None = None, keep: int | None = None,
         now: datetime | None = None) -> BackupTaken:
    """Back up the configured store to ``to`` (a file, or a folder to name it in)."""
    if keep is not None and (keep < 1 or not to.is_dir()):
        raise BadInput(_("--keep needs --to to be a folder and a count of at least 1."))
    if with_keys and passphrase is None:
        raise BadInput(_("--with-keys seals the backup: give a passphrase "
                         "(HALLTERM_BACKUP_PASSPHRASE or --passphrase-file)."))
    if passphrase is not None:
        check_passphrase(passphrase)
    if not to.is_dir() and not to.parent.is_dir():
        raise BadInput(_("The folder for the backup does not exist: {path}").format(
            path=to.parent))
    pepper, key_file = _pepper_and_key(settings, config_file)
    at = now or datetime.now(UTC)
    folder = to if to.is_dir() else to.parent
    with tempfile.TemporaryDirectory(prefix=".hallterm-backup-", dir=folder) as tmp:
        if settings.store_path is not None:
            payload = Path(tmp) / engines.SQLITE_PAYLOAD
            facts = engines.sqlite_snapshot(settings.store_path, payload)
            engine = "sqlite"
        else:
            from hallterm.store.postgres import libpq_url

            payload = Path(tmp) / engines.PG_PAYLOAD
            facts = engines.pg_snapshot(libpq_url(str(settings.store)), payload)
            engine = "postgresql"
        members = {payload.name: payload}
        if with_keys:
            members["hallterm.key"] = key_file
            signing_key = signing.signing_key_path(key_file)
            if signing_key.exists():
                members["hallterm-signing.key"] = signing_key
        target = _target(to, facts.hall, at)
        if target.exists():
            raise Refused(_("{path} exists already; back up to a new file or to a folder "
                            "(with --keep N).").format(path=target))
        manifest = archive.sign(Manifest(
            format=archive.FORMAT, hall=facts.hall, taken_at=at.astimezone(UTC).isoformat(),
            engine=engine, schema=list(facts.schema), audit_head_seq=facts.audit_head_seq,
            audit_head_hash=facts.audit_head_hash, key_fingerprint=facts.key_fingerprint,
            payload=payload.name, with_keys=with_keys,
            sha256={name: archive.digest(path) for name, path in members.items()}), pepper)
        archive.write(target, manifest, members, passphrase=passphrase if with_keys else None)
    pruned = prune(target.parent, facts.hall, keep) if keep is not None else ()
    return BackupTaken(path=target, manifest=manifest, size=target.stat().st_size,
                       key_file=key_file, pruned=pruned)
