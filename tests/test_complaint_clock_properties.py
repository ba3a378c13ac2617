"""Property tests of the complaint clocks (Hypothesis), on random hall calendars:

- a pause wholly outside working hours never moves a working-hours deadline;
- pausing and resuming at once changes nothing;
- deadlines never come before the start.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hallterm.hallconfig import Hours
from hallterm.services.complaints import STAGES, ClockSettings, WorkCalendar, deadlines

pytestmark = pytest.mark.sqlite_only  # pure functions: nothing of the engine

ZONES = [ZoneInfo(z) for z in ("Asia/Shanghai", "UTC", "Europe/London", "America/New_York")]
FIRST = date(2026, 1, 1)
H = timedelta(hours=1)
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def hours(draw) -> Hours:
    if draw(st.integers(0, 4)) == 0:
        return Hours(open=None, close_minute=0)
    start = draw(st.integers(0, 23 * 60 + 59))
    end = draw(st.integers(start + 1, 24 * 60))
    return Hours(open=time(start // 60, start % 60), close_minute=end)


@st.composite
def calendars(draw) -> WorkCalendar:
    week = draw(st.lists(hours(), min_size=7, max_size=7))
    assume(any(not h.closed for h in week))
    offsets = st.sets(st.integers(0, 500), max_size=20)
    holidays = {FIRST + timedelta(days=n) for n in draw(offsets)}
    makeup = {FIRST + timedelta(days=n) for n in draw(offsets)} - holidays
    return WorkCalendar(
        tz=draw(st.sampled_from(ZONES)), hours=tuple(week),
        working_weekdays=frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
        holidays=frozenset(holidays), makeup_days=frozenset(makeup),
        makeup_hours=Hours(open=time(9), close_minute=18 * 60),
    )


@st.composite
def clock_settings(draw, stage_basis: str | None = None) -> ClockSettings:
    return ClockSettings(
        stage_basis=stage_basis or draw(st.sampled_from(["working_hours", "calendar"])),
        contact=draw(st.integers(1, 72)) * H, resolve=draw(st.integers(1, 120)) * H,
        reply_basis=draw(st.sampled_from(["calendar", "working_days"])),
        reply=draw(st.integers(1, 30)) * 24 * H,
        warn_before=draw(st.integers(0, 8)) * H, hall_manager_after=draw(st.integers(1, 24)) * H,
    )


def wall_time(draw, cal: WorkCalendar) -> datetime:
    minutes = draw(st.integers(0, 400 * 24 * 60))
    at = datetime.combine(FIRST, time(0)) + timedelta(minutes=minutes)
    assume(cal.wall(cal.aware(at)) == at)  # not inside a DST gap
    return at


@st.composite
def histories(draw, cal: WorkCalendar) -> list[tuple]:
    """A well-formed event list: opened, then stages in order, pauses resumed in turn,
    transfers, perhaps an appeal and a close; times never go back."""
    at = wall_time(draw, cal)
    events = [(cal.aware(at), "opened", None, "E1")]
    paused, stage = False, 0
    for _n in range(draw(st.integers(0, 8))):
        at += timedelta(minutes=draw(st.integers(0, 6 * 24 * 60)))
        kind = draw(st.sampled_from(["stage_done", "pause", "transferred", "accepted", "appealed"]))
        if kind == "pause":
            events.append((cal.aware(at), "resumed" if paused else "paused", None, "E1"))
            paused = not paused
        elif kind == "stage_done" and stage < len(STAGES):
            events.append((cal.aware(at), "stage_done", STAGES[stage], "E1"))
            stage += 1
        elif kind != "stage_done":
            events.append((cal.aware(at), kind, None, "E2"))
    if draw(st.booleans()):
        at += timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        events.append((cal.aware(at), "closed", None, "E1"))
    return events


def later(draw, cal: WorkCalendar, after: datetime) -> datetime:
    return cal.aware(cal.wall(after) + timedelta(minutes=draw(st.integers(0, 40 * 24 * 60))))


@SLOW
@given(st.data())
def test_a_pause_wholly_outside_working_hours_never_moves_a_deadline(data):
    cal = data.draw(calendars())
    rules = data.draw(clock_settings(stage_basis="working_hours"))
    start = wall_time(data.draw, cal)
    # The closed stretches between the working spans after the start.
    spans = list(itertools.islice(cal.spans("working_hours", start), 12))
    gaps = [(a[1], b[0]) for a, b in itertools.pairwise(spans) if a[1] < b[0]]
    if spans and start < spans[0][0]:
        gaps.insert(0, (start, spans[0][0]))
    assume(gaps)
    low, high = data.draw(st.sampled_from(gaps))
    length = (high - low) // timedelta(minutes=1)
    first = data.draw(st.integers(0, length))
    last = data.draw(st.integers(first, length))
    pause, resume = low + timedelta(minutes=first), low + timedelta(minutes=last)
    assume(cal.wall(cal.aware(pause)) == pause and cal.wall(cal.aware(resume)) == resume)
    opened = (cal.aware(start), "opened", None, "E1")
    pair = [(cal.aware(pause), "paused", None, "E1"), (cal.aware(resume), "resumed", None, "E1")]
    now = later(data.draw, cal, cal.aware(resume))
    plain = deadlines([opened], cal, rules, now)
    paused = deadlines([opened, *pair], cal, rules, now)
    for name in ("accept", "explain", "resolve"):
        assert paused.clock(name) == plain.clock(name)
    # And while it is still paused the time left is what it would be without the pause.
    during = deadlines([opened, pair[0]], cal, rules, cal.aware(resume))
    unpaused = deadlines([opened], cal, rules, cal.aware(resume))
    for name in ("accept", "explain", "resolve"):
        assert during.clock(name).left == unpaused.clock(name).left
        assert during.clock(name).due == unpaused.clock(name).due


@SLOW
@given(st.data())
def test_pausing_and_resuming_at_once_changes_nothing(data):
    cal = data.draw(calendars())
    rules = data.draw(clock_settings())
    events = data.draw(histories(cal))
    # Where the complaint is not paused already (the service refuses a second pause).
    free, paused = [], False
    for i, ev in enumerate(events, start=1):
        paused = {"paused": True, "resumed": False}.get(ev[1], paused)
        if not paused:
            free.append(i)  # after events[:i]
    i = data.draw(st.sampled_from(free))
    moment = events[i - 1][0]
    pair = [(moment, "paused", None, "E1"), (moment, "resumed", None, "E1")]
    now = later(data.draw, cal, events[-1][0])
    assert deadlines(events[:i] + pair + events[i:], cal, rules, now) == deadlines(events, cal, rules, now)


@SLOW
@given(st.data())
def test_deadlines_never_come_before_the_start(data):
    cal = data.draw(calendars())
    rules = data.draw(clock_settings())
    events = data.draw(histories(cal))
    now = later(data.draw, cal, events[0][0])
    result = deadlines(events, cal, rules, now)
    for clock in result.clocks:
        assert clock.due is None or clock.due >= result.opened
        assert clock.left <= clock.allowance
    if result.appeal is not None:
        assert result.appeal.accept_by is None or result.appeal.accept_by >= result.appeal.at
        assert result.appeal.reply_by is None or result.appeal.reply_by >= result.appeal.at
