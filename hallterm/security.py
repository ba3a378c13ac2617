"""PIN hashing with a hall secret (pepper) kept outside the store file.

A 6-digit PIN has only a million values: no Argon2 setting stops an offline guess
of a copied hash. So the PIN is first keyed with HMAC-SHA256 under the hall
secret — a random key in a file beside the configuration, readable only by its
owner — and only then hashed with Argon2id. A copied store alone gives nothing.
The store records a fingerprint of the secret so a wrong key file is named at
once instead of failing every sign-in.

The Argon2id cost is OWASP's minimum row with 12 MiB (``PIN_MEMORY_KIB``): the
cost only slows online guessing, which the lockout already bounds, so the smallest
memory of OWASP's equivalent rows keeps a terminal's peak memory low (the reasoning
is in docs/security.md). Hashes made with other parameters still verify (Argon2
keeps them in the hash) and are rehashed at the next successful sign-in.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm.errors import BadInput, ConfigError
from hallterm.i18n import _

if TYPE_CHECKING:  # argon2 is imported by the first PIN check, not by every command
    from argon2 import PasswordHasher

PIN_RE = re.compile(r"^[0-9]{6}$")
PIN_MEMORY_KIB = 12 * 1024
PIN_TIME_COST = 3
PIN_LANES = 1
"""Argon2id with 12 MiB, 3 passes, 1 lane: one of OWASP's equivalent minimum rows
(m=19 MiB t=2, m=12 MiB t=3, m=9 MiB t=4, m=7 MiB t=5, p=1). Until now it was the
library's default (64 MiB, 3 passes, 4 lanes), which took a terminal's memory from
107 MB to 172 MB at each sign-in for no protection the pepper does not already give."""
_hasher: PasswordHasher | None = None


def _pin_hasher() -> PasswordHasher:
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher, Type

        _hasher = PasswordHasher(time_cost=PIN_TIME_COST, memory_cost=PIN_MEMORY_KIB,
                                 parallelism=PIN_LANES, type=Type.ID)
    return _hasher


def use_fast_hashing() -> None:
    """Cheap Argon2 parameters, for tests only (hashes stay verifiable either way)."""
    global _hasher
    from argon2 import PasswordHasher

    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def check_pin_format(pin: str) -> str:
    """A PIN is exactly six digits (full-width or other Unicode digits count as theirs)."""
    from hallterm.textinput import digits

    pin = digits(pin)
    if not PIN_RE.match(pin):
        raise BadInput(_("A PIN is exactly 6 digits."))
    return pin


def _keyed(pin: str, pepper: bytes) -> bytes:
    return hmac.new(pepper, pin.encode("ascii"), hashlib.sha256).digest()


def unknown_tag(text: str, pepper: bytes) -> str:
    """How an unknown employee number is recorded: ``unknown:`` and 4 hex of a keyed hash.

    What was typed may be someone's PIN (typed into the wrong field), so it is never
    stored; the short keyed tag lets an auditor see that the same unknown text came
    again, but 16 bits match some 15 of the million six-digit PINs even with the key.
    """
    digest = hmac.new(pepper, b"hallterm-unknown-empno:" + (text or "").encode("utf-8",
                      "surrogatepass"), hashlib.sha256).hexdigest()
    return "unknown:" + digest[:4]


def hash_pin(pin: str, pepper: bytes) -> str:
    """The stored form of a PIN."""
    pin = check_pin_format(pin)
    return _pin_hasher().hash(_keyed(pin, pepper))


_dummy: tuple[PasswordHasher, str] | None = None


def dummy_verify(pin: str, pepper: bytes) -> bool:
    """Spend the time of one real PIN check, against a hash no PIN matches.

    Sign-in runs this for an unknown employee number (and a locked account), so the
    answer takes as long as a wrong PIN's and staff numbers cannot be found by timing.
    Always False.
    """
    global _dummy
    hasher = _pin_hasher()
    if _dummy is None or _dummy[0] is not hasher:
        _dummy = (hasher, hasher.hash(secrets.token_bytes(32)))
    verify_pin(_dummy[1], pin, pepper)
    return False


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with other parameters than today's (after a
    successful check, store ``hash_pin`` of the PIN instead)."""
    from argon2.exceptions import InvalidHashError

    try:
        return _pin_hasher().check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return False


def verify_pin(stored: str, pin: str, pepper: bytes) -> bool:
    """Whether ``pin`` matches the stored hash (constant-time inside Argon2)."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    from hallterm.textinput import digits

    pin = digits(pin)
    if not PIN_RE.match(pin):
        return False
    try:
        return _pin_hasher().verify(stored, _keyed(pin, pepper))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def fingerprint(pepper: bytes) -> str:
    """A short public fingerprint of the secret, stored to detect a wrong key file."""
    return hashlib.sha256(b"hallterm-key-fingerprint:" + pepper).hexdigest()[:16]


def create_key_file(path: Path) -> bytes:
    """Create a new hall secret file, mode 0600; refuses to overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key_file(path)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex() + "\n")
    return key


def read_key_file(path: Path) -> bytes:
    """Read the hall secret; one clear line when it is missing, open to others or damaged."""
    from hallterm.signing import check_private

    check_private(path, _("hall secret key file"))
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError as exc:
        raise ConfigError(
            _("Hall secret key file not found: {path} (hallterm init creates it; copy it "
              "from the terminal that did)").format(path=path)
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_("Cannot read the hall secret key file: {path}").format(path=path)) from exc
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ConfigError(_("The hall secret key file is damaged: {path}").format(path=path))
    return key
