"""Who an order is for (实名制): the holder, an agent (代办), a minor's guardian; the
一证五号 count.

The documents are checked and the customer records found or made by
``services.customers`` (its ``check_id`` and ``identify``), inside the order's own
write; only customer ids leave this module (never an ID number: not in an audit
payload, not in an order row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hallterm.context import ReadUnit, UnitOfWork
from hallterm.errors import BadInput, Refused
from hallterm.i18n import _
from hallterm.services import customers


@dataclass(frozen=True)
class Parties:
    """The customer records of an order's people."""

    holder: int
    agent: int | None = None
    guardian: int | None = None
    minor: bool = False


def _checked(person: customers.Person, field: str, day: date) -> customers.IdCheck:
    """The document, the name and the phone checked (``BadInput`` naming ``field``)."""
    try:
        return customers.check_person(person, on=day)[0]
    except BadInput as exc:
        raise BadInput(str(exc), field=field) from None


def identify_parties(uow: UnitOfWork, *, holder: customers.Person, day: date,
                     agent: customers.Person | None = None,
                     guardian: customers.Person | None = None) -> Parties:
    """Check every identity and find (or make) its customer record, or refuse.

    Without a valid identity no order proceeds. The household register (户口簿) is a
    minor's document only; a minor needs an adult guardian's identity; an agent
    (代办) is an adult other than the holder, and both identities are recorded.
    """
    check = _checked(holder, "id_number", day)  # a household register: minors only
    minor = customers.is_minor(check, day)
    if minor and guardian is None:
        raise Refused(_("The customer is a minor: record the guardian's identity."),
                      field="guardian_id_number")
    for other, field, what in ((agent, "agent_id_number", _("The agent")),
                               (guardian, "guardian_id_number", _("The guardian"))):
        if other is None:
            continue
        seen = _checked(other, field, day)
        if seen.number == check.number:
            raise BadInput(_("{who} cannot be the customer.").format(who=what), field=field)
        if customers.is_minor(seen, day):
            raise Refused(_("{who} must be an adult.").format(who=what), field=field)
    holder_id = customers.identify(uow, holder)
    agent_id = customers.identify(uow, agent) if agent is not None else None
    guardian_id = customers.identify(uow, guardian) if guardian is not None else None
    return Parties(holder_id, agent_id, guardian_id, minor)


def lines_held(unit: ReadUnit, customer_id: int) -> int:
    """The lines a customer holds with this operator: active lines and new lines still
    open (a number held for them), the 一证五号 count."""
    active = unit.sql("SELECT COUNT(*) FROM service_line WHERE customer_id = :c AND "
                      "state = 'active'", {"c": customer_id}).scalar() or 0
    opening = unit.sql("SELECT COUNT(*) FROM service_order WHERE state = 'open' AND "
                       "kind = 'new_line' AND customer_id = :c", {"c": customer_id}
                       ).scalar() or 0
    return int(active) + int(opening)


def refuse_over_cap(unit: ReadUnit, customer_id: int, cap: int) -> int:
    """Refuse a new line when the ID already holds ``cap`` lines (一证五号); the count."""
    held = lines_held(unit, customer_id)
    if held >= cap:
        raise Refused(_("This ID already holds {held} lines with this operator; the limit is "
                        "{cap} (一证五号).").format(held=held, cap=cap), field="id_number")
    return held
