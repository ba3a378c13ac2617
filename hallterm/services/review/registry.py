"""What each area gives the audit review: its reviewable records of a day.

The review must not hard-code the areas (sales, cash, handover, stock, service
orders, complaints, …). Each area registers, when its package is imported, a
``Source``: a kind (``sale``, ``refund``, ``handover``, …), its title and a function
``records(session, business_day) -> list[Record]`` that reads the area's own tables
(``hallterm.store.execute(session, …)``). A later area joins the review queue by
registering its source; the review area never changes for it.

A record says whose it is (``owner``: the employee number whose inbox an exception
goes to), a one-line summary, an amount when it has one, and where to find it
(``where``: the command that shows it). ``flags`` are short notes the auditor
should see at a glance (a service order's paperwork not taken, its archive box).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hallterm.errors import BadInput, NotFound
from hallterm.i18n import _


@dataclass(frozen=True)
class Record:
    """One reviewable record of a business day, as its area describes it."""

    kind: str
    reference: str
    owner: str
    summary: str
    amount_fen: int | None = None
    where: str = ""
    at: datetime | None = None
    flags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ref(self) -> str:
        """The reference a reviewer types: ``kind:reference``."""
        return f"{self.kind}:{self.reference}"


Records = Callable[[Any, date], list[Record]]


@dataclass(frozen=True)
class Source:
    """One area's kind of reviewable record and how to read a day's."""

    kind: str
    title: str  # N_()-marked
    records: Records
    order: int = 100


_sources: dict[str, Source] = {}


def register_source(source: Source) -> Source:
    """Add (or replace) the source of one kind of record."""
    _sources[source.kind] = source
    return source


def sources() -> list[Source]:
    """Every registered source, in order (importing every area first)."""
    from hallterm.services.day import load_areas

    load_areas()
    return sorted(_sources.values(), key=lambda s: (s.order, s.kind))


def kind_title(kind: str) -> str:
    """A kind's title in the current language (the kind itself when none is registered)."""
    source = _sources.get(kind)
    return _(source.title) if source else kind


def records_of(session: Any, business_day: date, *, kind: str | None = None) -> list[Record]:
    """Every reviewable record of ``business_day`` (of one kind), in the sources' order."""
    found: list[Record] = []
    for source in sources():
        if kind is None or source.kind == kind:
            found.extend(source.records(session, business_day))
    return found


def split_ref(ref: str) -> tuple[str | None, str]:
    """``kind:reference`` or a bare reference, as typed (``BadInput`` when empty)."""
    text = (ref or "").strip()
    kind: str | None = None
    if ":" in text:
        head, tail = text.split(":", 1)
        if head.strip().lower() in {s.kind for s in sources()}:
            kind, text = head.strip().lower(), tail.strip()
    if not text:
        raise BadInput(_("Name a record: KIND:REFERENCE or its reference (e.g. sale:R20261125-0001)."))
    return kind, text


def pick(found: list[Record], ref: str) -> Record:
    """The one record ``ref`` names among ``found`` (refused when none or several)."""
    kind, reference = split_ref(ref)
    matches = [r for r in found if r.reference.upper() == reference.upper()
               and (kind is None or r.kind == kind)]
    if not matches:
        raise NotFound(_("No reviewable record {ref} on that day.").format(ref=ref.strip()))
    if len(matches) > 1:
        raise BadInput(_("{ref} names several records; say which: {refs}").format(
            ref=ref.strip(), refs=", ".join(r.ref for r in matches)))
    return matches[0]


def find(session: Any, business_day: date, ref: str) -> Record:
    """The record ``ref`` of ``business_day``."""
    kind, _reference = split_ref(ref)
    return pick(records_of(session, business_day, kind=kind), ref)
