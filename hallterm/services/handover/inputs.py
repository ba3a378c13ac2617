"""What the clerk types or scans for a handover: denominations, reasons, serials."""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.context import Ctx
from hallterm.errors import BadInput, Forbidden
from hallterm.i18n import _
from hallterm.money import format_fen, parse_fen
from hallterm.textinput import free_text

# Renminbi notes and coins, in fen: 100, 50, 20, 10, 5, 2, 1 yuan; 5, 2, 1 jiao; 5, 2, 1 fen.
DENOMINATIONS_FEN = (10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1)
MAX_REASON = 200

# -- input helpers -----------------------------------------------------------------------
def parse_denominations(text: str) -> dict[int, int]:
    """``"100x3,50x1,0.5x4"`` (also ``×``, ``*``; ``5角``/``1元`` faces) -> {face_fen: count}."""
    out: dict[int, int] = {}
    for part in (text or "").replace("，", ",").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        for sep in ("x", "X", "×", "*"):
            if sep in part:
                face_text, count_text = part.split(sep, 1)
                break
        else:
            raise BadInput(_("A denomination is FACExCOUNT, e.g. 100x3: {part}").format(
                part=part))
        face_text = face_text.strip().replace("元", "")
        if face_text.endswith("角"):
            face = parse_fen(face_text[:-1]) // 10
        elif face_text.endswith("分"):
            face = parse_fen(face_text[:-1]) // 100
        else:
            face = parse_fen(face_text)
        count_text = count_text.strip()
        if not count_text.isdigit():
            raise BadInput(_("A denomination count is a whole number: {part}").format(part=part))
        add_denomination(out, face, int(count_text))
    if not out:
        raise BadInput(_("No denominations given."))
    return out


def add_denomination(into: dict[int, int], face_fen: int, count: int) -> None:
    if face_fen not in DENOMINATIONS_FEN:
        raise BadInput(_("{face} is not a Renminbi note or coin.").format(
            face=format_fen(face_fen)))
    if count < 0 or count > 100_000:
        raise BadInput(_("A denomination count is 0 to 100000."))
    into[face_fen] = into.get(face_fen, 0) + count


def _reason(text: str | None) -> str | None:
    text = free_text(text, what=_("A reason")) or None
    if text is not None and len(text) > MAX_REASON:
        raise BadInput(_("A reason is at most {n} characters.").format(n=MAX_REASON))
    return text


def _clean_serial(text: str) -> str:
    return (text or "").strip().replace(" ", "").replace("-", "").upper()


@dataclass(frozen=True)
class CountScan:
    """One scan during the blind count: a serial for the list, or one more of a counted item."""

    serial: str | None = None
    sku: str | None = None
    name: str | None = None


def scan_for_count(ctx: Ctx, *, code: str) -> CountScan:
    """What one scan of the blind count is, without saying what the counter should hold.

    A serial (one per Enter) goes to the list of serials scanned; a counted item's
    barcode or SKU is one more of that item (counted goods stay separate from the
    serials); a serialised item's own barcode is refused (its serials are scanned).
    Nothing here reads the counter's custody: the count stays blind.
    """
    from hallterm.i18n import get_language
    from hallterm.services.catalog import find_item

    _may_look(ctx)
    text = (code or "").strip()
    if not text:
        raise BadInput(_("Nothing was scanned."))
    with ctx.store.read() as session:
        item = find_item(session, text)
    if item is not None:
        if not item.stocked:
            raise BadInput(_("{sku} is a service and has no stock").format(sku=item.sku))
        if item.serialised:
            raise BadInput(_("{sku} is counted by scanning its serials, not by quantity.")
                           .format(sku=item.sku))
        zh = get_language().startswith("zh")
        return CountScan(sku=item.sku, name=item.name_zh if zh else item.name_en)
    serial = _clean_serial(text)
    if not serial or len(serial) > 32 or not serial.isalnum():
        raise BadInput(_("Not a serial: {serial}").format(serial=text))
    return CountScan(serial=serial)


def _may_look(ctx: Ctx) -> None:
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))


def _threshold(ctx: Ctx) -> int:
    from hallterm.services.hall import get_hall

    return get_hall(ctx).thresholds.handover_difference_approval_fen
