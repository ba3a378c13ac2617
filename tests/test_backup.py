"""``hallterm backup`` / ``backup verify`` / ``restore``: online, checked, refused where it
would destroy, and a restored store that verifies (both engines)."""

from __future__ import annotations

import multiprocessing
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import pgtest, sales_workers
from tests.conftest import T0
from tests.sales_fixtures import stock_hall

PASS = "correct-horse-battery"


def _cli(*args: str, env: dict[str, str] | None = None):
    from hallterm.cli.main import app

    return CliRunner().invoke(app, list(args), env=env or {}, catch_exceptions=False)


def _target(tmp_path: Path, name: str) -> str:
    """An empty store to restore into: a new SQLite path, or a new PostgreSQL database."""
    return pgtest.create() if pgtest.SERVER else str(tmp_path / name)


def _store_args(hall) -> list[str]:
    return ["--store", str(hall.path)]


def _verified(location: str, key_file: Path) -> tuple[int, str]:
    """Audit verify and stock verify on a restored store; its audit head."""
    from hallterm.bootstrap import open_ctx
    from hallterm.services import audit, stock
    from hallterm.settings import load_settings

    settings, _cfg = load_settings(None, store=location, key_file=key_file, terminal="T-r")
    ctx = open_ctx(settings)
    try:
        chain = audit.verify(ctx)
        assert chain.ok, chain.reason
        report = stock.verify(ctx)
        assert report.ok, report
        return chain.head_seq, chain.head_hash
    finally:
        ctx.store.dispose()


