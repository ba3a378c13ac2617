"""The people of one order: the holder, an agent acting for them (代办), a minor's guardian.

Every identity is checked; a minor holder needs an adult guardian's identity (户口簿 is
accepted only for a minor); an agent is an adult other than the holder. ``check_parties``
is pure (a form checks as the clerk types, before any PIN); ``identify_parties`` runs the
same check inside the caller's write and returns the customer ids to record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from hallterm.errors import BadInput, HallTermError, Refused
from hallterm.i18n import _
from hallterm.services.customers.documents import IdCheck, is_minor
from hallterm.services.customers.records import Person, check_person, id_group, identify

if TYPE_CHECKING:
    from hallterm.context import UnitOfWork


@dataclass(frozen=True)
class PartyCheck:
    """The checked documents of an order's people (no store touched)."""

    holder: IdCheck
    agent: IdCheck | None
    guardian: IdCheck | None
    minor: bool  # the holder is under 18 on the day

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for c in (self.holder, self.agent, self.guardian) if c for w in c.warnings)


@dataclass(frozen=True)
class Parties:
    """The customer ids of an order's people, and what their check found."""

    holder_id: int
    agent_id: int | None
    guardian_id: int | None
    check: PartyCheck


def _checked(person: Person, role: str, on: date) -> IdCheck:
    """One person's check; an error names the role (``Agent: …``) and its form field."""
    try:
        return check_person(person, on=on)[0]
    except HallTermError as exc:
        if role == "holder":
            raise
        text = (_("Agent: {reason}") if role == "agent" else _("Guardian: {reason}"))
        raise BadInput(text.format(reason=exc.message),
                       field=f"{role}_{exc.field or 'number'}") from None


def _same(a: IdCheck, b: IdCheck) -> bool:
    return (id_group(a.doc_type), a.number) == (id_group(b.doc_type), b.number)


def check_parties(holder: Person, *, agent: Person | None = None,
                  guardian: Person | None = None, on: date) -> PartyCheck:
    """Check every person of an order on day ``on`` (``BadInput``/``Refused`` with the
    reason): a minor holder needs a guardian, who is an adult; an agent is an adult and
    not the holder."""
    held = _checked(holder, "holder", on)
    minor = is_minor(held, on)
    acting = _checked(agent, "agent", on) if agent is not None else None
    guarding = _checked(guardian, "guardian", on) if guardian is not None else None
    if minor and guarding is None:
        raise Refused(_("The customer is a minor: record a guardian's identity document "
                        "(a parent or legal guardian)."), field="guardian_number")
    if guarding is not None:
        if _same(guarding, held):
            raise BadInput(_("The guardian's document is the customer's own."),
                           field="guardian_number")
        if is_minor(guarding, on):
            raise Refused(_("The guardian is a minor; a guardian is an adult."),
                          field="guardian_number")
    if acting is not None:
        if _same(acting, held):
            raise BadInput(_("The agent's document is the customer's own; leave the agent "
                             "out."), field="agent_number")
        if is_minor(acting, on):
            raise Refused(_("The agent is a minor; an agent acting for a customer is an "
                            "adult."), field="agent_number")
    return PartyCheck(held, acting, guarding, minor)


def identify_parties(uow: UnitOfWork, holder: Person, *, agent: Person | None = None,
                     guardian: Person | None = None) -> Parties:
    """``check_parties`` on the write's day, then each person identified (found or added);
    a guardian given for an adult is recorded too. No audit row of its own."""
    checked = check_parties(holder, agent=agent, guardian=guardian, on=uow.now.date())
    return Parties(
        holder_id=identify(uow, holder),
        agent_id=identify(uow, agent) if agent is not None else None,
        guardian_id=identify(uow, guardian) if guardian is not None else None,
        check=checked)
