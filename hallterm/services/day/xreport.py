"""The interim X report: today's figures so far, for any manager, without closing anything.

An X report computes the same sections as the day report (Z report, see
``closing``) from the day's rows as they stand, lists what still blocks
the close, and writes the text and JSON beside the day reports
(``x-report-<day>-<n>.txt``). It locks nothing, takes no Z number and adds nothing
to the grand totals: it is numbered X1, X2, … within the day, and each one is an
audit row (``day.xreport``) so the auditor sees who looked at the figures when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hallterm import __version__
from hallterm.context import Ctx, UnitOfWork, run_write
from hallterm.errors import CheckFailed, Refused
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services.day import closing, parts
from hallterm.services.day.business_day import day_status, open_days


@dataclass(frozen=True)
class XReport:
    """One interim report: its number within the day, its data, text and files."""

    business_day: date
    x_number: int
    at: datetime
    by: str
    blockers: tuple[str, ...]
    data: dict[str, Any]
    text: str
    text_file: str
    json_file: str


def x_report(ctx: Ctx, *, business_day: date | None = None,
             reports_dir: Path | None = None) -> XReport:
    """Compute, audit and write an X report of an open business day (any manager)."""
    actor = require(ctx.actor, "day.xreport")
    day = business_day or ctx.today()

    def work(uow: UnitOfWork) -> dict[str, Any]:
        state = uow.sql("SELECT state FROM business_day WHERE day = :d",
                        {"d": day.isoformat()}).scalar()
        if state is None:
            raise Refused(_("Business day {day} was never opened; there are no figures yet.")
                          .format(day=day.isoformat()))
        if state != "open":
            raise Refused(_("Business day {day} is closed: its day report (Z) has the final "
                            "figures (hallterm day report {day}).").format(day=day.isoformat()))
        computed = [(s, s.compute(uow, day)) for s in parts.sections()]
        receipts, totals = closing._lift(computed)
        found = closing.blockers(uow.ctx, day)
        number = 1 + int(uow.sql("SELECT count(*) FROM audit_log WHERE business_day = :d AND "
                                 "action = 'day.xreport'", {"d": day.isoformat()}).scalar() or 0)
        uow.audit("day.xreport", entity="business_day", entity_id=day.isoformat(),
                  business_day=day, payload={"x_number": number, "receipts": receipts,
                                             "totals": totals, "blockers": found})
        hall = uow.sql("SELECT code, name_zh, name_en FROM hall WHERE id = 1").first()
        return {
            "format": closing.REPORT_FORMAT,
            "kind": "X",
            "generator": f"hallterm {__version__}",
            "hall": {"code": hall[0], "name_zh": hall[1], "name_en": hall[2]},
            "business_day": day.isoformat(),
            "x_number": number,
            "at": uow.now.isoformat(),
            "by": actor.empno,
            "by_name": actor.name,
            "receipts": receipts,
            "totals": totals,
            "blockers": found,
            "sections": [{"key": s.key, "title": s.title, "figures": f} for s, f in computed],
        }

    data = run_write(ctx, "day.xreport", work)
    text = render(data)
    folder = Path(reports_dir or ctx.extra.get("reports_dir")
                  or ctx.store.folder / "reports")
    stem = f"x-report-{day.isoformat()}-{data['x_number']:02d}"
    text_file, json_file = folder / f"{stem}.txt", folder / f"{stem}.json"
    try:
        closing._write_atomic(json_file, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        closing._write_atomic(text_file, text + "\n")
    except OSError as exc:
        raise CheckFailed(_("The X report could not be written to {folder}: {error}").format(
            folder=folder, error=exc.strerror or exc)) from exc
    return XReport(day, data["x_number"], datetime.fromisoformat(data["at"]), data["by"],
                   tuple(data["blockers"]), data, text, str(text_file), str(json_file))


def render(data: dict[str, Any]) -> str:
    """The printed X report in the current language."""
    from hallterm.i18n import get_language

    hall = data.get("hall") or {}
    name = hall.get("name_zh") if get_language() == "zh_CN" else hall.get("name_en")
    at = datetime.fromisoformat(data["at"])
    lines = [
        _("INTERIM REPORT (X) {x} — {hall} {name}").format(x=data["x_number"],
                                                          hall=hall.get("code"),
                                                          name=name or ""),
        _("Business day: {day} — figures so far; the day stays open (not a Z report)").format(
            day=data["business_day"]),
        _("Printed at {at} by {name} ({empno})").format(
            at=at.strftime("%Y-%m-%d %H:%M:%S %z"), name=data.get("by_name", ""),
            empno=data["by"]),
        "=" * 60,
    ]
    rec = data.get("receipts") or {}
    lines.append(_("Receipts: first {first}, last {last}, count {count}").format(
        first=rec.get("first") or "—", last=rec.get("last") or "—",
        count=rec.get("count") if rec.get("count") is not None else "—"))
    found = data.get("blockers") or []
    lines += ["", _("Still blocking the close"), "-" * 60]
    lines += [f"- {b}" for b in found] or [_("none")]
    registered = {s.key: s for s in parts.sections()}
    for part in data.get("sections", []):
        title = part["title"]  # an N_()-marked title, translated for this reader
        lines += ["", _(title), "-" * 60]
        if part["key"] in registered:
            lines += registered[part["key"]].render(part["figures"])
        else:
            lines += [f"{k}: {json.dumps(v, ensure_ascii=False)}"
                      for k, v in part["figures"].items()]
    lines += ["", _("Day totals so far"), "-" * 60]
    lines += [f"{k}: {v}" for k, v in sorted((data.get("totals") or {}).items())]
    return "\n".join(lines)


# -- the manager's Day screen -------------------------------------------------------------
@dataclass(frozen=True)
class DayOverview:
    """What the Day screen shows: the day a close would take, its state and its blockers."""

    business_day: date
    state: str  # open | closed | not_opened
    z_number: int | None
    blockers: tuple[str, ...]
    earlier_open: bool  # the day is an earlier one still open (closed first)


def day_overview(ctx: Ctx) -> DayOverview:
    """The oldest open day (a day forgotten yesterday closes first), else today."""

    still_open = open_days(ctx)
    day = still_open[0] if still_open else ctx.today()
    info = day_status(ctx, business_day=day)
    found = tuple(closing.blockers(ctx, day)) if info.state == "open" else ()
    return DayOverview(day, info.state, info.z_number, found, day < ctx.today())
