"""A backup sealed with a passphrase: scrypt for the key, AES-GCM over 1 MiB chunks.

Used when a backup carries the hall secret and the signing key (``--with-keys``): the
whole file is then unreadable without the passphrase. Chunks keep memory flat for a
year-sized store; each chunk's nonce carries its index and the last chunk is marked in
its associated data, so a reordered, dropped or truncated chunk fails to open (the
STREAM construction). Library primitives only (``cryptography``): no hand-made cipher.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from hallterm.errors import BadInput, CheckFailed
from hallterm.i18n import _

MAGIC = b"HALLTERM-BACKUP-SEALED-1\n"
CHUNK = 1 << 20
MIN_PASSPHRASE = 12
# scrypt cost: 2**15 x 8 x 1 is 32 MiB and ~0.1 s here (the cryptography docs' interactive
# figure); a backup is opened rarely, so the cost falls on an attacker guessing offline.
_N, _R, _P = 1 << 15, 8, 1
_HEADER = struct.Struct(">16sIII8s")  # salt, n, r, p, nonce prefix


def check_passphrase(passphrase: str) -> str:
    """A passphrase long enough to stand an offline guess (one clear line otherwise)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise BadInput(_("The backup passphrase must have at least {n} characters.").format(
            n=MIN_PASSPHRASE))
    return passphrase


def is_sealed(path: Path) -> bool:
    """Whether the file starts as a sealed backup does."""
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> AESGCM:
    if n > 1 << 20 or r > 16 or p > 4:  # a hostile header must not cost gigabytes
        raise CheckFailed(_("The backup's header is damaged."))
    raw = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return AESGCM(raw)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def seal(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    """Write ``source`` to ``target`` sealed under ``passphrase``."""
    salt, prefix = os.urandom(16), os.urandom(8)
    header = MAGIC + _HEADER.pack(salt, _N, _R, _P, prefix)
    aead = _key(check_passphrase(passphrase), salt, _N, _R, _P)
    target.write(header)
    index, chunk = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        sealed = aead.encrypt(_nonce(prefix, index), chunk, header + (b"\1" if last else b"\0"))
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        index, chunk = index + 1, following


def unseal(source: BinaryIO, passphrase: str) -> Iterator[bytes]:
    """The plain chunks of a sealed file; ``BadInput`` on a wrong passphrase or any damage."""
    if source.read(len(MAGIC)) != MAGIC:
        raise BadInput(_("This is not a sealed HallTerm backup."))
    fields = source.read(_HEADER.size)
    if len(fields) != _HEADER.size:
        raise CheckFailed(_("The backup's header is damaged."))
    salt, n, r, p, prefix = _HEADER.unpack(fields)
    header = MAGIC + fields
    aead = _key(passphrase, salt, n, r, p)
    index = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) != 4:
            raise CheckFailed(_("The backup is cut short (its last part is missing)."))
        (size,) = struct.unpack(">I", size_bytes)
        if size > CHUNK + 16:
            raise CheckFailed(_("The backup's content is damaged."))
        sealed = source.read(size)
        nonce = _nonce(prefix, index)
        for last in (False, True):
            try:
                plain = aead.decrypt(nonce, sealed, header + (b"\1" if last else b"\0"))
            except InvalidTag:
                continue
            yield plain
            if last:
                if source.read(1):
                    raise CheckFailed(_("The backup has data after its end."))
                return
            break
        else:
            if index == 0:
                raise CheckFailed(_("Wrong passphrase, or the backup is damaged."))
            raise CheckFailed(_("The backup's content is damaged (part {n}).").format(n=index + 1))
        index += 1