def test_a_backup_taken_while_four_processes_sell_restores_to_a_verified_store(hall, tmp_path):
    from hallterm import backup

    stock_hall(hall)
    hall.ctx.store.dispose()
    mp = multiprocessing.get_context("spawn")
    queue = mp.Queue()
    procs = [mp.Process(target=sales_workers.issue_and_sell,
                        args=(str(hall.path), str(hall.key_file), T0.isoformat(), 40,
                              f"T{i}", queue)) for i in range(4)]
    for p in procs:
        p.start()
    folder = tmp_path / "backups"
    folder.mkdir()
    taken = []
    while any(p.is_alive() for p in procs) or not taken:
        taken.append(backup.take(hall.settings, None, to=folder))
    results = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert [e for *_x, errs in results for e in errs] == []
    heads = [t.manifest.audit_head_seq for t in taken]
    assert heads == sorted(heads)
    middle = taken[len(taken) // 2]  # most likely taken mid-sale
    target = _target(tmp_path, "restored.db")
    restored = backup.restore(middle.path, _settings(target, hall.key_file), None,
                              passphrase=None)
    assert (restored.head_seq, restored.head_hash) == (middle.manifest.audit_head_seq,
                                                       middle.manifest.audit_head_hash)
    assert _verified(target, hall.key_file) == (restored.head_seq, restored.head_hash)


def _settings(location: str, key_file: Path):
    from hallterm.settings import load_settings

    return load_settings(None, store=location, key_file=key_file)[0]


def test_cli_backup_verify_and_restore_print_the_head(hall, tmp_path):
    out = _cli("backup", "--to", str(tmp_path / "b.hallbackup"), *_store_args(hall),
               env={"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert out.exit_code == 0, out.output
    assert "hallterm.key" in out.output  # told where the secret is, and that it is needed
    checked = _cli("backup", "verify", str(tmp_path / "b.hallbackup"),
                   env={"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert checked.exit_code == 0, checked.output
    # an SQLite copy is opened and its chain recomputed; a dump only when restored
    assert ("recomputed when it is restored" if pgtest.SERVER else "rows intact") \
        in checked.output
    target = _target(tmp_path, "r.db")
    done = _cli("restore", str(tmp_path / "b.hallbackup"), "--store", target,
                env={"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert done.exit_code == 0, done.output
    from hallterm.services import audit

    head = audit.verify(hall.manager)
    assert f"head {head.head_seq} {head.head_hash}" in done.output


def test_restore_refuses_a_store_that_is_not_empty_without_force(hall, tmp_path):
    from hallterm import backup
    from hallterm.errors import Refused

    taken = backup.take(hall.settings, None, to=tmp_path)
    with pytest.raises(Refused, match="not empty"):
        backup.restore(taken.path, hall.settings, None, passphrase=None)
    out = _cli("restore", str(taken.path), "--store", str(hall.path),
               env={"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert out.exit_code == 3
    assert "not empty" in out.output


def test_force_replaces_a_store_with_the_backup(hall, tmp_path):
    from hallterm import backup
    from hallterm.services import audit
    from hallterm.services.staff import add_staff

    taken = backup.take(hall.settings, None, to=tmp_path)
    add_staff(hall.manager, empno="8100", name="Late", roles=["sales"], pin="135790")
    assert audit.verify(hall.manager).head_seq > taken.manifest.audit_head_seq
    hall.ctx.store.dispose()
    restored = backup.restore(taken.path, hall.settings, None, passphrase=None, force=True)
    assert restored.head_seq == taken.manifest.audit_head_seq
    assert _verified(str(hall.path), hall.key_file)[0] == taken.manifest.audit_head_seq


def test_restore_without_the_hall_secret_names_the_key_it_needs(hall, tmp_path):
    from hallterm import backup
    from hallterm.errors import Refused

    taken = backup.take(hall.settings, None, to=tmp_path)
    target = _target(tmp_path, "r.db")
    with pytest.raises(Refused, match=taken.manifest.key_fingerprint):
        backup.restore(taken.path, _settings(target, tmp_path / "none" / "hallterm.key"),
                       None, passphrase=None)


@pytest.mark.sqlite_only  # the keys land beside an SQLite store's file
def test_with_keys_the_backup_is_sealed_and_restores_with_its_keys(hall, tmp_path):
    from hallterm import backup
    from hallterm.errors import BadInput, CheckFailed

    with pytest.raises(BadInput, match="passphrase"):
        backup.take(hall.settings, None, to=tmp_path, with_keys=True)
    with pytest.raises(BadInput, match="12"):
        backup.take(hall.settings, None, to=tmp_path, with_keys=True, passphrase="short")
    taken = backup.take(hall.settings, None, to=tmp_path, with_keys=True, passphrase=PASS)
    raw = taken.path.read_bytes()
    assert hall.key_file.read_text().strip().encode() not in raw
    assert b"manifest" not in raw  # the tar itself is sealed, not just the keys
    with pytest.raises(BadInput, match="passphrase"):
        backup.verify(taken.path, passphrase=None, key_file=None)
    with pytest.raises(CheckFailed, match="passphrase"):
        backup.verify(taken.path, passphrase="wrong-but-long-enough", key_file=None)
    checked = backup.verify(taken.path, passphrase=PASS, key_file=None)
    assert checked.chain_rows == taken.manifest.audit_head_seq
    fresh = tmp_path / "elsewhere"
    fresh.mkdir()
    restored = backup.restore(taken.path, _beside(fresh), None, passphrase=PASS)
    assert restored.key_written and (fresh / "hallterm.key").stat().st_mode & 0o777 == 0o600
    assert (fresh / "hallterm.key").read_bytes() == hall.key_file.read_bytes()
    assert (fresh / "hallterm-signing.key").exists()


def _beside(folder: Path):
    """Settings for a store in ``folder`` whose key is looked for beside it (no setting)."""
    from hallterm.settings import load_settings

    return load_settings(None, store=str(folder / "hall.db"))[0]


@pytest.mark.sqlite_only
def test_verify_catches_an_edited_store_member_and_an_edited_manifest(hall, tmp_path):
    import json

    from hallterm import backup
    from hallterm.errors import CheckFailed

    taken = backup.take(hall.settings, None, to=tmp_path)
    unpacked = tmp_path / "x"
    with tarfile.open(taken.path) as tar:
        tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / "manifest.json").read_text())

    def repack(name: str) -> Path:
        out = tmp_path / name
        with tarfile.open(out, "w:gz") as tar:
            for member in ("manifest.json", "store.sqlite"):
                tar.add(unpacked / member, arcname=member)
        return out

    with (unpacked / "store.sqlite").open("r+b") as f:  # one byte of the store changed
        f.seek(5000)
        byte = f.read(1)
        f.seek(5000)
        f.write(bytes([byte[0] ^ 1]))
    with pytest.raises(CheckFailed, match="SHA-256"):
        backup.verify(repack("a.hallbackup"), passphrase=None, key_file=hall.key_file)
    # ...and the manifest's digest "fixed" to match: its MAC gives it away
    from hallterm.backup.archive import digest

    manifest["sha256"]["store.sqlite"] = digest(unpacked / "store.sqlite")
    (unpacked / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CheckFailed, match="changed after"):
        backup.verify(repack("b.hallbackup"), passphrase=None, key_file=hall.key_file)
    out = _cli("backup", "verify", str(tmp_path / "b.hallbackup"),
               env={"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert out.exit_code == 1 and len(out.output.strip().splitlines()) == 1


@pytest.mark.sqlite_only
def test_keep_prunes_this_halls_oldest_backups_in_the_folder(hall, tmp_path):
    from datetime import timedelta

    from hallterm import backup

    other = tmp_path / "notes.txt"
    other.write_text("not a backup")
    made = [backup.take(hall.settings, None, to=tmp_path, keep=2,
                        now=T0 + timedelta(days=i)).path for i in range(4)]
    assert sorted(p for p in tmp_path.iterdir() if p.suffix == ".hallbackup") == made[2:]
    assert other.exists()
    out = _cli("backup", "--to", str(tmp_path / "f.hallbackup"), "--keep", "2",
               *_store_args(hall), env={"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert out.exit_code == 2 and "--keep" in out.output


def test_bad_options_are_one_line_and_exit_2(hall, tmp_path):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file)}
    store = _store_args(hall)
    for args in (["backup", *store], ["backup", "--to", str(tmp_path / "no" / "b"), *store],
                 ["backup", "verify", str(tmp_path / "missing")],
                 ["restore", str(tmp_path / "missing"), "--store", str(tmp_path / "r.db")]):
        out = _cli(*args, env=env)
        assert out.exit_code == 2, (args, out.output)
        assert len(out.output.strip().splitlines()) == 1, out.output
    junk = tmp_path / "junk.hallbackup"
    junk.write_bytes(b"not a tar at all")
    out = _cli("backup", "verify", str(junk), env=env)
    assert out.exit_code == 2 and "Not a readable HallTerm backup" in out.output


@pytest.mark.sqlite_only  # the secret beside the store's file
def test_verify_finds_the_secret_beside_the_store_as_the_backup_did(hall, tmp_path):
    """Another hall's key beside the configuration does not hide the store's own."""
    from hallterm import paths, security
    from hallterm.backup import take

    taken = take(hall.settings, None, to=tmp_path)
    config_dir = paths.config_dir()
    config_dir.mkdir(parents=True, exist_ok=True)
    if not (config_dir / "hallterm.key").exists():
        security.create_key_file(config_dir / "hallterm.key")  # someone else's hall
    out = _cli("backup", "verify", str(taken.path), env={"HALLTERM_STORE": str(hall.path)})
    assert out.exit_code == 0, out.output
    assert "rows intact" in out.output
