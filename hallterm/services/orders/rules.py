"""Service orders (pure): kinds, states, numbers, paperwork, retention, when a plan starts.

Nothing here reads the store: the screen and the CLI check what a clerk typed with
the same functions the writes use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hallterm.errors import BadInput
from hallterm.i18n import N_, _
from hallterm.textinput import free_text

KINDS: dict[str, str] = {
    "new_line": N_("New line"),
    "plan_change": N_("Plan change"),
    "sim_replace": N_("SIM replacement"),
    "cancel": N_("Cancellation"),
    "port_out": N_("Port-out enquiry"),
}
STATES: dict[str, str] = {
    "open": N_("open (first payment due)"),
    "completed": N_("completed"),
    "withdrawn": N_("withdrawn"),
    "retained": N_("retained (not cancelled)"),
}
# A retention attempt's outcome: the customer stayed, or went ahead.
OUTCOMES: dict[str, str] = {"stayed": N_("stayed"), "left": N_("went ahead")}
# The paperwork each kind files (第五章); a missing one is flagged on the archive list.
PAPERWORK: dict[str, str] = {"id_copy": N_("ID copy"), "form_signed": N_("signed form"),
                             "photo": N_("photo")}
REQUIRED_PAPERWORK: dict[str, tuple[str, ...]] = {
    "new_line": ("id_copy", "form_signed", "photo"),
    "plan_change": ("form_signed",),
    "sim_replace": ("id_copy", "form_signed"),
    "cancel": ("id_copy", "form_signed"),
    "port_out": ("form_signed",),
}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def kind_label(kind: str) -> str:
    """An order kind in the current language."""
    return _(KINDS.get(kind, kind))


def state_label(state: str) -> str:
    """An order state in the current language."""
    return _(STATES.get(state, state))


def order_number(day: date, n: int) -> str:
    """The documented order number: ``O20261130-0001`` (gapless per business day)."""
    return f"O{day:%Y%m%d}-{n:04d}"


def box_number(day: date, n: int) -> str:
    """A day's archive box: ``A20261130-01``."""
    return f"A{day:%Y%m%d}-{n:02d}"


def check_mobile(number: str | None, *, field: str = "number") -> str:
    """A mainland mobile number as stored (11 digits from 13…-19…), or ``BadInput``."""
    text = re.sub(r"[\s\-]", "", number or "")
    if not _MOBILE.match(text):
        raise BadInput(_("A mobile number has 11 digits starting with 13-19: {number}").format(
            number=text or "-"), field=field)
    return text


@dataclass(frozen=True)
class Paperwork:
    """The paperwork flags of an order (ID copy taken, form signed, photo taken)."""

    id_copy: bool = False
    form_signed: bool = False
    photo: bool = False

    def missing(self, kind: str) -> tuple[str, ...]:
        """The flags ``kind`` needs that are not set."""
        return tuple(f for f in REQUIRED_PAPERWORK.get(kind, ()) if not getattr(self, f))


def missing_labels(missing: tuple[str, ...] | list[str]) -> str:
    """Missing paperwork in the current language (``ID copy, photo``; ``证件复印件、照片``)."""
    from hallterm.i18n import get_language

    return ("、" if get_language().startswith("zh") else ", ").join(
        _(PAPERWORK[f]) for f in missing)


@dataclass(frozen=True)
class Retention:
    """A retention attempt as the clerk records it (维系挽留).

    ``heard``: the customer agreed to hear an offer; without it no offer is recorded
    (a port-out must not be obstructed or delayed: MIIT). ``outcome``: stayed or left.
    ``reason``: why the customer wants to leave, in their words (optional).
    """

    outcome: str
    heard: bool = True
    offer: str | None = None
    reason: str | None = None


def check_retention(attempt: Retention, *, port_out: bool) -> Retention:
    """The attempt cleaned, or ``BadInput``: a cancellation needs the offer made; a port-out
    records an offer only when the customer agreed to hear it."""
    if attempt.outcome not in OUTCOMES:
        raise BadInput(_("The outcome is one of: {outcomes}.").format(
            outcomes=", ".join(OUTCOMES)), field="outcome")
    offer = free_text(attempt.offer, what=_("The offer"), max_len=200, field="offer") or None
    reason = free_text(attempt.reason, what=_("The reason"), max_len=200,
                       field="reason") or None
    if not attempt.heard and offer:
        raise BadInput(_("An offer is recorded only when the customer agreed to hear it."),
                       field="offer")
    if not port_out and (not attempt.heard or not offer):
        raise BadInput(_("A cancellation records the retention offer made first."),
                       field="offer")
    return Retention(attempt.outcome, attempt.heard, offer, reason)


def plan_starts(effective: str | None, day: date) -> date:
    """When a plan change made on ``day`` takes effect: the next billing month's first
    day, or ``day`` itself for a plan that says ``immediate``."""
    if effective == "immediate":
        return day
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def effective_text(on: date, day: date) -> str:
    """When it takes effect, told to the customer (告知开通时间), in the current language."""
    if on <= day:
        return _("takes effect immediately ({date})").format(date=on.isoformat())
    return _("takes effect on {date} (next billing month)").format(date=on.isoformat())
