"""Attacks on the exports HQ receives: each edits the folders as a forger would."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hallterm import signing
from hallterm.services import export
from hallterm.services.day import closing


def close(hall, tmp_path) -> None:
    hall.clock.set(hall.clock.now().replace(hour=19, minute=0))
    closing.close_day(hall.manager, reports_dir=tmp_path / "reports")


def next_day(hall) -> None:
    from hallterm.services.day import open_day

    hall.clock.advance(hours=16)
    open_day(hall.manager)


def cli(hall, *args):
    from hallterm.cli.main import app

    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_STORE": str(hall.path)}
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def days(hall, tmp_path):
    """Three closed days exported to tmp/hq; returns (hall, hall folder, [day folders])."""
    for n in range(3):
        if n:
            next_day(hall)
        close(hall, tmp_path)
    out = tmp_path / "hq"
    result = export.export_days(hall.ctx, to=out)
    folders = [Path(d.folder) for d in result.days]
    assert [d.z_number for d in result.days] == [1, 2, 3]
    return hall, folders[0].parent, folders


@pytest.fixture
def pem(days, tmp_path):
    hall = days[0]
    r = cli(hall, "hall", "key")
    assert r.exit_code == 0, r.output
    path = tmp_path / "hall.pub"
    path.write_text(r.stdout)
    return path


def desc_of(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def write_desc(folder: Path, desc: dict) -> None:
    (folder / "datapackage.json").write_text(
        json.dumps(desc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def field_type(desc: dict) -> None:
    res = next(r for r in desc["resources"] if r["name"] == "day_close")
    field = next(f for f in res["schema"]["fields"] if f["name"] == "z_number")
    field["type"] = "string"


EDITS = {
    "z_number": lambda d: d.update(z_number=d["z_number"] + 10),
    "business_day": lambda d: d.update(business_day="2026-11-24"),
    "created": lambda d: d.update(created="2026-11-25T23:59:00+08:00"),
    "field type": field_type,
    "customer_ids": lambda d: d.update(customer_ids="hash"),
    "head hash": lambda d: d.update(audit_head_hash="f" * 64),
    "public key": lambda d: d.update(hall_public_key=signing.public_text(b"\x01" * 32)),
    "description": lambda d: d["resources"][0].update(description="forged"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_any_descriptor_edit_without_re_signing_is_caught(days, pem, edit):
    hall, hall_dir, folders = days
    desc = desc_of(folders[1])
    EDITS[edit](desc)
    write_desc(folders[1], desc)
    for extra in ((), ("--public-key", str(pem))):
        r = cli(hall, "export", "verify", str(hall_dir), *extra)
        assert r.exit_code == 1, (edit, r.output)
        assert "datapackage" in r.stderr


def test_a_consistent_rewrite_of_csv_jsonl_and_descriptor_is_caught(days, pem):
    hall, hall_dir, folders = days
    folder = folders[0]
    desc = desc_of(folder)
    for name in ("audit_log.csv", "audit_log.jsonl"):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(",9001,", ",8888,")
                        .replace('"actor":"9001"', '"actor":"8888"'), encoding="utf-8")
        res = next(r for r in desc["resources"] if r["path"] == name)
        res["bytes"] = path.stat().st_size
        res["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    write_desc(folder, desc)
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 1 and "changed after signing" in r.stderr
    r = cli(hall, "export", "verify", str(hall_dir), "--public-key", str(pem))
    assert r.exit_code == 1 and "changed after signing" in r.stderr


def forge(folder: Path, desc: dict) -> None:
    """Re-sign a descriptor with the forger's own key (and record that key)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    desc["hall_public_key"] = signing.public_text(signing.public_raw(key))
    write_desc(folder, desc)
    data = (folder / "datapackage.json").read_bytes()
    (folder / "datapackage.sig").write_text(json.dumps({
        "public_key": desc["hall_public_key"],
        "signature": base64.b64encode(key.sign(data)).decode()}))


def test_a_package_re_signed_with_another_key_is_caught(days, pem):
    hall, hall_dir, folders = days
    desc = desc_of(folders[2])
    desc["created"] = "2026-11-28T09:00:00+08:00"
    forge(folders[2], desc)
    r = cli(hall, "export", "verify", str(hall_dir), "--public-key", str(pem))
    assert r.exit_code == 1 and "not by the hall's pinned key" in r.stderr
    # unpinned: the other days' key gives it away
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 1 and "different keys" in r.stderr
    # a single day re-signed entirely passes only unpinned, and says so
    r = cli(hall, "export", "verify", str(folders[2]))
    assert r.exit_code == 0 and "not pinned" in r.stdout
    r = cli(hall, "export", "verify", str(folders[2]), "--public-key", str(pem))
    assert r.exit_code == 1


