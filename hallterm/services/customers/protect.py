"""How customer data is kept: sealed (AES-GCM), found by a keyed hash, shown masked.

Both keys are derived from the hall secret (``ctx.pepper``, the ``hallterm.key`` file)
with HKDF-SHA-256, each under its own label, so neither is the secret itself nor the
other's key: the sealing key encrypts ID numbers and phones (AES-256-GCM, a random
96-bit nonce per value), the lookup key makes the HMAC-SHA-256 a number is found by.
Without the key file the store's bytes give neither the numbers nor a way to test a
guess against the hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from hallterm.errors import BadInput, ConfigError
from hallterm.i18n import _
from hallterm.services.customers.documents import normalise
from hallterm.services.export import mask_middle

SEAL_INFO = b"hallterm customer seal v1"
LOOKUP_INFO = b"hallterm customer lookup v1"
_PREFIX = "v1."
_AAD = b"hallterm customer data"
_NONCE = 12
_PHONE_CHARS = re.compile(r"[\s\-()]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# a landline with its area code, a local landline, an international number
_OTHER_PHONE = re.compile(r"^0\d{9,11}$|^[2-9]\d{6,7}$|^\+\d{7,15}$")


@lru_cache(maxsize=8)
def _derive(pepper: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if not pepper:
        raise ConfigError(_("Customer data needs the hall secret key file (hallterm.key)."))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(pepper)


def seal(pepper: bytes, text: str) -> str:
    """``text`` encrypted under the hall secret's sealing key (a new nonce each time)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(_NONCE)
    sealed = AESGCM(_derive(pepper, SEAL_INFO)).encrypt(nonce, text.encode("utf-8"), _AAD)
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(pepper: bytes, token: str) -> str:
    """The text ``seal`` encrypted; ``BadInput`` when this hall secret did not seal it."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        if not token.startswith(_PREFIX):
            raise ValueError(token[:3])
        raw = base64.urlsafe_b64decode(token[len(_PREFIX):].encode("ascii"))
        plain = AESGCM(_derive(pepper, SEAL_INFO)).decrypt(raw[:_NONCE], raw[_NONCE:], _AAD)
    except (InvalidTag, ValueError, UnicodeError):
        raise BadInput(_("A sealed value cannot be opened with this hall secret (another "
                         "hall's key file, or the value was changed).")) from None
    return plain.decode("utf-8")


def _lookup(pepper: bytes, kind: str, value: str) -> str:
    key = _derive(pepper, LOOKUP_INFO)
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def id_key(pepper: bytes, number: str) -> str:
    """The keyed hash a document number is found by (hex; the number normalised first)."""
    return _lookup(pepper, "id", normalise(number))


def phone_key(pepper: bytes, phone: str) -> str:
    """The keyed hash a phone is found by (hex; the phone normalised first)."""
    return _lookup(pepper, "phone", normal_phone(phone))


def normal_phone(phone: str) -> str:
    """A phone as compared: without spaces, dashes, brackets or a +86/0086 before a mobile."""
    import unicodedata

    text = _PHONE_CHARS.sub("", unicodedata.normalize("NFKC", phone or ""))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix) and _MOBILE.match(text[len(prefix):]):
            return text[len(prefix):]
    return text


def check_phone(phone: str) -> str:
    """A contact phone, normalised: a mainland mobile (11 digits from 13-19), a landline
    (0 and its area code, or 7-8 digits) or an international number (+ and 7-15 digits)."""
    text = normal_phone(phone)
    if _MOBILE.match(text) or _OTHER_PHONE.match(text):
        return text
    raise BadInput(_("A phone is a mobile of 11 digits starting 13-19, a landline (with its "
                     "area code) or + and an international number."), field="phone")


def mask_id(number: str) -> str:
    """A document number as shown: the first 3 and last 4 characters (``110***********002X``)."""
    return mask_middle(normalise(number))


def mask_phone(phone: str) -> str:
    """A phone as shown: the first 3 and last 4 digits (``138****1234``)."""
    return mask_middle(normal_phone(phone))
