"""The catalog file (商品目录): parse and check it, and check serial numbers.

``parse_catalog`` reads ``catalog.toml`` and either returns every item, checked,
or raises ``ConfigError`` listing every problem with its key (``items[3].price_fen``)
or TOML line, so a bad file is fixed in one pass and nothing is loaded from it.
Serial checks use python-stdnum: the IMEI check digit (handsets) and Luhn (ICCID).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hallterm.errors import BadInput, ConfigError
from hallterm.i18n import _

KINDS = ("counted", "serialised", "valuable_card", "service", "plan")
# A plan (套餐): price_fen is its monthly fee; a plan change takes effect as it says.
PLAN_EFFECTIVE = ("next_month", "immediate")
_PLAN_TEXTS = {"next_month": ("次月生效", "next billing month"),
               "immediate": ("立即生效", "immediately")}
SERIAL_TYPES = ("imei", "iccid")
STOCK_KINDS = ("counted", "serialised", "valuable_card")
_FIELDS = {"sku", "barcodes", "name_zh", "name_en", "kind", "serial_type", "face_value_fen",
           "price_fen", "offered", "alternatives", "effective_zh", "effective_en", "effective"}


@dataclass(frozen=True)
class CatalogEntry:
    """One checked catalog item, as the file gives it."""

    sku: str
    name_zh: str
    name_en: str
    kind: str
    price_fen: int
    barcodes: tuple[str, ...] = ()
    serial_type: str | None = None
    face_value_fen: int | None = None
    offered: bool = True
    alternatives: tuple[str, ...] = ()
    effective_zh: str | None = None
    effective_en: str | None = None
    plan_effective: str | None = None  # plans: next_month | immediate

    @property
    def serialised(self) -> bool:
        """Whether each unit has its own serial (handsets, SIM cards, valuable cards)."""
        return self.kind in ("serialised", "valuable_card")


def _code(value: Any) -> bool:
    return (isinstance(value, str) and 1 <= len(value) <= 32
            and all(c.isalnum() or c in "-_." for c in value))


def _text(value: Any, limit: int) -> bool:
    return isinstance(value, str) and 1 <= len(value.strip()) <= limit


def _fen(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**11


def _check_item(key: str, raw: dict[str, Any], errors: list[str]) -> CatalogEntry | None:
    def err(field: str, message: str) -> None:
        errors.append(f"{key}.{field}: {message}")

    start = len(errors)
    for name in sorted(set(raw) - _FIELDS):
        err(name, _("unknown field"))
    sku = raw.get("sku")
    if not _code(sku):
        err("sku", _("required: 1-32 letters, digits, '-', '_' or '.'"))
    for field, limit in (("name_zh", 60), ("name_en", 80)):
        if not _text(raw.get(field), limit):
            err(field, _("required: 1-{limit} characters").format(limit=limit))
    kind = raw.get("kind")
    if kind not in KINDS:
        err("kind", _("must be one of: {kinds}").format(kinds=", ".join(KINDS)))
    if not _fen(raw.get("price_fen")):
        err("price_fen", _("required: a whole number of fen, 0 or more"))
    barcodes = raw.get("barcodes", [])
    if not isinstance(barcodes, list) or not all(_code(b) for b in barcodes):
        err("barcodes", _("must be a list of codes (1-32 letters or digits)"))
        barcodes = []
    offered = raw.get("offered", True)
    if not isinstance(offered, bool):
        err("offered", _("must be true or false"))
    alternatives = raw.get("alternatives", [])
    if not isinstance(alternatives, list) or not all(_code(a) for a in alternatives):
        err("alternatives", _("must be a list of SKUs"))
        alternatives = []
    elif sku in alternatives:
        err("alternatives", _("an item cannot be its own alternative"))
    serial_type = raw.get("serial_type")
    if kind == "serialised":
        if serial_type not in SERIAL_TYPES:
            err("serial_type", _("required for serialised items: imei or iccid"))
    elif serial_type is not None:
        err("serial_type", _("only serialised items have a serial type"))
    face = raw.get("face_value_fen")
    if kind == "valuable_card":
        if not _fen(face) or face == 0:
            err("face_value_fen", _("required for valuable cards: fen, more than 0"))
    elif face is not None:
        err("face_value_fen", _("only valuable cards have a face value"))
    plan_effective = raw.get("effective")
    if kind == "plan":
        if plan_effective not in PLAN_EFFECTIVE:
            err("effective", _("required for plans: next_month or immediate"))
    elif plan_effective is not None:
        err("effective", _("only plans say when a plan change takes effect"))
    for field in ("effective_zh", "effective_en"):
        value = raw.get(field)
        if kind == "service":
            if not _text(value, 80):
                err(field, _("required for services: when it takes effect, 1-80 characters"))
        elif kind == "plan":
            if value is not None and not _text(value, 80):
                err(field, _("when it takes effect: 1-80 characters"))
        elif value is not None:
            err(field, _("only services and plans have an effective-time text"))
    if len(errors) > start:
        return None
    effective_zh, effective_en = raw.get("effective_zh"), raw.get("effective_en")
    if kind == "plan":  # the told text defaults to what ``effective`` says
        zh, en = _PLAN_TEXTS[str(plan_effective)]
        effective_zh, effective_en = effective_zh or zh, effective_en or en
    return CatalogEntry(
        sku=str(sku), name_zh=raw["name_zh"].strip(), name_en=raw["name_en"].strip(),
        kind=str(kind),
        price_fen=raw["price_fen"], barcodes=tuple(barcodes), serial_type=serial_type,
        face_value_fen=face, offered=offered, alternatives=tuple(alternatives),
        effective_zh=effective_zh, effective_en=effective_en,
        plan_effective=plan_effective if kind == "plan" else None)


def parse_catalog_text(text: str, *, source: str = "catalog") -> list[CatalogEntry]:
    """Check a whole catalog; raise ``ConfigError`` listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{source}: not valid TOML: {error}").format(
            source=source, error=exc)) from None
    errors: list[str] = []
    for name in sorted(set(data) - {"items"}):
        errors.append(f"{name}: " + _("unknown key (the file holds [[items]] tables)"))
    items = data.get("items")
    if not isinstance(items, list) or not items:
        errors.append("items: " + _("required: one [[items]] table per item"))
        items = []
    entries: list[CatalogEntry] = []
    skus: dict[str, str] = {}
    barcodes: dict[str, str] = {}
    for index, raw in enumerate(items, start=1):
        label = f"items[{index}]"
        if not isinstance(raw, dict):
            errors.append(f"{label}: " + _("must be a table"))
            continue
        if isinstance(raw.get("sku"), str):
            label = f"items[{index}] ({raw['sku']})"
        entry = _check_item(label, raw, errors)
        if entry is None:
            continue
        if entry.sku in skus:
            errors.append(f"{label}.sku: " + _("duplicate SKU (also {other})").format(
                other=skus[entry.sku]))
            continue
        skus[entry.sku] = label
        for code in entry.barcodes:
            if code in barcodes:
                errors.append(f"{label}.barcodes: " + _(
                    "barcode {code} is also used by {other}").format(code=code,
                                                                     other=barcodes[code]))
            barcodes[code] = label
        entries.append(entry)
    for entry in entries:
        label = skus[entry.sku]
        for alt in entry.alternatives:
            if alt not in skus:
                errors.append(f"{label}.alternatives: " + _("unknown SKU {sku}").format(sku=alt))
        if entry.barcodes and entry.sku in barcodes and barcodes[entry.sku] != label:
            errors.append(f"{label}.sku: " + _("is another item's barcode"))
    if errors:
        raise ConfigError(_("{source}: {count} problem(s); nothing was loaded:").format(
            source=source, count=len(errors)) + "\n  " + "\n  ".join(errors))
    return entries


