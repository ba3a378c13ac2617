"""Hall configuration (营业厅配置): the TOML file a manager edits, validated at load.

``load_hall_file`` returns a ``HallConfig`` or raises ``ConfigError`` listing every
problem with its key. The store keeps the loaded configuration (``services.hall``)
so every terminal on one store works from the same one.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hallterm.errors import ConfigError
from hallterm.i18n import _
from hallterm.terminals import TerminalDef, check_terminals

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hours(_Strict):
    """Opening hours of one weekday, local time; ``None`` when closed all day."""

    open: time | None
    close_minute: int  # minutes after midnight the hall closes (1440 = 24:00)

    @property
    def closed(self) -> bool:
        return self.open is None

    def is_open_at(self, at: datetime) -> bool:
        if self.open is None:
            return False
        minute = at.hour * 60 + at.minute
        return self.open.hour * 60 + self.open.minute <= minute < self.close_minute

    def label(self) -> str:
        if self.open is None:
            return _("closed")
        h, m = divmod(self.close_minute, 60)
        return f"{self.open:%H:%M}-{h:02d}:{m:02d}"


def parse_hours(text: str) -> Hours:
    """Parse ``"09:00-18:00"`` (or ``"closed"``) into ``Hours``."""
    if text.strip().lower() == "closed":
        return Hours(open=None, close_minute=0)
    match = _HOURS.match(text.strip())
    if not match:
        raise ValueError(f"expected HH:MM-HH:MM or closed, got {text!r}")
    oh, om, ch, cm = (int(g) for g in match.groups())
    if oh > 23 or om > 59 or cm > 59 or ch > 24 or (ch == 24 and cm):
        raise ValueError(f"not a time range: {text!r}")
    if ch * 60 + cm <= oh * 60 + om:
        raise ValueError(f"closing time must be after opening time: {text!r}")
    return Hours(open=time(oh, om), close_minute=ch * 60 + cm)


class Thresholds(_Strict):
    """The hall's numbers: waits, deadlines, approval limits, lockouts."""

    long_wait_minutes: int = Field(default=20, ge=1, le=600)
    target_wait_minutes: int = Field(default=15, ge=1, le=600)
    closing_sign_minutes: int = Field(default=15, ge=1, le=120)
    # Complaint stage deadlines, counted as the ``complaints.stage_clock`` says.
    complaint_contact_hours: int = Field(default=24, ge=1, le=720)
    complaint_resolve_hours: int = Field(default=48, ge=1, le=720)
    compensation_approval_fen: int = Field(default=20000, ge=0)
    pin_lockout_attempts: int = Field(default=5, ge=1, le=20)
    pin_lockout_minutes: int = Field(default=15, ge=1, le=1440)
    recalls_before_no_show: int = Field(default=2, ge=0, le=10)
    reinsert_places: int = Field(default=3, ge=1, le=50)
    cash_movement_approval_fen: int = Field(default=100000, ge=0)
    handover_difference_approval_fen: int = Field(default=5000, ge=0)
    refund_window_days: int = Field(default=7, ge=0, le=365)
    approval_attempts: int = Field(default=5, ge=1, le=50)
    approval_wait_minutes: int = Field(default=15, ge=1, le=1440)
    lines_per_id: int = Field(default=5, ge=1, le=20)  # 一证五号: active lines one ID may hold
    archive_box_size: int = Field(default=50, ge=1, le=1000)  # order forms per archive box


def _dates(value: object) -> tuple[date, ...]:
    """Dates as TOML dates, ``"YYYY-MM-DD"`` or ranges ``"YYYY-MM-DD..YYYY-MM-DD"``."""
    if not isinstance(value, (list, tuple)):
        raise ValueError("expected a list of dates")
    out: list[date] = []
    for item in value:
        if isinstance(item, date) and not isinstance(item, datetime):
            out.append(item)
            continue
        if not isinstance(item, str):
            raise ValueError(f"not a date: {item!r}")
        first, _sep, last = item.strip().partition("..")
        try:
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError:
            raise ValueError(f"not a date or YYYY-MM-DD..YYYY-MM-DD range: {item!r}") from None
        if end < start or (end - start).days > 31:
            raise ValueError(f"a range runs forwards over at most 31 days: {item!r}")
        out.extend(start + timedelta(days=n) for n in range((end - start).days + 1))
    return tuple(sorted(set(out)))


