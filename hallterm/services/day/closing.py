"""End-of-day closing (日结): refuse while anything is pending, else lock the day with its Z report.

Closing is one write transaction: it asks every registered blocker, computes every
registered report section, takes the next Z number (a gapless counter that only
grows), lifts receipt numbers and totals out of the sections, adds the day's
totals to the perpetual grand totals, appends the ``day.close`` audit row and
records the chain head, inserts the ``day_close`` record and flips the business
day to closed — all or nothing. Only then are the report files written; if that
fails (disk full, killed), ``close_day`` run again on the closed day writes them
from the stored report.

Areas contribute through ``hallterm.services.day``'s registries (``parts``); a section's figures may
carry ``"receipts": {"first", "last", "count"}`` and ``"totals": {name: int}``,
which closing lifts into the record (totals keyed ``<section>.<name>``).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hallterm import __version__
from hallterm.clock import utc_text
from hallterm.context import Actor, Ctx, UnitOfWork, run_write
from hallterm.errors import BadInput, CheckFailed, NotFound, Refused
from hallterm.files import remove_leftovers
from hallterm.i18n import _
from hallterm.permissions import require
from hallterm.services import figures
from hallterm.services.day import parts
from hallterm.services.day.rendering import DAY_TITLE, render
from hallterm.store import execute
from hallterm.textinput import free_text

REPORT_FORMAT = 1
MAX_REASON = 500


@dataclass(frozen=True)
class CloseResult:
    """What ``close_day`` did: the closing's facts and the report files."""

    business_day: date
    z_number: int
    closed_at: datetime
    closed_by: str
    forced: bool
    blockers: tuple[str, ...]
    text_file: str
    json_file: str
    finished_only: bool = False  # the day was already closed: only the files were (re)written


@dataclass(frozen=True)
class DayReport:
    """A closed day's stored report (the Z report) and its text in the current language."""

    business_day: date
    z_number: int
    data: dict[str, Any]
    text: str


# -- blockers --------------------------------------------------------------------------
def _hours_blocker(ctx: Ctx, business_day: date) -> list[str]:
    """The core's own blocker: the business hours of the day are not over yet."""
    from hallterm.services.hall import get_hall

    now = ctx.now()
    today = now.date()
    if business_day < today:
        return []
    if business_day > today:
        return [_("Business day {day} has not even begun.").format(day=business_day.isoformat())]
    hours = get_hall(ctx).hours_on(now)
    if hours.closed or now.hour * 60 + now.minute >= hours.close_minute:
        return []
    h, m = divmod(hours.close_minute, 60)
    return [_("Business hours are not over: the hall closes at {time} today.").format(
        time=f"{h:02d}:{m:02d}")]


def blockers(ctx: Ctx, business_day: date) -> list[str]:
    """Every reason the day cannot close yet: the core's, then each registered area's."""
    found = list(_hours_blocker(ctx, business_day))
    for fn in parts.blockers():
        found.extend(fn(ctx, business_day))
    return found


# -- closing ---------------------------------------------------------------------------
def _default_day(ctx: Ctx) -> date:
    """The oldest open day (a day forgotten yesterday is closed first), else the last closed."""
    with ctx.store.read() as session:
        row = execute(session, "SELECT day FROM business_day WHERE state = 'open' "
                               "ORDER BY day LIMIT 1").first()
        if row is None:
            row = execute(session, "SELECT business_day AS day FROM day_close "
                                   "ORDER BY z_number DESC LIMIT 1").first()
    return date.fromisoformat(row.day) if row else ctx.today()


def _lift(computed: list[tuple[parts.Section, dict]]) -> tuple[dict, dict[str, int]]:
    """Receipt numbers and totals that sections offered, merged."""
    receipts: dict[str, Any] = {"first": None, "last": None, "count": None}
    totals: dict[str, int] = {}

    def order(v: Any) -> tuple[int, str]:
        return (len(str(v)), str(v))

    for section, figs in computed:
        rec = figs.get("receipts") or {}
        first, last = rec.get("first"), rec.get("last")
        if first is not None and (receipts["first"] is None
                                  or order(first) < order(receipts["first"])):
            receipts["first"] = str(first)
        if last is not None and (receipts["last"] is None
                                 or order(last) > order(receipts["last"])):
            receipts["last"] = str(last)
        if rec.get("count") is not None:
            receipts["count"] = (receipts["count"] or 0) + int(rec["count"])
        for name, value in (figs.get("totals") or {}).items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"section {section.key}: total {name!r} is not an integer")
            totals[f"{section.key}.{name}"] = value
    return receipts, totals


