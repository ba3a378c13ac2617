"""The backup file: a gzip'd tar holding ``manifest.json``, the store's copy and (only with
``--with-keys``, then sealed with a passphrase) the hall secret and the signing key.

The manifest says what the copy is (hall, time, engine, schema, audit head) and carries
the SHA-256 of every other member; when the hall secret is at hand it also carries an
HMAC of itself under a key derived from that secret, so an edited manifest is caught.
Reading is strict: only the expected member names, regular files, no paths.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hallterm.backup import sealed
from hallterm.errors import BadInput, CheckFailed
from hallterm.i18n import _

FORMAT = "hallterm-backup/1"
MANIFEST = "manifest.json"
KEY_MEMBERS = ("hallterm.key", "hallterm-signing.key")
STORE_MEMBERS = ("store.sqlite", "store.pgdump")
SUFFIX = ".hallbackup"


@dataclass(frozen=True)
class Manifest:
    """What a backup holds (``manifest.json``)."""

    format: str
    hall: str
    taken_at: str  # UTC, ISO 8601
    engine: str  # sqlite | postgresql
    schema: list[str]
    audit_head_seq: int
    audit_head_hash: str
    key_fingerprint: str  # the hall secret's public fingerprint (which key reads it)
    payload: str  # the store member's name
    sha256: dict[str, str] = field(default_factory=dict)  # member -> digest
    with_keys: bool = False
    mac: str = ""  # HMAC-SHA256 of the rest, under the hall secret ("" when not at hand)

    def body(self) -> bytes:
        data = asdict(self)
        data.pop("mac")
        return json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")


def _mac_key(pepper: bytes) -> bytes:
    return hmac.new(pepper, b"hallterm-backup-manifest", hashlib.sha256).digest()


def sign(manifest: Manifest, pepper: bytes) -> Manifest:
    mac = hmac.new(_mac_key(pepper), manifest.body(), hashlib.sha256).hexdigest()
    return Manifest(**{**asdict(manifest), "mac": mac})


def mac_ok(manifest: Manifest, pepper: bytes) -> bool:
    expected = hmac.new(_mac_key(pepper), manifest.body(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, manifest.mac)


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write(target: Path, manifest: Manifest, members: dict[str, Path], *,
          passphrase: str | None) -> None:
    """Write the backup to ``target`` atomically (a temporary file renamed into place)."""
    staged = target.with_name(f".{target.name}.partial")
    try:
        with tempfile.TemporaryFile() as plain:
            with tarfile.open(fileobj=plain, mode="w:gz") as tar:
                data = json.dumps(asdict(manifest), indent=2, sort_keys=True,
                                  ensure_ascii=False).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode = len(data), 0o600
                tar.addfile(info, io.BytesIO(data))
                for name, path in members.items():
                    tar.add(path, arcname=name, recursive=False)
            plain.seek(0)
            with staged.open("wb") as out:
                staged.chmod(0o600)
                if passphrase is None:
                    for block in iter(lambda: plain.read(1 << 20), b""):
                        out.write(block)
                else:
                    sealed.seal(plain, out, passphrase)
                out.flush()
        staged.replace(target)
    finally:
        staged.unlink(missing_ok=True)


def _manifest(raw: bytes) -> Manifest:
    try:
        data = json.loads(raw)
        manifest = Manifest(**data)
    except (ValueError, TypeError) as exc:
        raise CheckFailed(_("The backup's manifest is damaged: {reason}").format(
            reason=exc)) from None
    if manifest.format != FORMAT:
        raise BadInput(_("Not a backup this version reads (format {found}).").format(
            found=manifest.format))
    if manifest.payload not in STORE_MEMBERS:
        raise CheckFailed(_("The backup's manifest names no store."))
    return manifest


@contextlib.contextmanager
def opened(path: Path, passphrase: str | None) -> Iterator[tuple[Manifest, Path]]:
    """Unpack a backup into a private temporary folder: its manifest and the folder, every
    member checked against the manifest's SHA-256."""
    if not path.is_file():
        raise BadInput(_("No such backup file: {path}").format(path=path))
    with tempfile.TemporaryDirectory(prefix="hallterm-backup-") as tmp:
        folder = Path(tmp)
        tar_path = path
        if sealed.is_sealed(path):
            if passphrase is None:
                raise BadInput(_("This backup holds the hall's keys and is sealed: give its "
                                 "passphrase (HALLTERM_BACKUP_PASSPHRASE or "
                                 "--passphrase-file)."))
            tar_path = folder / "backup.tar.gz"
            with path.open("rb") as src, tar_path.open("wb") as out:
                for chunk in sealed.unseal(src, passphrase):
                    out.write(chunk)
        try:
            with tarfile.open(tar_path, mode="r:gz") as tar:
                names = set()
                for member in tar:
                    allowed = (MANIFEST, *STORE_MEMBERS, *KEY_MEMBERS)
                    if member.name not in allowed or not member.isfile():
                        raise CheckFailed(_("The backup holds an unexpected member: {name}")
                                       .format(name=member.name))
                    source = tar.extractfile(member)
                    fd = os.open(folder / member.name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                                 0o600)
                    with os.fdopen(fd, "wb") as out:
                        shutil.copyfileobj(source, out)  # type: ignore[arg-type]
                    names.add(member.name)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BadInput(_("Not a readable HallTerm backup: {path} ({reason})").format(
                path=path, reason=exc)) from None
        if MANIFEST not in names:
            raise CheckFailed(_("The backup has no manifest."))
        manifest = _manifest((folder / MANIFEST).read_bytes())
        expected = set(manifest.sha256)
        keys = expected - {manifest.payload}
        if (names - {MANIFEST} != expected or manifest.payload not in expected
                or not keys <= set(KEY_MEMBERS) or ("hallterm.key" in keys) != manifest.with_keys):
            raise CheckFailed(_("The backup's members do not match its manifest."))
        for name in sorted(expected):
            if digest(folder / name) != manifest.sha256[name]:
                raise CheckFailed(_("The backup's {name} does not match its SHA-256 in the "
                                 "manifest (damaged or edited).").format(name=name))
        yield manifest, folder
