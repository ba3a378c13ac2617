"""``hallterm backup`` (take one online, ``backup verify``) and ``hallterm restore``.

Exit codes: 0 done; 1 a backup that does not check out (damaged, edited, wrong
passphrase, broken chain); 2 a bad option or file; 3 refused (a non-empty target, a
file that exists, a key that is not the store's).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from hallterm.cli.common import (
    JSON_OPTION,
    STORE_OPTION,
    fail,
    handle_errors,
    options,
    print_json,
)
from hallterm.i18n import _

PASSPHRASE_ENV = "HALLTERM_BACKUP_PASSPHRASE"

app = typer.Typer(help=_("Back up the store online (while terminals work); verify a backup."))

PASSPHRASE_FILE = typer.Option(None, "--passphrase-file", metavar="FILE", help=_(
    "Read the passphrase of a sealed backup from this file (else HALLTERM_BACKUP_PASSPHRASE, "
    "else a prompt)."))


def _passphrase(file: Path | None, *, needed: bool, confirm: bool = False) -> str | None:
    """The passphrase from --passphrase-file, the environment, or a hidden prompt."""
    from hallterm.errors import BadInput

    if file is not None:
        try:
            # A FIFO or a device would block the command (or feed it without end).
            if not file.is_file() or file.stat().st_size > 4096:
                raise BadInput(_("The passphrase file must be a small regular file: "
                                 "{path}").format(path=file))
            return file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(_("Cannot read the passphrase file {path}: {reason}").format(
                path=file, reason=getattr(exc, "strerror", None) or exc)) from None
    value = os.environ.get(PASSPHRASE_ENV)
    if value is not None or not needed:
        return value
    if not sys.stdin.isatty():
        raise BadInput(_("No passphrase: set {env} or give --passphrase-file.").format(
            env=PASSPHRASE_ENV))
    return str(typer.prompt(_("Backup passphrase"), hide_input=True,
                            confirmation_prompt=confirm))


@app.callback(invoke_without_command=True)
@handle_errors
def backup_cmd(
    ctx: typer.Context,
    to: Path | None = typer.Option(None, "--to", metavar="FILE|DIR", help=_(
        "The backup file, or a folder to write hallterm-<hall>-<UTC time>.hallbackup in.")),
    with_keys: bool = typer.Option(False, "--with-keys", help=_(
        "Put the hall secret and the signing key inside, and seal the whole file with a "
        "passphrase.")),
    keep: int | None = typer.Option(None, "--keep", min=1, metavar="N", help=_(
        "With --to DIR: keep only this hall's N newest backups there.")),
    passphrase_file: Path | None = PASSPHRASE_FILE,
    json_: bool = JSON_OPTION,
    store: str | None = STORE_OPTION,
) -> None:
    """Take a consistent online backup with a manifest (hall, time, audit head, schema,
    SHA-256); terminals go on working meanwhile."""
    if ctx.invoked_subcommand is not None:
        return
    from hallterm import backup
    from hallterm.errors import BadInput

    if to is None:
        raise BadInput(_("Give where to write it: hallterm backup --to FILE|DIR"))
    opts = options(ctx)
    settings = opts.settings(store=store) if store is not None else opts.settings()
    passphrase = _passphrase(passphrase_file, needed=with_keys, confirm=True) if with_keys \
        else None
    try:
        taken = backup.take(settings, opts.config_file, to=to, with_keys=with_keys,
                            passphrase=passphrase, keep=keep)
    except OSError as exc:
        raise fail(_("Backup failed: {error} ({path})").format(
            error=exc.strerror or exc, path=exc.filename or to), 1) from None
    if json_:
        print_json(taken)
        return
    m = taken.manifest
    typer.echo(_("Backed up {hall} to {path} ({size} bytes): audit head {seq} {hash}, "
                 "SHA-256 {sha}").format(hall=m.hall, path=taken.path, size=taken.size,
                                         seq=m.audit_head_seq, hash=m.audit_head_hash[:16],
                                         sha=m.sha256[m.payload][:16]))
    for path in taken.pruned:
        typer.echo(_("Removed an older backup: {path}").format(path=path))
    if with_keys:
        typer.echo(_("The hall's keys are inside, sealed with the passphrase: without it the "
                     "backup cannot be opened."))
    else:
        typer.echo(_("The backup does not hold the hall secret; it cannot be read without "
                     "{key} (and hallterm-signing.key beside it): keep a copy of them apart "
                     "from the backups.").format(key=taken.key_file))


@app.command("verify")
@handle_errors
def verify_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help=_("The backup file.")),
    passphrase_file: Path | None = PASSPHRASE_FILE,
    json_: bool = JSON_OPTION,
) -> None:
    """Check a backup without restoring it: members, SHA-256, the store copy, and with the
    hall secret the manifest's signature and the whole audit chain (exit 0 or 1)."""
    from hallterm import backup
    from hallterm.backup import sealed

    opts = options(ctx)
    needed = file.is_file() and sealed.is_sealed(file)
    from hallterm.backup.restoring import key_candidates

    checked = backup.verify(file, passphrase=_passphrase(passphrase_file, needed=needed),
                            key_file=key_candidates(opts.settings(), opts.config_file))
    if json_:
        print_json(checked)
        return
    m = checked.manifest
    typer.echo(_("Backup of {hall} taken {at} ({engine}): intact, audit head {seq} "
                 "{hash}.").format(hall=m.hall, at=m.taken_at, engine=m.engine,
                                   seq=m.audit_head_seq, hash=m.audit_head_hash[:16]))
    if checked.chain_rows is not None:
        typer.echo(_("Audit chain recomputed with the hall secret: {rows} rows intact.").format(
            rows=checked.chain_rows))
    elif m.engine == "sqlite":
        typer.echo(_("The audit chain was not recomputed: the hall secret of fingerprint {fp} "
                     "is not at hand.").format(fp=m.key_fingerprint))
    else:
        typer.echo(_("A PostgreSQL dump: its audit chain is recomputed when it is restored."))


