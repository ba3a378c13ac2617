"""Money is integer fen (分): parse what a clerk types, format for people.

No float ever touches an amount: parsing works on the digits of the text.
"""

from __future__ import annotations

import re
import unicodedata

from hallterm.errors import BadInput
from hallterm.i18n import _

_AMOUNT = re.compile(r"^(\d+)(?:\.(\d{0,2}))?$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_MAX_FEN = 10**13  # ¥100 billion: far past any hall, well inside SQLite's int64


def parse_fen(text: str, *, allow_zero: bool = True) -> int:
    """Parse ``12``, ``12.5``, ``12.50``, ``¥12.50``, ``１２.５０`` or ``1,234.56`` into fen.

    Refuses negative amounts, more than two decimals and anything that is not an
    amount, with a message naming what was typed.
    """
    raw = text
    text = unicodedata.normalize("NFKC", text or "").strip()
    text = text.replace("￥", "¥").removeprefix("¥").removeprefix("CNY").strip()
    text = text.replace(" ", "")
    if "," in text:
        # Only well-formed thousands: 1,234 or 1,234,567.89 ("1,50" and "1,,2" are typos).
        if not _THOUSANDS.match(text):
            raise BadInput(_("Not an amount (commas go between groups of three digits): "
                             "{text}").format(text=raw.strip()[:40]))
        text = text.replace(",", "")
    if len(text) > 40:  # far past _MAX_FEN; int() of thousands of digits is refused anyway
        raise BadInput(_("Amount is too large: {text}").format(text=raw.strip()[:40] + "…"))
    if text.startswith("-"):
        raise BadInput(_("Amount must not be negative: {text}").format(text=raw.strip()))
    match = _AMOUNT.match(text) if text.isascii() else None
    if not match:
        if re.match(r"^\d+\.\d{3,}$", text):
            raise BadInput(
                _("Amount has more than two decimals: {text}").format(text=raw.strip())
            )
        raise BadInput(_("Not an amount: {text!r}").format(text=raw.strip()))
    yuan, decimals = match.group(1), (match.group(2) or "")
    fen = int(yuan) * 100 + int((decimals + "00")[:2])
    if fen >= _MAX_FEN:
        raise BadInput(_("Amount is too large: {text}").format(text=raw.strip()))
    if fen == 0 and not allow_zero:
        raise BadInput(_("Amount must be more than zero."))
    return fen


def format_fen(fen: int, *, symbol: bool = True) -> str:
    """Format fen as ``¥1,234.56`` (``-¥1.00`` for a negative amount)."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError("money is integer fen")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{'¥' if symbol else ''}{yuan:,}.{cents:02d}"
