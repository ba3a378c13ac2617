"""The day's queue figures (day report, closing, the manager's headline)."""

from __future__ import annotations

import math
from datetime import date, datetime

from hallterm.context import Ctx
from hallterm.hallconfig import HallConfig
from hallterm.services.queue.reads import _read_hall, _service_s
from hallterm.services.queue.rows import _TCOLS, _long_wait_s, _ticket
from hallterm.services.queue.views import DayFigures, ServiceFigures, TicketInfo
from hallterm.store import execute


# -- the day's figures ---------------------------------------------------------------
def _p90(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _avg(values: list[int]) -> int | None:
    return round(sum(values) / len(values)) if values else None


def _figures(code: str, zh: str, en: str, rows: list[tuple[TicketInfo, int]], target_s: int,
             now: datetime) -> ServiceFigures:
    tickets = [t for t, _hop in rows]
    called = [t for t in tickets if t.first_called_at is not None]
    waits = [t.wait_s for t in called]
    still = [t for t in tickets if t.state == "waiting"]
    all_waits = waits + [max(0, int((now - t.issued_at).total_seconds())) for t in still]
    services = [s for s in (_service_s(t) for t in tickets if t.state == "done") if s is not None]
    return ServiceFigures(
        code, zh, en,
        issued=sum(1 for _t, hop in rows if hop == 0),
        served=sum(1 for t in tickets if t.state == "done"),
        no_show=sum(1 for t in tickets if t.state == "no_show"),
        cancelled=sum(1 for t in tickets if t.state == "cancelled"),
        transferred=sum(1 for t in tickets if t.state == "transferred"),
        still_waiting=len(still),
        avg_wait_s=_avg(waits), p90_wait_s=_p90(waits),
        longest_wait_s=max(all_waits) if all_waits else None,
        avg_service_s=_avg(services), p90_service_s=_p90(services),
        parked_s=sum(t.parked_s for t in tickets),
        within_target=(sum(1 for w in waits if w <= target_s) / len(waits)) if waits else None,
    )


def day_figures(ctx: Ctx, *, business_day: date) -> DayFigures:
    """Per service: issued, served, no-show, cancelled, transferred; waits and service times.

    Waits run from the original issue time to the ticket's first call in that
    service; service time excludes parked time; "within target" is the share of
    called tickets whose wait was at most ``target_wait_minutes``.
    """
    hall = _read_hall(ctx)
    with ctx.store.read() as session:
        return figures_in(session, hall, business_day, ctx.now())


def figures_in(session, hall: HallConfig, business_day: date, now: datetime) -> DayFigures:
    """``day_figures`` on an open session (closing computes them inside its transaction)."""
    raw = execute(session, f"SELECT {_TCOLS}, hop FROM ticket WHERE business_day = :d "
                  "ORDER BY id", {"d": business_day.isoformat()}).all()
    target_s = hall.thresholds.target_wait_minutes * 60
    rows = [(_ticket(r, now, _long_wait_s(hall)), r.hop) for r in raw]
    per = [_figures(s.code, s.name_zh, s.name_en, [x for x in rows if x[0].service == s.code],
                    target_s, now) for s in hall.services]
    total = _figures("*", "合计", "Total", rows, target_s, now)
    return DayFigures(business_day, hall.thresholds.target_wait_minutes, per, total)