def close_day(ctx: Ctx, *, business_day: date | None = None, force: bool = False,
              reason: str | None = None, command_id: str | None = None,
              reports_dir: Path | None = None) -> CloseResult:
    """Close (日结) a business day and write its report; see the module docstring.

    Refuses (``Refused``, one line per blocker) while anything blocks, unless the
    hall manager forces it with a reason. On a day already closed it only writes
    report files that are missing (finishing a closing interrupted after commit).
    """
    actor = require(ctx.actor, "day.close")
    day = business_day or _default_day(ctx)
    reason = free_text(reason, what=_("A reason")) or None
    if force:
        require(ctx.actor, "day.force_close")
        if reason is None:
            raise BadInput(_("A forced close needs a reason (--reason)."))
    if reason is not None and len(reason) > MAX_REASON:
        raise BadInput(_("The reason is at most {n} characters.").format(n=MAX_REASON))
    text_path, json_path = report_paths(ctx, day, reports_dir)
    folder = text_path.parent
    remove_leftovers(folder, f".{REPORT_PREFIX}*.tmp")  # a crashed close's temporary files
    if command_id is None or not _command_done(ctx, command_id):
        finished = _finish_closed(ctx, day, folder)
        if finished is not None:
            return finished

    def work(uow: UnitOfWork) -> CloseResult:
        state = uow.sql("SELECT state FROM business_day WHERE day = :d",
                        {"d": day.isoformat()}).scalar()
        if state is None:
            raise Refused(_("Business day {day} was never opened; there is nothing to close.")
                          .format(day=day.isoformat()))
        if state != "open":
            raise Refused(_("Business day {day} is already closed.").format(day=day.isoformat()))
        # Asked inside the write lock: nothing can change between the check and the close.
        found = blockers(ctx, day)
        if found and not force:
            lines = [_("Business day {day} cannot be closed yet:").format(day=day.isoformat())]
            lines += [f"- {line}" for line in found]
            lines.append(_("Finish these first, or the hall manager forces the close with "
                           "--force --reason."))
            raise Refused("\n".join(lines))
        return _close(uow, actor, day, found, force=force, reason=reason,
                      files=(str(text_path), str(json_path)))

    result = run_write(ctx, "day.close", work, command_id=command_id, result_type=CloseResult)
    _write_files(ctx, day, folder)
    return result


def _command_done(ctx: Ctx, command_id: str) -> bool:
    with ctx.store.read() as session:
        return execute(session, "SELECT 1 FROM command WHERE id = :i",
                       {"i": command_id.strip()}).first() is not None


def _close(uow: UnitOfWork, actor: Actor, day: date, found: list[str], *, force: bool,
           reason: str | None, files: tuple[str, str]) -> CloseResult:
    """The closing itself, inside the write transaction."""
    computed = [(s, s.compute(uow, day)) for s in parts.sections()]
    receipts, totals = _lift(computed)
    totals["closing.days"] = 1
    z = uow.next_number("z")
    prev = uow.sql("SELECT z_number, grand_totals_json, audit_head_seq, audit_head_hash "
                   "FROM day_close ORDER BY z_number DESC LIMIT 1").first()
    grand: dict[str, int] = json.loads(prev.grand_totals_json) if prev else {}
    for key, value in totals.items():
        grand[key] = grand.get(key, 0) + value
    first_seq = (prev.audit_head_seq + 1) if prev else 1
    from hallterm.services.audit import GENESIS

    prev_head = prev.audit_head_hash if prev else GENESIS
    uow.audit("day.close", entity="business_day", entity_id=day.isoformat(), business_day=day,
              payload={"z_number": z, "forced": force, "reason": reason, "blockers": found,
                       "receipts": receipts, "totals": totals})
    head = uow.sql("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").one()
    head_seq, head_hash = head.seq, head.hash
    by_action = {r.action: r.n for r in uow.sql(
        "SELECT action, count(*) AS n FROM audit_log WHERE business_day = :d GROUP BY action "
        "ORDER BY action", {"d": day.isoformat()}).all()}
    hall = uow.sql("SELECT code, name_zh, name_en FROM hall WHERE id = 1").one()
    record = {
        "z_number": z, "closed_at": uow.now.isoformat(), "closed_by": actor.empno,
        "closed_by_name": actor.name, "forced": force, "reason": reason, "blockers": found,
        "audit_first_seq": first_seq, "audit_head_seq": head_seq, "audit_head_hash": head_hash,
        "prev_audit_head_hash": prev_head, "audit_rows_by_action": by_action,
    }
    report = {
        "format": REPORT_FORMAT,
        "generator": f"hallterm {__version__}",
        "hall": {"code": hall.code, "name_zh": hall.name_zh, "name_en": hall.name_en},
        "business_day": day.isoformat(),
        "z_number": z,
        "receipts": receipts,
        "totals": totals,
        "grand_totals": grand,
        "sections": [{"key": "day", "title": DAY_TITLE, "figures": record}]
        + [{"key": s.key, "title": s.title, "figures": f} for s, f in computed],
    }
    # Insert before the flip: the day-lock triggers refuse it once the day is closed.
    uow.sql(
        "INSERT INTO day_close (business_day, z_number, closed_at, closed_by, closed_by_empno, "
        "forced, reason, blockers_json, first_receipt, last_receipt, receipt_count, "
        "totals_json, grand_totals_json, audit_first_seq, audit_head_seq, audit_head_hash, "
        "prev_audit_head_hash, generator, report_json) VALUES (:d, :z, :at, :by, :empno, "
        ":forced, :reason, :blockers, :first, :last, :count, :totals, :grand, :fseq, :hseq, "
        ":hhash, :prev, :gen, :report)",
        {"d": day.isoformat(), "z": z, "at": utc_text(uow.now), "by": actor.id,
         "empno": actor.empno, "forced": bool(force), "reason": reason,
         "blockers": _dumps(found), "first": receipts["first"], "last": receipts["last"],
         "count": receipts["count"], "totals": _dumps(totals), "grand": _dumps(grand),
         "fseq": first_seq, "hseq": head_seq, "hhash": head_hash, "prev": prev_head,
         "gen": f"hallterm {__version__}", "report": _dumps(report)},
    )
    uow.sql("UPDATE business_day SET state = 'closed', closed_at = :at, closed_by = :by, "
            "z_number = :z WHERE day = :d",
            {"at": utc_text(uow.now), "by": actor.id, "z": z, "d": day.isoformat()})
    return CloseResult(day, z, uow.now, actor.empno, force, tuple(found), *files)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# -- the report files ------------------------------------------------------------------
