"""What the clerk types or scans for a handover: denominations, reasons, serials."""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.context import Ctx
from hallterm.errors import BadInput, Forbidden
from hallterm.i18n import _
from hallterm.parsing import (  # one set of parsers for the CLI and the screens
    DENOMINATIONS_FEN,
    add_denomination,
    clean_serial,
    parse_denominations,
    parse_serial,
)
from hallterm.textinput import free_text

__all__ = ["DENOMINATIONS_FEN", "add_denomination", "clean_serial", "parse_denominations"]

MAX_REASON = 200


def _reason(text: str | None) -> str | None:
    text = free_text(text, what=_("A reason")) or None
    if text is not None and len(text) > MAX_REASON:
        raise BadInput(_("A reason is at most {n} characters.").format(n=MAX_REASON))
    return text


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
    return CountScan(serial=parse_serial(text))


def _may_look(ctx: Ctx) -> None:
    if ctx.actor is None:
        raise Forbidden(_("Sign in first."))


def _threshold(ctx: Ctx) -> int:
    from hallterm.services.hall import get_hall

    return get_hall(ctx).thresholds.handover_difference_approval_fen