class HallCalendar(_Strict):
    """Holidays and make-up working days (调休): when the complaint clocks run.

    Working hours are the ``[hours]`` of the weekday, none on a holiday, and
    ``makeup_hours`` on a make-up working day. Working days (for clocks counted in
    days) are ``working_weekdays``, minus holidays, plus make-up working days.
    """

    working_weekdays: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    holidays: tuple[date, ...] = ()
    makeup_days: tuple[date, ...] = ()
    makeup_hours: Hours = Hours(open=time(9, 0), close_minute=18 * 60)

    @field_validator("holidays", "makeup_days", mode="before")
    @classmethod
    def _parse_dates(cls, value: object) -> tuple[date, ...]:
        return _dates(value)

    @field_validator("makeup_hours", mode="before")
    @classmethod
    def _parse_makeup(cls, value: object) -> object:
        hours = parse_hours(value) if isinstance(value, str) else value
        if isinstance(hours, Hours) and hours.closed:
            raise ValueError("a make-up working day has hours")
        return hours

    @field_validator("working_weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [d for d in value if d not in WEEKDAYS]
        if unknown or not value:
            raise ValueError(f"expected weekdays from {', '.join(WEEKDAYS)}")
        return value

    @model_validator(mode="after")
    def _apart(self) -> HallCalendar:
        both = sorted(set(self.holidays) & set(self.makeup_days))
        if both:
            raise ValueError(f"both a holiday and a make-up working day: {both[0].isoformat()}")
        return self


class ComplaintClocks(_Strict):
    """The complaint clocks' rules (see ``data/hall.toml`` for what each one means)."""

    stage_clock: Literal["working", "calendar"] = "working"
    reply_days: int = Field(default=15, ge=1, le=90)
    reply_clock: Literal["calendar", "working"] = "calendar"
    appeal_accept_working_days: int = Field(default=5, ge=1, le=30)
    appeal_reply_days: int = Field(default=30, ge=1, le=180)
    warn_before_hours: int = Field(default=4, ge=0, le=240)
    reply_warn_days: int = Field(default=3, ge=0, le=30)
    hall_manager_after_hours: int = Field(default=8, ge=1, le=720)
    repeat_window_days: int = Field(default=30, ge=1, le=365)
    follow_up_attempts: int = Field(default=3, ge=1, le=10)


class QueuePolicy(_Strict):
    """How "call next" picks among waiting tickets (see ``services.queue.policy``)."""

    policy: Literal["ratio", "aging"] = "ratio"
    priority_run: int = Field(default=3, ge=1, le=50)
    aging_minutes_per_class: int = Field(default=10, ge=1, le=240)
    service_minutes_estimate: int = Field(default=5, ge=1, le=120)  # slip estimate before figures exist


class ServiceDef(_Strict):
    """A service the hall offers at its counters, with its ticket prefix."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9]{0,3}$")
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    name_zh: str = Field(min_length=1, max_length=40)
    name_en: str = Field(min_length=1, max_length=60)


class CounterDef(_Strict):
    """A counter (窗口) and the services it serves."""

    number: int = Field(ge=1, le=999)
    services: list[str] = Field(min_length=1)
    name_zh: str | None = None
    name_en: str | None = None


class HallConfig(_Strict):
    """The whole validated hall configuration."""

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
    name_zh: str = Field(min_length=1, max_length=60)
    name_en: str = Field(min_length=1, max_length=80)
    hours: dict[str, Hours]
    receipt_language: Literal["zh_CN", "en"] = "zh_CN"
    thresholds: Thresholds = Thresholds()
    queue: QueuePolicy = QueuePolicy()
    calendar: HallCalendar = HallCalendar()
    complaints: ComplaintClocks = ComplaintClocks()
    services: list[ServiceDef] = Field(min_length=1)
    counters: list[CounterDef] = Field(min_length=1)
    terminals: list[TerminalDef] = []  # counter terminals over SSH (hallterm terminal)

    @field_validator("hours", mode="before")
    @classmethod
    def _parse_hours(cls, value: object) -> dict[str, Hours]:
        if not isinstance(value, dict):
            raise ValueError("expected a table of weekday = \"HH:MM-HH:MM\"")
        unknown = set(value) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"unknown weekday(s): {', '.join(sorted(unknown))}")
        missing = [d for d in WEEKDAYS if d not in value]
        if missing:
            raise ValueError(f"missing weekday(s): {', '.join(missing)}")
        out = {}
        for day, text in value.items():
            if isinstance(text, Hours):
                out[day] = text
            elif isinstance(text, str):
                out[day] = parse_hours(text)
            elif isinstance(text, dict):  # re-read from the store's JSON copy
                out[day] = Hours.model_validate(text)
            else:
                raise ValueError(f"{day}: expected a string")
        return out

    @model_validator(mode="after")
    def _consistent(self) -> HallConfig:
        codes = [s.code for s in self.services]
        prefixes = [s.prefix for s in self.services]
        if len(set(codes)) != len(codes):
            raise ValueError("services: duplicate service code")
        if len(set(prefixes)) != len(prefixes):
            raise ValueError("services: duplicate ticket prefix")
        numbers = [c.number for c in self.counters]
        if len(set(numbers)) != len(numbers):
            raise ValueError("counters: duplicate counter number")
        for counter in self.counters:
            for code in counter.services:
                if code not in codes:
                    raise ValueError(
                        f"counters: counter {counter.number} serves unknown service {code!r}"
                    )
        check_terminals(self.terminals, set(numbers))
        return self

    # -- helpers ---------------------------------------------------------------
    def name(self, language: str) -> str:
        return self.name_zh if language == "zh_CN" else self.name_en

    def hours_on(self, at: datetime) -> Hours:
        return self.hours[WEEKDAYS[at.weekday()]]

    def is_open_at(self, at: datetime) -> bool:
        """Whether ``at`` (local time) is within business hours."""
        return self.hours_on(at).is_open_at(at)

    def service(self, code: str) -> ServiceDef | None:
        return next((s for s in self.services if s.code == code), None)


def _loc(loc: tuple) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item}]"]
        else:
            parts.append(str(item))
    return ".".join(parts) or "(file)"


def parse_hall(data: dict, *, source: str) -> HallConfig:
    """Validate a parsed hall TOML document; every error is listed with its key."""
    try:
        return HallConfig.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{source}: {_loc(err['loc'])}: {msg}")
        raise ConfigError("\n".join(lines)) from exc


def load_hall_file(path: Path) -> HallConfig:
    """Read and validate a hall configuration file."""
    from hallterm.textinput import read_text_file

    if not Path(path).exists():
        raise ConfigError(_("{file}: hall configuration not found").format(file=path))
    text = read_text_file(path, error=ConfigError)  # GBK, binary: one line, exit 2
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{file}: not valid TOML: {error}").format(file=path, error=exc)) from exc
    return parse_hall(data, source=str(path))
