"""The complaint clocks: deadlines and time left from the events, across weekends,
holidays, make-up working days and timezones, pauses, and the escalation levels."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hallterm import paths
from hallterm.errors import ConfigError
from hallterm.hallconfig import HallConfig, parse_hall
from hallterm.services import complaints
from hallterm.services.complaints import ClockSettings, calendar_for, deadlines

pytestmark = pytest.mark.sqlite_only  # pure functions: nothing of the engine

TZ = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)


def hall(**changes: object) -> HallConfig:
    """The shipped hall, with top-level sections changed (``hours={...}``)."""
    data = tomllib.loads((paths.shipped_data() / "hall.toml").read_text())
    for key, value in changes.items():
        if isinstance(value, dict):
            data[key] = {**data.get(key, {}), **value}
        else:
            data[key] = value
    return parse_hall(data, source="test")


WEEKDAYS_ONLY = {"sat": "closed", "sun": "closed"}


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = TZ) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz)


def clocks(events, now, config: HallConfig | None = None, tz: ZoneInfo = TZ):
    config = config or hall()
    return deadlines(events, calendar_for(config, tz), complaints.settings_for(config), now)


def opened(t: datetime) -> tuple:
    return (t, "opened", None, "E100")


# -- the shipped hall's calendar: every day open, holidays closed -------------------------------

def test_stage_deadlines_count_the_halls_working_hours():
    # Friday 17:00: Fri 17:00-18:30 (1.5 h), Sat and Sun 8 h each, Mon 09:00 + 6.5 h.
    c = clocks([opened(at(2026, 11, 27, 17))], at(2026, 11, 27, 18))
    assert c.clock("accept").due == at(2026, 11, 30, 15, 30)
    assert c.clock("explain").due == at(2026, 11, 30, 15, 30)
    assert c.clock("accept").left == 23 * H
    # 48 working hours: Mon 9 + Tue 9 + Wed 9 + 6.5 h on Thursday... from Mon 15:30 on.
    assert c.clock("resolve").due == at(2026, 12, 3, 12, 30)
    assert c.clock("reply").due == at(2026, 12, 12, 17)  # 15 calendar days
    assert c.stage == "accept" and c.level == "none"


def test_a_weekend_with_the_hall_closed_counts_nothing():
    closed_weekends = hall(hours=WEEKDAYS_ONLY)
    c = clocks([opened(at(2026, 11, 27, 17))], at(2026, 11, 27, 18), closed_weekends)
    # Fri 1.5 h, Mon 9 h, Tue 9 h, Wed 09:00 + 4.5 h.
    assert c.clock("accept").due == at(2026, 12, 2, 13, 30)
    # Over the weekend the time left stands still.
    sunday = clocks([opened(at(2026, 11, 27, 17))], at(2026, 11, 29, 12), closed_weekends)
    assert sunday.clock("accept").left == 24 * H - 1.5 * H


def test_a_holiday_week_and_its_make_up_day():
    # Wed 30 Sep 17:00, then the National Day holiday (1-7 Oct), Thu 8 (9 h), Fri 9
    # (9.5 h) and the make-up working day Sat 10 Oct (makeup_hours 09:00-18:00).
    c = clocks([opened(at(2026, 9, 30, 17))], at(2026, 10, 2, 12))
    assert c.clock("accept").due == at(2026, 10, 10, 13, 30)
    assert c.clock("accept").left == 23 * H  # the holiday counted nothing
    # The make-up day runs on its own hours, not Saturday's 09:30-17:30.
    without = hall(calendar={"makeup_days": []})
    c2 = clocks([opened(at(2026, 9, 30, 17))], at(2026, 10, 2, 12), without)
    assert c2.clock("accept").due == at(2026, 10, 10, 14)


def test_the_reply_clock_in_calendar_days_and_in_working_days():
    start = at(2026, 9, 30, 10)
    assert clocks([opened(start)], start).clock("reply").due == at(2026, 10, 15, 10)
    working = hall(complaints={"reply_clock": "working"})
    # 15 working days: Sep 30 from 10:00 (14 h), then Oct 8, 9, 10 (make-up), 12-16,
    # 19-23, 26 are 14 whole days, and 10 h of Oct 27.
    assert clocks([opened(start)], start, working).clock("reply").due == at(2026, 10, 27, 10)


def test_the_regulators_dates_after_an_appeal():
    # Appealed on Fri 9 Oct 10:00: 5 working days with the make-up Saturday are Thu 15
    # Oct 10:00; 30 calendar days are 8 Nov 10:00.
    events = [opened(at(2026, 9, 1, 10)), (at(2026, 10, 9, 10), "appealed", None, "E100")]
    c = clocks(events, at(2026, 10, 9, 11))
    assert c.appeal is not None
    assert c.appeal.accept_by == at(2026, 10, 15, 10)
    assert c.appeal.reply_by == at(2026, 11, 8, 10)
    without = hall(calendar={"makeup_days": []})
    assert clocks(events, at(2026, 10, 9, 11), without).appeal.accept_by == at(2026, 10, 16, 10)


def test_times_in_another_timezone_count_the_halls_hours():
    # 01:00 UTC is 09:00 in Guangzhou (Wed 25 Nov): Wed 9 h, Thu 9 h, Fri 09:00 + 6 h.
    utc_open = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    c = clocks([opened(utc_open)], datetime(2026, 11, 25, 2, 0, tzinfo=UTC), hall(hours=WEEKDAYS_ONLY))
    due = c.clock("accept").due
    assert due == at(2026, 11, 27, 15) and due.utcoffset() == 8 * H
    assert due.astimezone(UTC) == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    assert c.clock("accept").left == 23 * H


def test_days_end_at_the_same_time_of_day_across_a_dst_change():
    london = ZoneInfo("Europe/London")  # clocks go back on 25 Oct 2026
    start = at(2026, 10, 20, 10, tz=london)
    c = clocks([opened(start)], start, tz=london)
    assert c.clock("reply").due == at(2026, 11, 4, 10, tz=london)


def test_naive_times_and_unknown_events_are_refused():
    with pytest.raises(ValueError, match="timezone"):
        clocks([(datetime(2026, 11, 25, 9), "opened", None, 1)], at(2026, 11, 25, 10))
    with pytest.raises(ValueError, match="kind"):
        clocks([opened(at(2026, 11, 25, 9)), (at(2026, 11, 25, 9), "frozen", None, 1)],
               at(2026, 11, 25, 10))
    with pytest.raises(ValueError, match="start with 'opened'"):
        clocks([(at(2026, 11, 25, 9), "paused", None, 1)], at(2026, 11, 25, 10))


# -- pauses --------------------------------------------------------------------------------------

def test_a_pause_gives_back_working_time_not_wall_clock_time():
    """The ERPNext trap: an overnight pause adds the working hours it covered (1 h on
    Wednesday evening, 1 h on Thursday morning), not its 17 wall-clock hours."""
    start = at(2026, 11, 25, 9)  # Wed; contact due Fri 15:00 on a weekdays-only hall
    config = hall(hours=WEEKDAYS_ONLY)
    plain = clocks([opened(start)], at(2026, 11, 26, 12), config)
    paused = clocks([opened(start), (at(2026, 11, 25, 17), "paused", None, "E100"),
                     (at(2026, 11, 26, 10), "resumed", None, "E100")], at(2026, 11, 26, 12), config)
    assert plain.clock("accept").due == at(2026, 11, 27, 15)
    assert paused.clock("accept").due == at(2026, 11, 27, 17)
    assert paused.clock("accept").left - plain.clock("accept").left == 2 * H
    # The calendar-day reply clock gets back the whole 17 hours.
    assert paused.clock("reply").due - plain.clock("reply").due == 17 * H


def test_while_paused_the_time_left_stands_still():
    start = at(2026, 11, 25, 9)
    events = [opened(start), (at(2026, 11, 25, 10), "paused", None, "E100")]
    early = clocks(events, at(2026, 11, 25, 11))
    later = clocks(events, at(2026, 11, 25, 16))
    assert early.paused_since == at(2026, 11, 25, 10)
    assert early.clock("accept").state == "paused"
    assert early.clock("accept").left == later.clock("accept").left == 23 * H
    # The deadline shown is the one if the customer answered now: 23 working hours on.
    assert early.clock("accept").due == at(2026, 11, 27, 16)
    assert later.clock("accept").due == at(2026, 11, 28, 12)  # Saturday's 09:30-17:30


def test_a_stage_done_ends_its_clock_on_time_or_late():
    start = at(2026, 11, 25, 9)
    events = [opened(start), (at(2026, 11, 25, 9, 5), "stage_done", "accept", "E100"),
              (at(2026, 11, 30, 9), "stage_done", "explain", "E100")]
    c = clocks(events, at(2026, 11, 30, 10))
    assert c.clock("accept").state == "met"
    assert c.clock("explain").state == "late"  # due Fri 27 Nov 15:00
    assert c.stages_done == ("accept", "explain") and c.stage == "resolve"
    closed = clocks([*events, (at(2026, 11, 30, 11), "closed", None, "E100")], at(2026, 12, 30))
    assert closed.level == "none" and not closed.overdue
    assert {k.state for k in closed.clocks} <= {"met", "late"}


def test_ownership_moves_only_when_the_transfer_is_accepted():
    start = at(2026, 11, 25, 9)
    events = [opened(start), (at(2026, 11, 25, 10), "transferred", None, "E100")]
    c = clocks(events, at(2026, 11, 25, 11))
    assert c.owner == "E100" and c.transfer_pending is not None
    c = clocks([*events, (at(2026, 11, 25, 10, 30), "accepted", None, "E200")], at(2026, 11, 25, 11))
    assert c.owner == "E200" and c.transfer_pending is None


# -- escalation ----------------------------------------------------------------------------------

def test_escalation_warning_then_duty_manager_then_hall_manager():
    start = at(2026, 11, 25, 9)  # contact due Fri 27 Nov 15:00 (Wed 9 h, Thu 9 h, Fri 6 h)
    assert clocks([opened(start)], at(2026, 11, 27, 10, 59)).level == "none"
    assert clocks([opened(start)], at(2026, 11, 27, 11)).level == "warning"  # 4 h left
    assert clocks([opened(start)], at(2026, 11, 27, 15)).level == "warning"
    c = clocks([opened(start)], at(2026, 11, 27, 15, 1))
    assert c.level == "duty_manager" and c.overdue and c.clock("accept").overdue
    # Overdue by 8 working hours: Fri 15:00-18:30 (3.5 h), Sat 09:30 + 4.5 h = 14:00.
    assert clocks([opened(start)], at(2026, 11, 28, 13, 59)).level == "duty_manager"
    assert clocks([opened(start)], at(2026, 11, 28, 14)).level == "hall_manager"
    # Doing the stages that are late ends the escalation.
    done = [(at(2026, 11, 28, 15), "stage_done", s, "E100") for s in ("accept", "explain")]
    assert clocks([opened(start), *done], at(2026, 11, 28, 15, 1)).level == "none"


def test_the_warning_margin_is_the_halls_setting():
    start = at(2026, 11, 25, 9)
    none = hall(complaints={"warn_before_hours": 0})
    assert clocks([opened(start)], at(2026, 11, 27, 10), none).level == "none"
    wide = hall(complaints={"warn_before_hours": 12})
    assert clocks([opened(start)], at(2026, 11, 26, 12), wide).level == "warning"


def test_the_reply_clock_escalates_even_when_the_stages_are_done():
    start = at(2026, 11, 2, 9)
    done = [(at(2026, 11, 2, 9, 30), "stage_done", s, "E100") for s in ("accept", "explain", "resolve")]
    c = clocks([opened(start), *done], at(2026, 11, 15, 9))
    assert c.clock("reply").level == "warning" and c.level == "warning"
    # Due Tue 17 Nov 09:00; a calendar clock counts overdue hours round the clock.
    assert clocks([opened(start), *done], at(2026, 11, 17, 10)).level == "duty_manager"
    assert clocks([opened(start), *done], at(2026, 11, 17, 17)).level == "hall_manager"
    assert c.next is not None and c.next.name == "reply"


def test_settings_come_from_the_hall_file():
    config = hall(thresholds={"complaint_contact_hours": 2}, complaints={"stage_clock": "calendar"})
    settings = complaints.settings_for(config)
    assert settings == ClockSettings(stage_basis="calendar", contact=2 * H)
    c = clocks([opened(at(2026, 11, 25, 17))], at(2026, 11, 25, 17), config)
    assert c.clock("accept").due == at(2026, 11, 25, 19)  # after closing time: calendar hours


def test_the_calendar_section_refuses_what_cannot_be():
    with pytest.raises(ConfigError, match="both a holiday and a make-up working day: 2026-10-10"):
        hall(calendar={"makeup_days": ["2026-10-10"], "holidays": ["2026-10-09..2026-10-11"]})
    with pytest.raises(ConfigError, match=r"calendar\.holidays"):
        hall(calendar={"holidays": ["2026-13-01"]})
    with pytest.raises(ConfigError, match="runs forwards"):
        hall(calendar={"holidays": ["2026-10-07..2026-10-01"]})
    with pytest.raises(ConfigError, match=r"calendar\.makeup_hours"):
        hall(calendar={"makeup_hours": "closed"})
    with pytest.raises(ConfigError, match=r"complaints\.reply_clock"):
        hall(complaints={"reply_clock": "lunar"})


def test_clocks_as_json_name_every_deadline_and_the_time_left():
    c = clocks([opened(at(2026, 11, 25, 9))], at(2026, 11, 25, 10))
    data = c.to_json()
    assert [k["name"] for k in data["clocks"]] == ["accept", "explain", "resolve", "reply"]
    assert data["clocks"][0]["due"] == "2026-11-27T15:00:00+08:00"
    assert data["clocks"][0]["left_seconds"] == 23 * 3600
    assert complaints.describe_left(timedelta(hours=-1, minutes=-5)) == "-1h 05m"
    assert complaints.describe_left(timedelta(days=2, hours=3)) == "2d 03h"
    # 24 working hours are not a day of the calendar.
    assert complaints.describe_left(timedelta(days=1, hours=2, minutes=30), "working_hours") == "26h 30m"