def test_pinned_and_unpinned_verification(days, pem):
    hall, hall_dir, _folders = days
    assert pem.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    r = cli(hall, "export", "verify", str(hall_dir), "--public-key", str(pem))
    assert r.exit_code == 0 and "Export intact: 3 day(s)" in r.stdout
    assert "not pinned" not in r.stdout
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 0 and "not pinned" in r.stdout
    r = cli(hall, "hall", "key", "--json")
    fp = json.loads(r.stdout)["fingerprint"]
    assert fp in cli(hall, "export", "verify", str(hall_dir)).stdout
    # the printed key and the recorded one are the same key
    assert signing.parse_public(pem.read_text()) == signing.parse_public(
        json.loads(r.stdout)["public_key"])


def test_an_unsigned_package_is_caught(days):
    hall, hall_dir, folders = days
    (folders[0] / "datapackage.sig").unlink()
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 1 and "not signed" in r.stderr


def test_a_bad_public_key_file_is_bad_input(days, tmp_path):
    hall, hall_dir, _folders = days
    bad = tmp_path / "bad.pub"
    bad.write_text("hello")
    r = cli(hall, "export", "verify", str(hall_dir), "--public-key", str(bad))
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1


def test_a_missing_middle_day_is_caught(days):
    hall, hall_dir, folders = days
    shutil.rmtree(folders[1])
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 1 and "Z 2 is missing" in r.stderr


def test_a_duplicated_day_folder_is_caught(days):
    hall, hall_dir, folders = days
    shutil.copytree(folders[1], hall_dir / (folders[1].name + ".v2"))
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 1 and "renamed, copied or swapped" in r.stderr
    shutil.rmtree(hall_dir / (folders[1].name + ".v2"))
    shutil.copytree(folders[1], hall_dir.parent / "copy" / folders[1].name)
    r = cli(hall, "export", "verify", str(hall_dir.parent))
    assert r.exit_code == 1 and "here twice" in r.stderr


def test_swapped_day_folders_are_caught(days):
    hall, hall_dir, folders = days
    a, b = folders[0], folders[1]
    a.rename(hall_dir / "swap")
    b.rename(a)
    (hall_dir / "swap").rename(b)
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 1 and "renamed, copied or swapped" in r.stderr


def test_a_day_that_does_not_chain_onto_the_day_before_is_caught(days):
    """Day 3 replaced by day 3 of another history (signed by the hall, but not the next day)."""
    hall, hall_dir, folders = days
    shutil.rmtree(folders[1])
    shutil.copytree(folders[0], folders[1])
    desc = desc_of(folders[1])
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 1 and desc["business_day"] in r.stderr


def test_a_jsonl_edit_names_the_jsonl_file(days):
    hall, hall_dir, folders = days
    path = folders[0] / "audit_log.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace('"actor":"9001"', '"actor":"9002"'),
                    encoding="utf-8")
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 1 and f"{path}:" in r.stderr


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_signing_key_readable_by_others_is_refused(hall, tmp_path):
    close(hall, tmp_path)
    key = signing.signing_key_path(hall.key_file)
    assert key.stat().st_mode & 0o777 == 0o600
    os.chmod(key, 0o640)
    out = tmp_path / "hq"
    r = cli(hall, "export", "--to", str(out))
    assert r.exit_code == 2
    assert r.stderr.strip() == (f"The hall signing key {key} is open to other users; "
                                f"fix: chmod 600 {key}")
    assert not list(out.rglob("datapackage.json"))
    r = cli(hall, "hall", "key")
    assert r.exit_code == 2 and "chmod 600" in r.stderr


def test_a_lost_signing_key_refuses_the_export_with_the_way_out(hall, tmp_path):
    close(hall, tmp_path)
    signing.signing_key_path(hall.key_file).unlink()
    r = cli(hall, "export", "--to", str(tmp_path / "hq"))
    assert r.exit_code == 2 and "hallterm init" in r.stderr
    r = cli(hall, "init")
    assert r.exit_code == 0
    assert signing.signing_key_path(hall.key_file).exists()
    assert cli(hall, "export", "--to", str(tmp_path / "hq")).exit_code == 0


def test_after_a_lost_signing_key_hq_pins_both_keys(days, pem, tmp_path):
    """The old key is lost, init makes a new one; HQ verifies the hall with both pinned."""
    hall, hall_dir, _folders = days
    signing.signing_key_path(hall.key_file).unlink()
    assert cli(hall, "init").exit_code == 0
    new = tmp_path / "new.pub"
    new.write_text(cli(hall, "hall", "key").stdout)
    assert new.read_text() != pem.read_text()
    next_day(hall)
    close(hall, tmp_path)
    assert cli(hall, "export", "--to", str(hall_dir.parent)).exit_code == 0
    r = cli(hall, "export", "verify", str(hall_dir))
    assert r.exit_code == 1 and "different keys" in r.stderr
    r = cli(hall, "export", "verify", str(hall_dir), "--public-key", str(pem))
    assert r.exit_code == 1 and "pinned" in r.stderr
    r = cli(hall, "export", "verify", str(hall_dir), "--public-key", str(pem),
            "--public-key", str(new))
    assert r.exit_code == 0 and "Export intact: 4 day(s)" in r.stdout