def parse_catalog(path: Path) -> list[CatalogEntry]:
    """Read and check a catalog file."""
    from hallterm.textinput import read_text_file

    path = Path(path)
    text = read_text_file(path, error=ConfigError)  # not UTF-8, a FIFO: one line, exit 2
    return parse_catalog_text(text, source=str(path))


def check_serial(serial: str, *, kind: str, serial_type: str | None) -> str:
    """Normalise a scanned serial for an item, or raise ``BadInput`` saying why."""
    from stdnum import imei, luhn

    text = (serial or "").strip().replace(" ", "").replace("-", "")
    if not text:
        raise BadInput(_("No serial number was scanned."))
    if serial_type == "imei":
        if not (text.isdigit() and len(text) == 15):
            raise BadInput(_("An IMEI has 15 digits: {serial}").format(serial=text))
        if not imei.is_valid(text):
            raise BadInput(_("Wrong IMEI check digit: {serial}").format(serial=text))
    elif serial_type == "iccid":
        if not (text.isdigit() and 19 <= len(text) <= 20 and text.startswith("89")):
            raise BadInput(_("An ICCID has 19-20 digits starting with 89: {serial}").format(
                serial=text))
        if not luhn.is_valid(text):
            raise BadInput(_("Wrong ICCID check digit: {serial}").format(serial=text))
    elif kind == "valuable_card":
        if not (text.isalnum() and 6 <= len(text) <= 32):
            raise BadInput(_("A card number is 6-32 letters or digits: {serial}").format(
                serial=text))
        text = text.upper()
    else:
        raise BadInput(_("This item has no serial numbers; enter a quantity."))
    return text
