"""Identity documents: which types the hall accepts and how a number is checked (pure).

Mainland numbers (resident ID, temporary ID, the household register's citizen number),
the HK/Macao/Taiwan residence permits and the 2023 foreign permanent residence card
share the GB 11643 layout: 6-digit address code, 8-digit birth date, 3-digit order,
check digit. python-stdnum's ``cn.ric`` gives the check digit and the birth date;
its ``validate`` is *not* used: it also checks the address code against its own table,
which rejects every 830000 (Taiwan) number, 810000/820000 for births before 1997/1999
and every 9-prefixed card. The birthplace is at most a warning here (tables lag behind
new codes); a wrong check digit, an impossible date or a wrong format is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from hallterm.errors import BadInput
from hallterm.i18n import N_, _

DOC_TYPES: tuple[str, ...] = ("resident", "temporary", "household", "hk_macao_permit",
                              "taiwan_permit", "hmt_residence", "foreign_pr", "passport")

DOC_LABELS: dict[str, str] = {
    "resident": N_("Resident ID card"),
    "temporary": N_("Temporary resident ID card"),
    "household": N_("Household register (minors only)"),
    "hk_macao_permit": N_("Hong Kong/Macao travel permit"),
    "taiwan_permit": N_("Taiwan travel permit"),
    "hmt_residence": N_("HK/Macao/Taiwan residence permit"),
    "foreign_pr": N_("Foreign permanent residence ID card"),
    "passport": N_("Passport"),
}

ADULT_AGE = 18
HMT_CODES = ("810000", "820000", "830000")  # Hong Kong, Macao, Taiwan residence permits
_GB11643 = re.compile(r"^\d{17}[\dX]$")
_HK_MACAO = re.compile(r"^[HM]\d{8}(\d{2})?$")  # 2013 card: 8 digits; older: 10
_TAIWAN = re.compile(r"^\d{8}$|^\d{10}(\([A-Z]\))?$")  # 2015 card: 8 digits; older: 10 (+letter)
_FOREIGN_2017 = re.compile(r"^[A-Z]{3}\d{12}$")  # nationality, place code, YYMMDD, order
_PASSPORT = re.compile(r"^(?=.*\d)[A-Z0-9]{5,17}$")
_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class IdCheck:
    """A document that passed its check: the type, the number as stored, what it says."""

    doc_type: str
    number: str  # normalised: upper case, no spaces or dashes
    birth: date | None  # None when the document does not say (permits, passports)
    warnings: tuple[str, ...] = ()  # translated; the clerk looks, nothing is refused


def doc_label(doc_type: str) -> str:
    """A document type's name in the current language."""
    return _(DOC_LABELS.get(doc_type, doc_type))


def normalise(number: str) -> str:
    """The number as compared and stored: NFKC, upper case, without spaces or dashes."""
    import unicodedata

    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", number or "")).upper()


def _refuse(message: str) -> BadInput:
    return BadInput(message, field="number")


def _check_type(doc_type: str | None) -> str | None:
    if doc_type is None or doc_type == "":
        return None
    kind = doc_type.strip().lower()
    if kind not in DOC_TYPES:
        raise BadInput(_("Unknown document type {type}; one of: {types}.").format(
            type=doc_type, types=", ".join(DOC_TYPES)), field="doc_type")
    return kind


def _guess(number: str) -> str:
    """The type an untyped number has by its shape (refused when it could be several)."""
    if len(number) == 18 and number[:1].isdigit():
        if number[:6] in HMT_CODES:
            return "hmt_residence"
        return "foreign_pr" if number.startswith("9") else "resident"
    if _FOREIGN_2017.match(number):
        return "foreign_pr"
    if _HK_MACAO.match(number):
        return "hk_macao_permit"
    if _TAIWAN.match(number):
        return "taiwan_permit"
    raise _refuse(_("Cannot tell the document type from the number; give the type "
                    "(passport, …)."))


def _birth(number: str, on: date | None) -> date:
    """The birth date in a GB 11643 number: a real date, not before 1900, not after ``on``."""
    try:
        born = ric.get_birth_date(number)
    except (ValidationError, ValueError):
        raise _refuse(_("The birth date in the number ({digits}) is not a real date.").format(
            digits=number[6:14])) from None
    if born.year < 1900 or (on is not None and born > on):
        raise _refuse(_("The birth date in the number ({digits}) is impossible.").format(
            digits=number[6:14]))
    return born


