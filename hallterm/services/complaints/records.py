"""A complaint's words and rows: channels, categories, stages, states, results; the events.

Everything that happens to a complaint is one ``complaint_event`` row of the day it
happened (``append``), and the one ``complaint_status`` row says where it stands
now, changed in the same transaction. ``load`` reads a complaint for a write or a
check (who owns it, its state, the last stage done) and refuses an unknown number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hallterm.clock import utc_text
from hallterm.context import Actor, ReadUnit, UnitOfWork
from hallterm.errors import BadInput, Forbidden, Refused
from hallterm.i18n import N_, _
from hallterm.permissions import MANAGERS, require
from hallterm.textinput import free_text

CHANNELS: dict[str, str] = {"counter": N_("At a counter"), "phone": N_("By phone")}
CATEGORIES: dict[str, str] = {
    "billing": N_("Billing and charges"),
    "network": N_("Network and signal"),
    "service": N_("Service and attitude"),
    "goods": N_("Handsets and goods"),
    "business": N_("Business handling"),
    "broadband": N_("Home broadband"),
    "other": N_("Other"),
}
# The four stages (第三章), in order.
STAGES: dict[int, str] = {
    1: N_("Accept the complaint (接受投诉)"),
    2: N_("Explain and clarify (解释澄清)"),
    3: N_("Propose a resolution (提出解决处理)"),
    4: N_("Follow up and summarise (跟踪总结)"),
}
# Their names (the clock's, ``clock.STAGES``); ``propose`` is another name for ``resolve``.
STAGE_NAMES: dict[str, int] = {"accept": 1, "explain": 2, "resolve": 3, "follow_up": 4,
                               "propose": 3}
STATES: dict[str, str] = {
    "open": N_("in progress"),
    "paused": N_("waiting for the customer"),
    "appealed": N_("appealed to the regulator"),
    "closed": N_("case closed"),
}
RESULTS: dict[str, str] = {
    "satisfied": N_("satisfied"),
    "dissatisfied": N_("not satisfied"),
    "unreachable": N_("unreachable"),
}
KINDS = ("opened", "stage_done", "paused", "resumed", "transferred", "accepted", "appealed",
         "closed")
MAX_TEXT = 500
MAX_NOTE = 500


def label(table: dict[Any, str], key: Any) -> str:
    """A code's words in the current language (the code itself when unknown)."""
    return _(table[key]) if key in table else str(key)


def stage_number(value: int | str) -> int:
    """A stage given as 1-4 or by name (accept, explain, propose, follow_up)."""
    text = str(value).strip().lower().replace("-", "_")
    number = STAGE_NAMES.get(text) or (int(text) if text.isdigit() else 0)
    if number not in STAGES:
        raise BadInput(_("A stage is 1-4 or accept, explain, resolve, follow_up."),
                       field="stage")
    return number


def note_text(text: str | None, *, what: str, field: str, required: bool = True) -> str:
    """What was done (or why): one line, at most 500 characters."""
    value = free_text(text, what=what, max_len=MAX_NOTE, field=field)
    if required and not value:
        raise BadInput(_("{what} is missing.").format(what=what), field=field)
    return value


@dataclass(frozen=True)
class Row:
    """A complaint as a write sees it: its number, day and where it stands."""

    id: int
    number: str
    state: str
    stage: int
    owner: str
    offered_to: str | None
    opened_at: datetime


def load(unit: ReadUnit, number: str) -> Row:
    """The complaint ``number`` (``BadInput`` when there is none)."""
    text = (number or "").strip().upper()
    row = unit.sql(
        "SELECT c.id, c.number, c.at, s.state, s.stage, s.owner, s.offered_to FROM complaint c "
        "JOIN complaint_status s ON s.complaint_id = c.id WHERE c.number = :n",
        {"n": text}).first()
    if row is None:
        raise BadInput(_("There is no complaint {number}.").format(number=text or "-"),
                       field="number")
    return Row(int(row.id), row.number, row.state, int(row.stage), row.owner, row.offered_to,
               datetime.fromisoformat(str(row.at)))