REPORT_PREFIX = "day-report-"


def _file_name(day: date, ext: str) -> str:
    return f"{REPORT_PREFIX}{day.isoformat()}.{ext}"


@dataclass(frozen=True)
class _Stored:
    """A closed day's stored record, as the report files are written from it."""

    z_number: int
    report_json: str
    closed_by: str
    forced: bool
    blockers: tuple[str, ...]
    closed_at: datetime


def _stored(ctx: Ctx, day: date) -> _Stored | None:
    with ctx.store.read() as session:
        row = execute(session, "SELECT z_number, report_json, closed_by_empno, forced, "
                               "blockers_json, closed_at FROM day_close WHERE business_day = :d",
                      {"d": day.isoformat()}).first()
    if row is None:
        return None
    return _Stored(row.z_number, row.report_json, row.closed_by_empno, bool(row.forced),
                   tuple(json.loads(row.blockers_json)),
                   datetime.fromisoformat(row.closed_at).astimezone(ctx.clock.tz))


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that it is either absent or complete (temp + replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_files(ctx: Ctx, day: date, folder: Path, *, only_missing: bool = False) -> int:
    """Write the day's report as text and JSON from the stored record; returns files written."""
    stored = _stored(ctx, day)
    if stored is None:
        raise NotFound(_("Business day {day} is not closed; it has no report.").format(
            day=day.isoformat()))
    data = json.loads(stored.report_json)
    written = 0
    try:
        for ext, text in (("json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"),
                          ("txt", render(data) + "\n")):
            path = folder / _file_name(day, ext)
            if only_missing and path.exists():
                continue
            _write_atomic(path, text)
            written += 1
    except OSError as exc:
        raise CheckFailed(_("Business day {day} is closed (Z {z}) but its report could not be "
                            "written to {folder}: {error}. Run the close again to write it.")
                          .format(day=day.isoformat(), z=stored.z_number, folder=folder,
                                  error=exc.strerror or exc)) from exc
    return written


def _finish_closed(ctx: Ctx, day: date, folder: Path) -> CloseResult | None:
    """On a closed day: write missing report files (finishing a crashed close) or refuse."""
    stored = _stored(ctx, day)
    if stored is None:
        return None
    z = stored.z_number
    text, js = folder / _file_name(day, "txt"), folder / _file_name(day, "json")
    if text.exists() and js.exists():
        raise Refused(_("Business day {day} is already closed (Z {z}); its report is {path}.")
                      .format(day=day.isoformat(), z=z, path=text))
    _write_files(ctx, day, folder, only_missing=True)
    return CloseResult(day, z, stored.closed_at, stored.closed_by, stored.forced,
                       stored.blockers, str(text), str(js), finished_only=True)


def report_paths(ctx: Ctx, day: date, reports_dir: Path | None = None) -> tuple[Path, Path]:
    """Where the day's text and JSON report files are (or will be)."""
    folder = reports_dir or ctx.extra.get("reports_dir") or ctx.store.folder / "reports"
    return Path(folder) / _file_name(day, "txt"), Path(folder) / _file_name(day, "json")


def report(ctx: Ctx, business_day: date) -> DayReport:
    """A closed day's stored report, with its text rendered in the current language."""
    stored = _stored(ctx, business_day)
    if stored is None:
        raise NotFound(_("Business day {day} is not closed; it has no report.").format(
            day=business_day.isoformat()))
    data = json.loads(stored.report_json)
    return DayReport(business_day, stored.z_number, data, render(data))


# -- the manager's home screen ---------------------------------------------------------
@figures.register(order=90)
def _closing_figure(ctx: Ctx, business_day: date) -> list[tuple[str, str]]:
    with ctx.store.read() as session:
        z = execute(session, "SELECT z_number FROM day_close WHERE business_day = :d",
                    {"d": business_day.isoformat()}).scalar()
    if z is not None:
        return [(_("Day closed"), _("Z {z}").format(z=z))]
    found = blockers(ctx, business_day)
    return [(_("Closing blockers"), str(len(found)) if found else _("none"))]
