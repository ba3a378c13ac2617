"""The supplier's delivery file (header ``sku,serial,quantity``), read and checked."""

from __future__ import annotations

import csv
import io

from hallterm.context import Ctx
from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.services.stock.checks import LineIn, line_name, validate
from hallterm.services.stock.places import SUPPLIER


# -- the delivery file -------------------------------------------------------------------
def check_delivery_csv(ctx: Ctx, text: str) -> list[LineIn]:
    """Read a delivery file and check every line against the catalog and the ledger.

    Refuses with every bad line in one list (unreadable lines and lines the ledger
    refuses alike, in file order), so a supplier's file is fixed in one round.
    """
    lines, errors = _read_delivery(text)
    numbered = [(int(line.ref or 0), line) for line in lines]
    with ctx.store.read() as session:
        _checked, bad = validate(session, SUPPLIER, lines)
    errors += [(numbered[i][0], f"{line_name(i, lines[i])}: {reason}") for i, reason in bad]
    if errors:
        errors.sort(key=lambda e: e[0])
        raise BadInput(_("{count} bad line(s); nothing was written:").format(
            count=len(errors)) + "\n  " + "\n  ".join(text for _n, text in errors))
    if not lines:
        raise BadInput(_("The delivery file has no lines."))
    return lines


def parse_delivery_csv(text: str) -> list[LineIn]:
    """A supplier's delivery list (header ``sku,serial,quantity``) as lines.

    Raises ``BadInput`` listing every line that cannot even be read; the lines'
    ``ref`` is their line number in the file.
    """
    lines, errors = _read_delivery(text)
    if errors:
        raise BadInput(_("{count} bad line(s); nothing was written:").format(
            count=len(errors)) + "\n  " + "\n  ".join(e for _n, e in errors))
    if not lines:
        raise BadInput(_("The delivery file has no lines."))
    return lines


def _read_delivery(text: str) -> tuple[list[LineIn], list[tuple[int, str]]]:
    """The readable lines of a delivery file, and (line number, message) for the others."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = list(reader)
    if not rows or [h.strip().lower() for h in rows[0]] != ["sku", "serial", "quantity"]:
        raise BadInput(_("The delivery file must start with the header: sku,serial,quantity"))
    lines: list[LineIn] = []
    errors: list[tuple[int, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 3:
            errors.append((number, _("line {n}: expected 3 fields, found {k}").format(
                n=number, k=len(row))))
            continue
        sku, serial, qty = (c.strip() for c in row)
        if serial and qty not in ("", "1"):
            errors.append((number, _("line {n} ({what}): a serial line has quantity 1 or none"
                                     ).format(n=number, what=serial)))
            continue
        if not serial and not (qty.isdigit() and int(qty) > 0):
            errors.append((number, _("line {n} ({what}): give a serial or a quantity of 1 or "
                                     "more").format(n=number, what=sku)))
            continue
        lines.append(LineIn(sku, serial or None, int(qty) if qty else 1, ref=str(number)))
    return lines, errors
