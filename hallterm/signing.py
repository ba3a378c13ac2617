"""The hall's Ed25519 signing key: it signs every export so HQ can trust what it receives.

The private key lives beside the hall secret (``hallterm-signing.key``, PEM
PKCS#8, mode 0600, made by ``hallterm init``); HQ gets the public key once, out
of band (``hallterm hall key``), and pins it (``export verify --public-key``).
Signatures come from the ``cryptography`` library: no hand-rolled crypto.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from hallterm.errors import BadInput, ConfigError
from hallterm.i18n import _

SIGNING_KEY_NAME = "hallterm-signing.key"
PREFIX = "ed25519:"


def signing_key_path(key_file: Path) -> Path:
    """Where the signing key lives: beside the hall secret."""
    return key_file.with_name(SIGNING_KEY_NAME)


def check_private(path: Path, what: str) -> None:
    """Refuse a secret file that group or others may read or write (as ssh does)."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # the reader names a missing file itself
    if mode & 0o077:
        raise ConfigError(_("The {what} {path} is open to other users; fix: chmod 600 {path}")
                          .format(what=what, path=path))


def create_signing_key(path: Path) -> bool:
    """Make a new Ed25519 key at ``path`` (mode 0600) unless one exists; True when made."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if path.exists():
        return False
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return True


def load_signing_key(path: Path):
    """The hall's private key; one clear line when missing, open to others or damaged."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    what = _("hall signing key")
    check_private(path, what)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(_("The hall signing key {path} is missing: hallterm init creates it "
                            "(then give HQ its public key: hallterm hall key).").format(
                                path=path)) from exc
    except OSError as exc:
        raise ConfigError(_("Cannot read the hall signing key {path}").format(path=path)) from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(_("The hall signing key {path} is damaged.").format(path=path)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(_("The hall signing key {path} is not an Ed25519 key.").format(path=path))
    return key


def public_raw(private) -> bytes:
    """The 32 raw bytes of a private key's public half."""
    from cryptography.hazmat.primitives import serialization

    return private.public_key().public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)


def public_text(raw: bytes) -> str:
    """The form a package records: ``ed25519:<base64>``."""
    return PREFIX + base64.b64encode(raw).decode("ascii")


def public_pem(raw: bytes) -> str:
    """The public key as PEM (what ``hallterm hall key`` prints for HQ)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(raw).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def fingerprint(raw: bytes) -> str:
    """A short fingerprint people can read aloud and compare (SHA-256, 16 hex digits)."""
    return hashlib.sha256(raw).hexdigest()[:16]


def parse_public(text: str) -> bytes:
    """A public key from PEM or ``ed25519:<base64>``; raises ``ValueError``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text = text.strip()
    if "-----BEGIN" in text:
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if text.startswith(PREFIX):
        text = text[len(PREFIX):]
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64") from exc
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return raw


def read_public_file(path: Path) -> bytes:
    """A pinned public key from a file (PEM or ``ed25519:<base64>``); exit 2 when unusable."""
    from hallterm.textinput import read_text_file

    try:
        return parse_public(read_text_file(path))  # a FIFO would block a plain read
    except (BadInput, ValueError) as exc:
        raise BadInput(_("Not a usable Ed25519 public key file: {path}").format(path=path)) from exc


def sign(private, data: bytes) -> str:
    """An Ed25519 signature of ``data``, base64."""
    return base64.b64encode(private.sign(data)).decode("ascii")


def check(raw_public: bytes, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is ``raw_public``'s signature of ``data``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        sig = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(raw_public).verify(sig, data)
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True
