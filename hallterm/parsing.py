"""What a clerk types, parsed once for the CLI and the screens alike.

Counts of goods (``ACC-CASE=5, SIM-X=2``), cash as a total or by denomination
(``490``, ``100x4,50x1,5角x2``), refund lines (``1:1 3:2`` or ``all``) and lists of
serials were parsed twice, by the CLI and by the screens, and the copies had drifted
apart. These are the one set; each raises ``BadInput`` with a line the clerk can act
on. Where the copies disagreed, the stricter and clearer rule was kept:

- numbers are whole numbers in any digits a Chinese input method gives (``５`` is
  5, via ``textinput.digits``), never ``²`` or ``5.0``, and at most ``MAX_COUNT``;
- a count names its SKU (``=5`` alone is refused), a refund line and its quantity
  are at least 1;
- a serial is cleaned as a scan is (spaces and dashes dropped, upper case) and must
  then be 1-32 letters and digits, wherever it was typed.

No Textual, no database: the services check the values against the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.money import format_fen, parse_fen
from hallterm.textinput import digits

# Renminbi notes and coins, in fen: 100, 50, 20, 10, 5, 2, 1 yuan; 5, 2, 1 jiao; 5, 2, 1 fen.
DENOMINATIONS_FEN = (10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1)
MAX_COUNT = 100_000  # of one denomination, one item, one refund line
MAX_SERIAL = 32
_SEPARATORS = re.compile(r"[,，;；\s]+")
_TIMES = ("x", "X", "×", "*")


def _parts(texts: str | Iterable[str]) -> list[str]:
    """The items of one text or of several (repeated options), split on commas
    (ASCII or full-width), semicolons and white space."""
    chunks = [texts] if isinstance(texts, str) else list(texts)
    return [p for chunk in chunks for p in _SEPARATORS.split(chunk or "") if p]


def whole_number(text: str, *, minimum: int = 0, maximum: int = MAX_COUNT) -> int | None:
    """``text`` as a whole number in ``minimum..maximum``, or ``None`` when it is not one.

    Full-width and other decimal digits count as digits (NFKC); signs, decimals,
    superscripts and anything else do not.
    """
    value = digits(text)
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


# -- counted goods -------------------------------------------------------------------------
def parse_counts(texts: str | Iterable[str]) -> dict[str, int]:
    """``"ACC-CASE=5, SIM-X=2"`` (or one ``SKU=N`` per repeated option) -> {sku: n}.

    The same SKU twice adds up. White space around ``=`` is allowed.
    """
    chunks = [texts] if isinstance(texts, str) else list(texts)
    joined = [re.sub(r"\s*[=＝]\s*", "=", chunk or "") for chunk in chunks]
    out: dict[str, int] = {}
    for part in _parts(joined):
        sku, sep, number_text = part.partition("=")
        number = whole_number(number_text)
        if not sep or not sku or number is None:
            raise BadInput(_("A count is SKU=N (N a whole number up to {max}), e.g. "
                             "ACC-CASE=5: {text}").format(max=MAX_COUNT, text=part))
        out[sku] = out.get(sku, 0) + number
    return out


# -- cash ----------------------------------------------------------------------------------
def add_denomination(into: dict[int, int], face_fen: int, count: int) -> None:
    """Add ``count`` notes or coins of ``face_fen`` (a Renminbi face) to ``into``."""
    if face_fen not in DENOMINATIONS_FEN:
        raise BadInput(_("{face} is not a Renminbi note or coin.").format(
            face=format_fen(face_fen)))
    if count < 0 or count > MAX_COUNT:
        raise BadInput(_("A denomination count is 0 to 100000."))
    into[face_fen] = into.get(face_fen, 0) + count


def parse_denominations(text: str) -> dict[int, int]:
    """``"100x3,50x1,0.5x4"`` (also ``×``, ``*``; ``5角``/``1元``/``2分`` faces) ->
    {face_fen: count}."""
    out: dict[int, int] = {}
    for part in _parts(digits(text)):
        sep = next((s for s in _TIMES if s in part), None)
        if sep is None:
            raise BadInput(_("A denomination is FACExCOUNT, e.g. 100x3: {part}").format(
                part=part))
        face_text, count_text = part.split(sep, 1)
        face_text = face_text.strip().replace("元", "")
        if face_text.endswith("角"):
            face = parse_fen(face_text[:-1]) // 10
        elif face_text.endswith("分"):
            face = parse_fen(face_text[:-1]) // 100
        else:
            face = parse_fen(face_text)
        count = whole_number(count_text)
        if count is None:
            raise BadInput(_("A denomination count is a whole number: {part}").format(part=part))
        add_denomination(out, face, count)
    if not out:
        raise BadInput(_("No denominations given."))
    return out


def parse_cash(text: str) -> tuple[int | None, dict[int, int] | None]:
    """A counted total (``490``, ``¥490.00``) or denominations (``100x4,50x1``):
    ``(total_fen, None)`` or ``(None, {face_fen: count})``."""
    if any(sep in (text or "") for sep in _TIMES):
        return None, parse_denominations(text)
    return parse_fen(text), None


# -- refunds -------------------------------------------------------------------------------
ALL_LINES = ("", "all", "全部")


def parse_refund_lines(texts: str | Iterable[str]) -> list[tuple[int, int]] | None:
    """``"1:1 3:2"`` (or one ``LINE[:QTY]`` per repeated option) -> [(line, qty)];
    ``all``, ``全部`` or nothing -> ``None`` (everything not yet given back).

    A quantity left out is 1; a line and a quantity are at least 1.
    """
    parts = _parts(texts)
    if not parts or (len(parts) == 1 and parts[0].lower() in ALL_LINES):
        return None
    out = []
    for part in parts:
        line_text, sep, qty_text = digits(part).partition(":")
        line = whole_number(line_text, minimum=1)
        qty = whole_number(qty_text, minimum=1) if sep else 1
        if line is None or qty is None:
            raise BadInput(_("Refund lines look like 1:1 3:2 (line:quantity), or all: "
                             "{text}").format(text=part))
        out.append((line, qty))
    return out


# -- serials -------------------------------------------------------------------------------
def clean_serial(text: str | None) -> str:
    """A serial as scanned or typed, made comparable: NFKC digits, no spaces or dashes,
    upper case. The one rule: the stock ledger keeps serials in this form."""
    return digits(text).replace(" ", "").replace("-", "").upper()


def parse_serial(text: str) -> str:
    """One serial, cleaned, or ``BadInput`` when it is not 1-32 letters and digits."""
    serial = clean_serial(text)
    if not serial or len(serial) > MAX_SERIAL or not (serial.isascii() and serial.isalnum()):
        raise BadInput(_("Not a serial: {serial}").format(serial=text.strip()))
    return serial


def parse_serials(texts: str | Iterable[str]) -> list[str]:
    """Serials one per line (a file, a pasted list) or one per repeated option.

    Blank lines and ``#`` comments are skipped; each serial is cleaned and checked
    (``parse_serial``); the order is kept.
    """
    chunks = [texts] if isinstance(texts, str) else list(texts)
    lines = [line.strip() for chunk in chunks for line in (chunk or "").splitlines()]
    return [parse_serial(line) for line in lines if line and not line.startswith("#")]