@handle_errors
def restore_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help=_("The backup file.")),
    store: str = typer.Option(..., "--store", metavar="PATH|URL", help=_(
        "The store to restore into: an SQLite file or an empty PostgreSQL database.")),
    force: bool = typer.Option(False, "--force", help=_(
        "Replace a store that is not empty (stop every terminal first).")),
    passphrase_file: Path | None = PASSPHRASE_FILE,
    json_: bool = JSON_OPTION,
) -> None:
    """Restore a backup onto an empty store (or --force): the manifest and the audit chain
    are verified, and the head is printed."""
    from hallterm import backup
    from hallterm.backup import sealed
    from hallterm.errors import BadInput
    from hallterm.settings import check_store_url, is_store_url

    if is_store_url(store):
        try:
            check_store_url(store)
        except ValueError as exc:
            raise BadInput(_("option {option}: {reason}").format(option="--store",
                                                                 reason=exc)) from None
    opts = options(ctx)
    target = opts.settings(store=store)
    if target.store_path is not None and not target.store_path.parent.is_dir():
        raise BadInput(_("The folder for the store does not exist: {path}").format(
            path=target.store_path.parent))
    needed = file.is_file() and sealed.is_sealed(file)
    restored = backup.restore(file, target, opts.config_file, force=force,
                              passphrase=_passphrase(passphrase_file, needed=needed))
    if json_:
        print_json(restored)
        return
    typer.echo(_("Restored {hall} into {store}: audit chain intact, {rows} rows, head {seq} "
                 "{hash}").format(hall=restored.manifest.hall, store=restored.store,
                                  rows=restored.chain_rows, seq=restored.head_seq,
                                  hash=restored.head_hash))
    if restored.key_written:
        typer.echo(_("The hall's keys from the backup were written to {path}.").format(
            path=restored.key_file))