def _gb11643(number: str, label: str, on: date | None) -> date:
    """Check an 18-character GB 11643 number: format, check digit, birth date."""
    if not _GB11643.match(number):
        raise _refuse(_("A {document} number is 17 digits and a digit or X ({n} characters "
                        "given).").format(document=label, n=len(number)))
    if ric.calc_check_digit(number) != number[-1]:
        raise _refuse(_("Wrong check digit: the {document} number does not add up; check "
                        "every digit.").format(document=label))
    return _birth(number, on)


def _birthplace_warning(number: str) -> tuple[str, ...]:
    try:
        ric.get_birth_place(number)
    except (ValidationError, ValueError, KeyError):
        return (_("The birthplace code {code} is not in the lookup table (it may be newer "
                  "than the table); look at the card.").format(code=number[:6]),)
    return ()


def _mainland(number: str, kind: str, on: date | None) -> IdCheck:
    label = doc_label(kind)
    born = _gb11643(number, label, on)
    if number[:6] in HMT_CODES:
        raise _refuse(_("This is a HK/Macao/Taiwan residence permit number; choose that type."))
    if number.startswith("9"):
        raise _refuse(_("This is a foreign permanent residence ID number; choose that type."))
    if kind == "household" and on is not None and _age(born, on) >= ADULT_AGE:
        raise _refuse(_("A household register is accepted for minors only; an adult shows "
                        "an ID card."))
    return IdCheck(kind, number, born, _birthplace_warning(number))


def _foreign(number: str, on: date | None) -> IdCheck:
    label = doc_label("foreign_pr")
    if len(number) == 18:
        if not number.startswith("9"):
            raise _refuse(_("An 18-character foreign permanent residence ID number starts "
                            "with 9."))
        return IdCheck("foreign_pr", number, _gb11643(number, label, on))
    if not _FOREIGN_2017.match(number):
        raise _refuse(_("A foreign permanent residence ID number is 18 characters starting "
                        "with 9, or (2017 card) 3 letters and 12 digits."))
    yymmdd = number[7:13]
    centuries = [d for d in (_date_or_none(c + yymmdd) for c in ("19", "20")) if d is not None]
    if not centuries:
        raise _refuse(_("The birth date in the number ({digits}) is not a real date.").format(
            digits=yymmdd))
    past = [d for d in centuries if on is None or d <= on]
    if not past:
        raise _refuse(_("The birth date in the number ({digits}) is impossible.").format(
            digits=yymmdd))
    # A two-digit year: the latest century not after ``on`` (unknown without ``on``).
    return IdCheck("foreign_pr", number, max(past) if on is not None else None)


def _date_or_none(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def _shaped(number: str, kind: str) -> IdCheck:
    """The documents checked by their format only."""
    pattern, message = {
        "hk_macao_permit": (_HK_MACAO, N_("A Hong Kong/Macao travel permit number is H or M "
                                         "and 8 digits (older cards: 10 digits).")),
        "taiwan_permit": (_TAIWAN, N_("A Taiwan travel permit number is 8 digits (older "
                                     "cards: 10 digits, maybe a letter in brackets).")),
        "passport": (_PASSPORT, N_("A passport number is 5-17 letters and digits.")),
    }[kind]
    if not pattern.match(number):
        raise _refuse(_(message))
    return IdCheck(kind, number, None)


def check_id(number: str, doc_type: str | None = None, *, on: date | None = None) -> IdCheck:
    """Check an identity document's number; the type is guessed from its shape when None.

    ``on``: the day it is shown (the caller's business day): a birth date after it is
    refused, and a household register of an adult. Raises ``BadInput`` with the reason
    (wrong format, wrong check digit, impossible date, type not allowed). Pure.
    """
    kind = _check_type(doc_type)
    text = normalise(number)
    if not text:
        raise _refuse(_("Type the document number."))
    if len(text) > 24:
        raise _refuse(_("A document number is at most 24 characters."))
    kind = kind or _guess(text)
    if kind in ("resident", "temporary", "household"):
        return _mainland(text, kind, on)
    if kind == "hmt_residence":
        born = _gb11643(text, doc_label(kind), on)
        if text[:6] not in HMT_CODES:
            raise _refuse(_("A HK/Macao/Taiwan residence permit number starts with 810000, "
                            "820000 or 830000."))
        return IdCheck(kind, text, born)
    if kind == "foreign_pr":
        return _foreign(text, on)
    return _shaped(text, kind)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_minor(check: IdCheck, on: date) -> bool:
    """Whether the document's holder is under 18 on ``on`` (False when it gives no birth)."""
    return check.birth is not None and _age(check.birth, on) < ADULT_AGE

