"""Customer data leaves the hall minimised: masked, or replaced by a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Literal

CustomerIds = Literal["mask", "hash"]


def mask_middle(value: str) -> str:
    """Keep the first 3 and last 4 characters, star the rest (``138****1234``)."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """Keep a name's first character (``张**``)."""
    return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else "*" * len(value)


def keyed_hash(pepper: bytes, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the hall secret, hex (lets HQ join without the value)."""
    return hmac.new(pepper, value.encode("utf-8"), hashlib.sha256).hexdigest()


def minimiser(kind: str, mode: CustomerIds, pepper: bytes) -> Callable[[str], str]:
    """How a column of ``kind`` (``name``, ``id_number``, ``phone``) leaves the hall."""
    if kind == "name":
        return mask_name
    if kind in ("id_number", "phone"):
        if mode == "hash":
            return lambda v: keyed_hash(pepper, v)
        return mask_middle
    raise ValueError(f"unknown masked kind {kind!r}")
