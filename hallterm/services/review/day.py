"""The review's day parts: the day report's section (open exceptions) and the home figure.

The reviews of a closed day are written in the next open day, so that day's report
(Z report, and the X report before it) lists every exception still open when it
closes, with the reviews done that day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hallterm.context import Ctx
from hallterm.i18n import N_, _
from hallterm.permissions import allowed
from hallterm.services import figures
from hallterm.services.day import Section, register_section
from hallterm.services.review.loop import category_label, state_label
from hallterm.services.review.reads import open_exceptions_in
from hallterm.store import execute


def compute(uow_or_session: Any, business_day: date) -> dict[str, Any]:
    """The reviews written on ``business_day`` and every exception open at its close."""
    session = getattr(uow_or_session, "session", uow_or_session)
    done = {r.action: int(r.n) for r in execute(
        session, "SELECT action, COUNT(*) AS n FROM review_event WHERE business_day = :d "
        "GROUP BY action", {"d": business_day.isoformat()}).all()}
    open_ = [{"day": e.target_day.isoformat(), "ref": e.ref, "owner": e.owner,
              "state": e.state, "category": e.category, "note": e.note}
             for e in open_exceptions_in(session)]
    return {"reviews": done, "open": open_}


def render(figs: dict[str, Any]) -> list[str]:
    """The section as translated lines."""
    done = figs.get("reviews", {})
    out = [_("Reviews today: {ok} OK, {exc} exceptions, {acc} accepted, {back} sent back").format(
        ok=done.get("ok", 0), exc=done.get("exception", 0), acc=done.get("accepted", 0),
        back=done.get("reopened", 0))]
    items = figs.get("open", [])
    if not items:
        out.append(_("No open review exceptions."))
        return out
    out.append(_("Open review exceptions: {n}").format(n=len(items)))
    for e in items:
        out.append(_("  {day} {ref} ({owner}): {state}, {category} — {note}").format(
            day=e["day"], ref=e["ref"], owner=e["owner"], state=state_label(e["state"]),
            category=category_label(e["category"]), note=e["note"] or ""))
    return out


register_section(Section("review", N_("Audit review (稽核)"), compute, render, order=90))


@figures.register(order=80)
def _open_exceptions(ctx: Ctx, business_day: date) -> list[tuple[str, str]]:
    if ctx.actor is None or not allowed(ctx.actor.roles, "review.read"):
        return []
    with ctx.store.read() as session:
        count = len(open_exceptions_in(session))
    return [(_("Open review exceptions"), str(count))]
