"""Checking a backup without restoring it, and restoring it onto an empty store."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm import security
from hallterm.backup import archive, engines
from hallterm.backup.archive import Manifest
from hallterm.errors import BadInput, CheckFailed, ConfigError, Refused
from hallterm.i18n import _
from hallterm.settings import Settings

if TYPE_CHECKING:
    from hallterm.backup import BackupChecked, Restored
    from hallterm.services.audit import VerifyResult


def _chain(location: str, pepper: bytes) -> VerifyResult:
    """The audit chain of a store, recomputed with the hall secret."""
    from hallterm.clock import SystemClock
    from hallterm.context import Ctx
    from hallterm.services import audit
    from hallterm.store import Store

    store = Store(location)
    try:
        return audit.verify(Ctx(store=store, clock=SystemClock("UTC"), terminal="restore",
                                pepper=pepper))
    finally:
        store.dispose()


def _chain_ok(result: VerifyResult, manifest: Manifest) -> None:
    if not result.ok:
        raise CheckFailed(_("The backup's audit chain is broken at row {seq}: {reason}").format(
            seq=result.broken_seq, reason=result.reason))
    if (result.head_seq, result.head_hash) != (manifest.audit_head_seq, manifest.audit_head_hash):
        raise CheckFailed(_("The backup's audit head is not the one its manifest names."))


def _facts_ok(facts: engines.Facts, manifest: Manifest) -> None:
    found = (facts.hall, list(facts.schema), facts.audit_head_seq, facts.audit_head_hash,
             facts.key_fingerprint)
    named = (manifest.hall, manifest.schema, manifest.audit_head_seq, manifest.audit_head_hash,
             manifest.key_fingerprint)
    if found != named:
        raise CheckFailed(_("The backup's store is not the one its manifest describes."))


def _key_in(folder: Path, manifest: Manifest) -> bytes | None:
    if not manifest.with_keys:
        return None
    pepper = security.read_key_file(folder / "hallterm.key")
    if security.fingerprint(pepper) != manifest.key_fingerprint:
        raise CheckFailed(_("The hall secret inside the backup is not the store's."))
    return pepper


def _key_at(path: Path, manifest: Manifest) -> bytes | None:
    try:
        pepper = security.read_key_file(path)
    except ConfigError:
        return None
    return pepper if security.fingerprint(pepper) == manifest.key_fingerprint else None


def _signed(manifest: Manifest, pepper: bytes | None) -> bool | None:
    if pepper is None:
        return None
    if not archive.mac_ok(manifest, pepper):
        raise CheckFailed(_("The backup's manifest was changed after the backup was taken."))
    return True


def key_candidates(settings: Settings, config_file: Path | None) -> list[Path]:
    """Where a hall secret may be: the setting alone when given, else beside the
    configuration and beside the store (the order ``open_ctx`` looks in)."""
    if settings.key_file is not None:
        return [settings.key_file]
    found = [settings.resolved_key_file(config_file), settings.store_folder / "hallterm.key"]
    return list(dict.fromkeys(found))


def verify(path: Path, *, passphrase: str | None,
           key_file: Path | list[Path] | None) -> BackupChecked:
    """Check a backup as it lies: members, manifest, the store copy, and (with the hall
    secret, inside it or in one of ``key_file``) the manifest's MAC and the whole chain."""
    from hallterm.backup import BackupChecked

    files = [key_file] if isinstance(key_file, Path) else list(key_file or [])
    with archive.opened(path, passphrase) as (manifest, folder):
        pepper = _key_in(folder, manifest)
        for candidate in files:
            if pepper is None:
                pepper = _key_at(candidate, manifest)
        signed = _signed(manifest, pepper)
        rows = None
        copy = folder / manifest.payload
        if manifest.engine == "sqlite":
            _facts_ok(engines.sqlite_check(copy), manifest)
            if pepper is not None:
                result = _chain(str(copy), pepper)
                _chain_ok(result, manifest)
                rows = result.rows
        else:
            engines.pg_check(copy)
    return BackupChecked(path=path, manifest=manifest, manifest_signed=signed, chain_rows=rows)


def _find_key(folder: Path, manifest: Manifest, target: Settings,
               config_file: Path | None, *, force: bool) -> tuple[bytes, Path, bool]:
    """The hall secret to read the restored store with: one already there (the setting,
    beside the configuration or beside the store), else the backup's, to be written beside
    the store (or where the setting says). Returns it, its file, and whether to write it."""
    candidates = key_candidates(target, config_file)
    for path in candidates:
        present = _key_at(path, manifest)
        if present is not None:
            return present, path, False
    inside = _key_in(folder, manifest)
    key_file = target.key_file or target.store_folder / "hallterm.key"
    if inside is None:
        raise Refused(_("This backup is read with the hall secret of fingerprint {fp}, which "
                        "is not at {path} (the backup does not hold it): put the hall's key "
                        "file there first.").format(fp=manifest.key_fingerprint,
                                                   path=_(" or ").join(map(str, candidates))))
    if key_file.exists() and not force:
        raise Refused(_("{path} holds another hall secret; move it away or restore with "
                        "--force.").format(path=key_file))
    return inside, key_file, True


def _write_keys(folder: Path, key_file: Path) -> None:
    """The backup's keys written where the restored store will find them (mode 0600)."""
    for name in archive.KEY_MEMBERS:
        source = folder / name
        if source.exists():
            dest = key_file if name == "hallterm.key" else key_file.with_name(name)
            staged = dest.with_name(f".{dest.name}.restoring")
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(source.read_bytes())
            staged.replace(dest)


def restore(path: Path, target: Settings, config_file: Path | None, *,
            passphrase: str | None, force: bool = False) -> Restored:
    """Restore a backup onto ``target``'s store: refused onto a non-empty one without
    ``force``; the manifest, the copy and the chain checked before (SQLite) or right after
    (PostgreSQL) it is put in place."""
    from hallterm.backup import Restored
    from hallterm.store.postgres import libpq_url

    on_sqlite = target.store_path is not None
    with archive.opened(path, passphrase) as (manifest, folder):
        if (manifest.engine == "sqlite") != on_sqlite:
            raise BadInput(_("A {engine} backup restores onto a {engine} store (then "
                             "hallterm store copy moves it).").format(engine=manifest.engine))
        store = str(target.store)
        empty = (engines.sqlite_is_empty(target.store_path) if target.store_path is not None
                 else engines.pg_is_empty(libpq_url(store)))
        if not empty and not force:
            raise Refused(_("{store} is not empty; restore onto an empty store, or add "
                            "--force to replace it (stop every terminal first).").format(
                                store=store))
        pepper, key_file, key_written = _find_key(folder, manifest, target, config_file,
                                                   force=force)
        _signed(manifest, pepper)
        copy = folder / manifest.payload
        if target.store_path is not None:
            _facts_ok(engines.sqlite_check(copy), manifest)
            result = _chain(str(copy), pepper)
            _chain_ok(result, manifest)
            engines.sqlite_put(copy, target.store_path)
        else:
            engines.pg_check(copy)
            engines.pg_put(copy, libpq_url(store), clean=not empty)
            result = _chain(store, pepper)
            _chain_ok(result, manifest)
        if key_written:
            _write_keys(folder, key_file)
    return Restored(store=store, manifest=manifest, chain_rows=result.rows,
                    head_seq=result.head_seq, head_hash=result.head_hash, key_file=key_file,
                    key_written=key_written)