def is_manager(actor: Actor | None) -> bool:
    return actor is not None and bool(actor.roles & MANAGERS)


def require_owner(unit: ReadUnit, row: Row, *, managers: bool = False) -> Actor:
    """The acting person, who must own ``row`` (首问负责制; ``managers``: or a manager)."""
    actor = require(unit.actor, "complaint.work")
    if actor.empno != row.owner and not (managers and is_manager(actor)):
        raise Forbidden(_("Complaint {number} is {owner}'s (首问负责制): only they may do "
                          "this, or transfer it.").format(number=row.number, owner=row.owner))
    return actor


def require_state(row: Row, *allowed: str) -> None:
    """Refuse unless the complaint is in one of ``allowed`` states, saying what it is."""
    if row.state in allowed:
        return
    if row.state == "closed":
        raise Refused(_("Complaint {number} is closed.").format(number=row.number))
    if row.state == "paused":
        raise Refused(_("Complaint {number} is waiting for the customer; resume it first.")
                      .format(number=row.number))
    raise Refused(_("Complaint {number} is {state}; that cannot be done now.").format(
        number=row.number, state=label(STATES, row.state)))


def append(uow: UnitOfWork, row: Row, kind: str, *, stage: int | None = None,
           to_empno: str | None = None, note: str | None = None, reference: str | None = None,
           result: str | None = None, attempts: int | None = None,
           state: str | None = None, owner: str | None = None,
           offered_to: str | None = None, clear_offer: bool = False,
           actor: Actor | None = None, at: datetime | None = None) -> int:
    """Write one event of today and move the complaint's status with it; the event id."""
    if kind not in KINDS:
        raise ValueError(f"unknown complaint event {kind!r}")
    day = uow.open_day()
    who = actor or uow.actor
    eid = int(uow.sql(
        "INSERT INTO complaint_event (complaint_id, business_day, at, kind, stage, actor, "
        "to_empno, note, reference, result, attempts) VALUES (:c, :d, :at, :k, :s, :a, :to, "
        ":n, :ref, :r, :att) RETURNING id",
        {"c": row.id, "d": day.isoformat(), "at": utc_text(at or uow.now), "k": kind, "s": stage,
         "a": who.empno if who else "system", "to": to_empno, "n": note or None,
         "ref": reference, "r": result, "att": attempts}).scalar())
    offer = None if clear_offer else (offered_to if offered_to is not None else row.offered_to)
    uow.sql("UPDATE complaint_status SET state = :st, stage = :sg, owner = :o, offered_to = :off, "
            "last_event_id = :e WHERE complaint_id = :c",
            {"st": state or row.state, "sg": stage if kind == "stage_done" else row.stage,
             "o": owner or row.owner, "off": offer, "e": eid, "c": row.id})
    return eid


def audit(uow: UnitOfWork, row: Row, action: str, *, approver: Actor | None = None,
          **payload: Any) -> None:
    """The audit row of a complaint write (masked values and codes only, never the phone)."""
    uow.audit(action, entity="complaint", entity_id=row.number, approver=approver,
              payload=payload)


@dataclass(frozen=True)
class Changed:
    """A complaint after a write: what happened and where it stands now."""

    number: str
    event: str
    state: str
    stage: int
    owner: str
    offered_to: str | None


def changed(row: Row, event: str, *, state: str | None = None, stage: int | None = None,
            owner: str | None = None, offered_to: str | None = None,
            clear_offer: bool = False) -> Changed:
    """The ``Changed`` of ``row`` after an event (the same arguments ``append`` took)."""
    return Changed(row.number, event, state or row.state,
                   stage if stage is not None else row.stage, owner or row.owner,
                   None if clear_offer else (offered_to or row.offered_to))
