"""The identity form (实名登记): the customer's document, checked as it is typed; 代办 and guardian.

The clerk picks the document type (or lets the number tell it), types or scans the
number and sees at once under it whether it is valid and why not (a wrong check
digit, an impossible birth date, a wrong format: ``customers.check_id``). Name and
contact phone follow. When an agent acts for the customer (代办), ticking the box
asks for the agent's document too; when the customer is a minor (by the birth date
on the document, or a household register, 户口簿), the guardian's. Confirming
checks every document again; a wrong one keeps the form open with the field marked.

``await push_screen_wait(IdentityDialog())`` returns the form's values; pass them
to ``identity_of`` for the ``Identity`` (what the order services take).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.widgets import Input, Select

from hallterm.errors import BadInput
from hallterm.i18n import N_, _, get_language
from hallterm.services import customers
from screens.shell import shell
from screens.widgets.entry_form import Choice, EntryForm, Flag, Typed, Values

AUTO = "auto"
PEOPLE = ("", "agent_", "guardian_")  # the customer, the agent (代办), the guardian


@dataclass(frozen=True)
class Identity:
    """Who the order is for, and who acts: the customer, an agent (代办), a guardian."""

    customer: customers.Person
    agent: customers.Person | None = None
    guardian: customers.Person | None = None
    minor: bool = False


def doc_choices() -> tuple[tuple[str, str], ...]:
    """The document types for a choice, "tell from the number" first."""
    return ((_("Tell from the number"), AUTO),
            *((customers.doc_label(t), t) for t in customers.DOC_TYPES))


def person_fields(prefix: str, group: str, *, phone: bool = False) -> list:
    """Type, number and name (and phone) of one person, their names starting with ``prefix``."""
    fields: list = [
        Choice(f"{prefix}doc_type", N_("Document type"), doc_choices(), "resident",
               group=group),
        Typed(f"{prefix}number", N_("Number (type or scan)"), group=group,
             max_length=32),
        Typed(f"{prefix}name", N_("Name on the document"), group=group, max_length=60),
    ]
    if phone:
        fields.append(Typed(f"{prefix}phone", N_("Contact phone"), required=False,
                           group=group, max_length=20))
    return fields


def check_number(values: Values, prefix: str, today: date) -> customers.IdCheck:
    """Check one person's document; ``BadInput`` names the field (number or type)."""
    kind = values.get(f"{prefix}doc_type") or AUTO
    try:
        return customers.check_id(values.get(f"{prefix}number", ""),
                                  None if kind == AUTO else kind, on=today)
    except BadInput as exc:
        field = "doc_type" if getattr(exc, "field", None) == "doc_type" else "number"
        raise BadInput(str(exc), field=f"{prefix}{field}") from None


def person_of(values: Values, prefix: str) -> customers.Person:
    """One person as typed in the form (the holder's fields have no prefix)."""
    kind = values.get(f"{prefix}doc_type") or AUTO
    return customers.Person(None if kind == AUTO else kind, values.get(f"{prefix}number", ""),
                            values.get(f"{prefix}name", ""), values.get(f"{prefix}phone") or None)


def identity_of(values: Values, today: date) -> Identity:
    """The identity the form's values make, checked by ``customers.check_parties`` (a
    minor needs an adult guardian, an agent is an adult other than the holder), or the
    ``HallTermError`` naming the wrong field."""
    holder = person_of(values, "")
    agent = person_of(values, "agent_") if values.get("agent") else None
    guardian = person_of(values, "guardian_") if "guardian_number" in values else None
    checked = customers.check_parties(holder, agent=agent, guardian=guardian, on=today)

    def as_checked(person: customers.Person, check: customers.IdCheck) -> customers.Person:
        phone = customers.check_phone(person.phone) if person.phone else None
        return customers.Person(check.doc_type, check.number, person.name.strip(), phone)

    return Identity(
        as_checked(holder, checked.holder),
        as_checked(agent, checked.agent) if agent and checked.agent else None,
        as_checked(guardian, checked.guardian) if guardian and checked.guardian else None,
        checked.minor)


def describe(check: customers.IdCheck) -> str:
    """What a valid document says: its type, the birth date, any warning."""
    parts = [customers.doc_label(check.doc_type)]
    if check.birth is not None:
        parts.append(_("born {date}").format(date=check.birth.isoformat()))
    parts.extend(check.warnings)
    return "✓ " + " · ".join(parts)


class IdentityDialog(EntryForm):
    """Identify the visit's customer (and the agent or guardian) before any order."""

    def __init__(self, title: str | None = None, *, intro: str = "") -> None:
        fields = [*person_fields("", "", phone=True),
                  Flag("agent", N_("An agent acts for the customer (代办)")),
                  *person_fields("agent_", "agent"),
                  *person_fields("guardian_", "guardian")]
        super().__init__(title or _("Customer identity (实名登记)"), fields,
                         intro=intro or _("Enter moves on; the number is checked as you type. "
                                          "Ctrl+S confirms, Esc cancels."))

    def today(self) -> date:
        ctx = shell(self).hctx
        return ctx.today() if ctx is not None else date.today()

    def _minor(self) -> bool:
        values = {n: self.value(n) for n in ("doc_type", "number")}
        try:
            check = check_number(values, "", self.today())
        except BadInput:
            return False
        return customers.is_minor(check, self.today())

    def shown_groups(self) -> set[str]:
        groups = set()
        if self.is_mounted and self.value("agent"):
            groups.add("agent")
        if self.is_mounted and self._minor():
            groups.add("guardian")
        return groups

    def on_input_changed(self, event: Input.Changed) -> None:
        super().on_input_changed(event)
        name = (event.input.id or "").removeprefix("field-")
        if name.endswith("number"):
            self.live_check(name.removesuffix("number"))

    def on_select_changed(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("field-")
        if name.endswith("doc_type"):
            self.live_check(name.removesuffix("doc_type"))

    def live_check(self, prefix: str) -> None:
        """The number as typed so far: valid (what it is), or the reason it is not (yet)."""
        values = {f"{prefix}doc_type": self.value(f"{prefix}doc_type"),
                  f"{prefix}number": self.value(f"{prefix}number")}
        if not values[f"{prefix}number"]:
            self.note(f"{prefix}number", "")
        else:
            try:
                self.note(f"{prefix}number", describe(check_number(values, prefix, self.today())), "good")
            except BadInput as exc:
                # No space after the mark in Chinese: the line then wraps as CJK text does
                # (at the width), not after the mark.
                mark = "✗" if get_language() == "zh_CN" else "✗ "
                self.note(f"{prefix}number", mark + str(exc), "bad")
        if not prefix:
            self.show_groups()

    def validate(self, values: Values) -> None:
        identity_of(values, self.today())
