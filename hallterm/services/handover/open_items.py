"""What is left open at a counter and passes to the incoming clerk (pluggable, like the day parts).

Areas register a lister (and optionally a passer) with ``register_pending``; the
queue's part — tickets held at the counter and tickets waiting for its services — is
registered here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from string import Formatter
from typing import Any

from hallterm.context import Actor, UnitOfWork
from hallterm.i18n import N_, _
from hallterm.services import queue
from hallterm.services.day import load_areas


# -- what is left open at a counter (pluggable, like the day parts) ------------------------------
@dataclass(frozen=True)
class PendingItem:
    """Something open at the counter that the incoming clerk takes over."""

    kind: str  # e.g. ticket_called, ticket_waiting, complaint, service_order
    reference: str  # the ticket, complaint or order number
    description: str  # one line in English, as stored; ``describe`` shows it translated


@dataclass(frozen=True)
class PendingText:
    """The message of a pending line: stored in English, shown in the reader's language.

    The handover row keeps the English line (the export's, and any reader's later);
    ``describe`` recognises it by the message and renders it in the current language,
    so a handover finished in Chinese reads in English and the other way round.
    """

    message: str  # an N_() message with {placeholders}
    translated: tuple[str, ...] = ()  # placeholders whose values are messages too


_texts: list[PendingText] = []


def pending_text(message: str, *, translated: tuple[str, ...] = ()) -> PendingText:
    """Register the message of an area's pending lines (once, at import)."""
    text = PendingText(message, translated)
    if text not in _texts:
        _texts.append(text)
    return text


def pending_line(text: PendingText, **args: Any) -> str:
    """The line to list and store: the message's own (English) words, filled in."""
    return text.message.format(**args)


def _pattern(message: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _spec, _conv in Formatter().parse(message):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts))


def describe(item: PendingItem) -> str:
    """A pending line in the current language (as stored when no message matches it)."""
    for text in _texts:
        found = _pattern(text.message).fullmatch(item.description)
        if found:
            args = {k: _(v) if k in text.translated else v
                    for k, v in found.groupdict().items()}
            return _(text.message).format(**args)
    return item.description


@dataclass(frozen=True)
class PendingQuery:
    """What a pending-lister is asked about: a counter, its services, its outgoing clerk."""

    counter: int
    business_day: date
    services: tuple[str, ...]
    outgoing: str  # employee number
    outgoing_id: int


Lister = Callable[[Any, PendingQuery], list[PendingItem]]
Passer = Callable[[UnitOfWork, PendingQuery, Actor], None]
_pending: list[tuple[Lister, Passer | None]] = []


def register_pending(fn: Lister | None = None, *, hand_over: Passer | None = None
                     ) -> Lister | Callable[[Lister], Lister]:
    """Register what an area leaves open at a counter (usable as a decorator).

    ``fn(session, query) -> list[PendingItem]`` lists it on an open read session (or
    the handover's write session), each line made with ``pending_line`` from a
    message registered with ``pending_text`` (stored in English, shown translated);
    ``hand_over(uow, query, incoming)``, when given, passes it to the incoming clerk
    inside the handover's last transaction.
    """

    def add(lister: Lister) -> Lister:
        if all(existing is not lister for existing, _p in _pending):
            _pending.append((lister, hand_over))
        return lister

    return add(fn) if fn is not None else add


def _pending_items(session: Any, query: PendingQuery) -> list[PendingItem]:
    load_areas()
    out: list[PendingItem] = []
    for lister, _passer in list(_pending):
        out.extend(lister(session, query))
    return out


# -- the queue's part of what is left open ---------------------------------------------------
_TICKET_STATES = {"called": N_("called"), "serving": N_("being served"), "parked": N_("parked")}
_TICKET_HELD = pending_text(N_("Ticket {number} ({state}) at counter {counter}"),
                            translated=("state",))
_TICKET_WAITING = pending_text(N_("Ticket {number} waiting for {service}"))


def _queue_pending(session: Any, query: PendingQuery) -> list[PendingItem]:
    """Tickets held at the counter, then tickets waiting for its services."""
    out = [PendingItem("ticket_called", number, pending_line(
        _TICKET_HELD, number=number, state=_TICKET_STATES.get(state, state),
        counter=query.counter))
        for number, state in queue.held_at(session, counter=query.counter,
                                           business_day=query.business_day)]
    for number, service in queue.waiting_for(session, business_day=query.business_day,
                                             services=query.services):
        out.append(PendingItem("ticket_waiting", number, pending_line(
            _TICKET_WAITING, number=number, service=service)))
    return out


def _queue_hand_over(uow: UnitOfWork, query: PendingQuery, incoming: Actor) -> None:
    """Tickets held at the counter now belong to the incoming clerk (the queue's call)."""
    queue.hand_over_tickets(uow, counter=query.counter, business_day=query.business_day,
                            clerk_id=incoming.id)


register_pending(_queue_pending, hand_over=_queue_hand_over)
