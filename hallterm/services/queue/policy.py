"""Who is next (叫号策略): the one scheduling policy of "call next".

Pure functions over plain data, so the rule can be read in one place and tested
with Hypothesis. ``hall.toml [queue] policy`` picks one of two rules:

* ``ratio`` (default): the highest class goes first (vip > care > appointment >
  normal), first in line within a class; but after ``priority_run`` (K)
  priority calls in a row by one counter, that counter's next call is the first
  normal ticket it may serve. So while a normal ticket waits, a counter makes at
  most K priority calls in a row, and a normal ticket with ``n`` normal tickets
  ahead of it is called within ``(n + 1) * (K + 1)`` calls of a counter serving
  its service (``ratio_bound``).
* ``aging``: every waiting ticket scores its minutes in line plus
  ``aging_minutes_per_class`` (A) per class above normal; the highest score goes
  first. A ticket is therefore never passed by a ticket of a class ``r`` ranks
  higher that joined the line more than ``r * A`` minutes after it.

"In line" is ``queue_key``: the issue time in epoch seconds (kept on transfer),
moved on when a missed ticket is re-inserted (顺延). Ties go to the lower id, so
replaying the same events always gives the same call order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CLASSES = ("vip", "care", "appointment", "normal")
RANK = {"vip": 3, "care": 2, "appointment": 1, "normal": 0}

# Why a ticket was chosen (stored on the ticket; the counter panel explains it).
RULE_LINE = "line"  # first in line: nobody of a higher class was waiting
RULE_PRIORITY = "priority"  # its class goes before the lower classes waiting
RULE_RATIO = "ratio"  # a normal ticket's turn after K priority calls in a row
RULE_AGING = "aging"  # the highest score of wait plus class bonus


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the policy sees it."""

    id: int
    service: str
    priority: str
    queue_key: float  # epoch seconds of its place in the line


@dataclass(frozen=True)
class PolicyConfig:
    """The ``[queue]`` table of hall.toml."""

    policy: str = "ratio"
    priority_run: int = 3
    aging_minutes_per_class: int = 10


@dataclass(frozen=True)
class Choice:
    """The chosen ticket and why."""

    id: int
    priority: str
    rule: str
    wait_s: float


def is_priority(priority: str) -> bool:
    return RANK.get(priority, 0) > 0


def streak(recent_calls: Iterable[str]) -> int:
    """Priority calls in a row, from a counter's call classes newest first."""
    count = 0
    for priority in recent_calls:
        if not is_priority(priority):
            break
        count += 1
    return count


def _line(c: Candidate) -> tuple[float, int]:
    return (c.queue_key, c.id)


def score(c: Candidate, now_key: float, config: PolicyConfig) -> float:
    """The aging score: minutes in line plus the class bonus."""
    return (now_key - c.queue_key) / 60.0 + RANK.get(c.priority, 0) * config.aging_minutes_per_class


def choose(
    candidates: Sequence[Candidate],
    *,
    services: Iterable[str],
    now_key: float,
    recent: int,
    config: PolicyConfig,
) -> Choice | None:
    """The ticket a counter serving ``services`` calls next (``None``: nobody waits).

    ``recent`` is that counter's current run of priority calls (``streak``).
    Candidates of other services are ignored, so a counter never calls a ticket
    it does not serve.
    """
    allowed = set(services)
    eligible = [c for c in candidates if c.service in allowed]
    if not eligible:
        return None
    if config.policy == "aging":
        best = min(eligible, key=lambda c: (-score(c, now_key, config), c.queue_key, c.id))
        first = min(eligible, key=_line)
        rule = RULE_LINE if best.id == first.id else RULE_AGING
        return Choice(best.id, best.priority, rule, now_key - best.queue_key)
    normals = [c for c in eligible if not is_priority(c.priority)]
    priority = [c for c in eligible if is_priority(c.priority)]
    if normals and (not priority or recent >= config.priority_run):
        best = min(normals, key=_line)
        rule = RULE_RATIO if priority else RULE_LINE
        return Choice(best.id, best.priority, rule, now_key - best.queue_key)
    best = min(priority, key=lambda c: (-RANK[c.priority], c.queue_key, c.id))
    lower = any(RANK[c.priority] < RANK[best.priority] and _line(c) < _line(best)
                for c in eligible)
    rule = RULE_PRIORITY if lower else RULE_LINE
    return Choice(best.id, best.priority, rule, now_key - best.queue_key)


def heads(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The first in line of each class: all ``choose`` ever needs to look at.

    Within one class both rules pick the earliest ``queue_key``, so the store
    only has to hand over one ticket per class (what keeps "call next" fast with
    thousands waiting).
    """
    best: dict[str, Candidate] = {}
    for c in candidates:
        if c.priority not in best or _line(c) < _line(best[c.priority]):
            best[c.priority] = c
    return sorted(best.values(), key=_line)


def ratio_bound(normals_ahead: int, config: PolicyConfig) -> int:
    """Calls of one counter within which a normal ticket is called (``ratio`` rule)."""
    return (normals_ahead + 1) * (config.priority_run + 1)
