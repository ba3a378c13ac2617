"""Employee numbers (工号): one rule for every place that takes one (CLI, screens, init).

An employee number is 3 to 12 digits (the demo's are 8001-8010). The sign-in,
lock and approval inputs accept digits only, up to ``EMPNO_MAX``; the services
refuse anything else with one clear line. No Textual or database import: the
sign-in screen reads this at start-up.
"""

from __future__ import annotations

import re

from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.textinput import digits

EMPNO_MIN = 3
EMPNO_MAX = 12
EMPNO_RE = re.compile(rf"[0-9]{{{EMPNO_MIN},{EMPNO_MAX}}}")
EMPNO_INPUT = r"[0-9]*"  # what an employee-number input lets through (Input.restrict)


def check_empno(empno: str | None) -> str:
    """The employee number, stripped and NFKC-normalised to ASCII digits, or
    ``BadInput`` (e.g. "abc", "12", 13 digits)."""
    value = digits(empno)  # NFKC: full-width "８００１" is 8001, never a second account
    if not EMPNO_RE.fullmatch(value):
        raise BadInput(_("An employee number is {low}-{high} digits, e.g. 8001: {text}").format(
            low=EMPNO_MIN, high=EMPNO_MAX, text=value or "-"))
    return value
