"""The complaints' part of the day report (Z and X) and of the HQ export.

The day report counts the complaints opened and closed that day, those overdue at
the close (the clocks computed from the events, as on screen), the day's complaints
by category and the compensation approved, by kind — cash paid out of the drawers
too, which the cash section counts as cash out. The export writes the day's
complaints, events and compensations with the customer minimised: the phone only
masked, no complaint text, summary or notes (free text that may name the customer),
the customer record by its id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hallterm.i18n import N_, _
from hallterm.money import format_fen
from hallterm.services.complaints import clock, records, workcal
from hallterm.services.complaints.money import KINDS
from hallterm.services.day import Section, register_export, register_section
from hallterm.services.export import ExportTable
from hallterm.store import execute


def _overdue(uow: Any, session: Any) -> list[str]:
    """The numbers of the complaints not closed and past a deadline, as of the report."""
    from hallterm.services.hall import hall_in

    hall = hall_in(uow)
    cal, settings = workcal.calendar_for(hall, uow.ctx.clock.tz), clock.settings_for(hall)
    events: dict[str, list[clock.Event]] = {}
    for r in execute(session, "SELECT c.number, e.at, e.kind, e.stage, e.actor FROM "
                     "complaint_status s JOIN complaint c ON c.id = s.complaint_id JOIN "
                     "complaint_event e ON e.complaint_id = c.id WHERE s.state IN ('open', "
                     "'paused', 'appealed') ORDER BY e.id").all():
        events.setdefault(r.number, []).append(clock.Event(
            r.at, r.kind, clock.STAGES[r.stage - 1] if r.stage else None, r.actor))
    return sorted(n for n, evs in events.items()
                  if clock.deadlines(evs, cal, settings, uow.now).overdue)


def compute(uow: Any, business_day: date) -> dict:
    """Opened, closed, overdue, by category, compensation by kind (integer fen)."""
    session = uow.session
    d = {"d": business_day.isoformat()}
    categories = {r.category: int(r.n) for r in execute(
        session, "SELECT category, COUNT(*) AS n FROM complaint WHERE business_day = :d "
        "GROUP BY category ORDER BY category", d).all()}
    closed = {r.result: int(r.n) for r in execute(
        session, "SELECT result, COUNT(*) AS n FROM complaint_event WHERE business_day = :d "
        "AND kind = 'closed' GROUP BY result ORDER BY result", d).all()}
    repeats = int(execute(session, "SELECT COUNT(*) FROM complaint WHERE business_day = :d "
                          "AND repeat_of IS NOT NULL", d).scalar() or 0)
    appeals = int(execute(session, "SELECT COUNT(*) FROM complaint_event WHERE business_day = "
                          ":d AND kind = 'appealed'", d).scalar() or 0)
    paid = {r.kind: {"count": int(r.n), "fen": int(r.fen)} for r in execute(
        session, "SELECT kind, COUNT(*) AS n, SUM(amount_fen) AS fen FROM complaint_compensation "
        "WHERE business_day = :d GROUP BY kind ORDER BY kind", d).all()}
    overdue = _overdue(uow, session)
    return {"opened": sum(categories.values()), "closed": sum(closed.values()),
            "closed_by_result": closed, "repeats": repeats, "appeals": appeals,
            "overdue": len(overdue), "overdue_numbers": overdue, "by_category": categories,
            "compensation": paid,
            "totals": {"compensation_fen": sum(p["fen"] for p in paid.values()),
                       "compensation_cash_fen": paid.get("cash", {}).get("fen", 0)}}


def render(figs: dict) -> list[str]:
    """The complaints section as translated text lines."""
    out = [_("Opened {opened}, closed {closed}, overdue {overdue}, repeat {repeats}, "
             "appealed {appeals}").format(**{k: figs[k] for k in (
                 "opened", "closed", "overdue", "repeats", "appeals")})]
    if figs["closed_by_result"]:
        out.append(_("Closed: {results}").format(results=", ".join(
            f"{records.label(records.RESULTS, k)} {n}" for k, n in figs["closed_by_result"].items())))
    for category, n in figs["by_category"].items():
        out.append(_("  {category}: {n}").format(
            category=records.label(records.CATEGORIES, category), n=n))
    if figs["overdue_numbers"]:
        out.append(_("Overdue: {numbers}").format(numbers=", ".join(figs["overdue_numbers"])))
    for kind, p in figs["compensation"].items():
        out.append(_("Compensation {kind}: {count}, {amount}").format(
            kind=records.label(KINDS, kind), count=p["count"], amount=format_fen(p["fen"])))
    return out


register_section(Section(key="complaints", title=N_("Complaints"), compute=compute,
                         render=render, order=60))

register_export(ExportTable(
    name="complaints",
    source="FROM complaint WHERE business_day = :day",
    fields=(("id", "integer", "Complaint id"),
            ("number", "string", "Complaint number TS<year>-<n>"),
            ("at", "datetime", "Opened (UTC)"),
            ("taken_by", "string", "Who took it, its first owner (employee number)"),
            ("counter", "integer", "Counter it was taken at (empty: by phone)"),
            ("channel", "string", "counter or phone"),
            ("category", "string", "billing, network, service, goods, business, broadband, "
             "other"),
            ("customer_id", "integer", "The customer record, when linked"),
            ("phone", "string", "The customer's phone, masked", "phone_masked"),
            ("receipt", "string", "Related receipt"), ("order_no", "string", "Related order"),
            ("ticket", "string", "Related queue ticket"),
            ("repeat_of", "string", "Earlier complaints of the same customer within the "
             "repeat window (numbers, comma-separated)")),
    primary_key=("id",), key_column="id", masked={"phone": "phone"},
    description="Complaints opened (投诉): no complaint text; the phone masked", order=70))
register_export(ExportTable(
    name="complaint_events",
    source="FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
           "WHERE e.business_day = :day",
    fields=(("id", "integer", "Event id", "e.id"),
            ("complaint", "string", "Complaint number", "c.number"),
            ("at", "datetime", "When (UTC)", "e.at"),
            ("kind", "string", "opened, stage_done, paused, resumed, transferred, accepted, "
             "appealed, closed", "e.kind"),
            ("stage", "integer", "Stage done (1 accept, 2 explain, 3 resolve, 4 follow up)",
             "e.stage"),
            ("actor", "string", "Who (employee number)", "e.actor"),
            ("to_empno", "string", "Transferred: offered to", "e.to_empno"),
            ("reference", "string", "Appealed: the regulator's reference", "e.reference"),
            ("result", "string", "Closed: satisfied, dissatisfied, unreachable", "e.result"),
            ("attempts", "integer", "Closed: follow-up attempts", "e.attempts")),
    primary_key=("id",), key_column="id",
    description="Complaint events of the day: no notes or summaries", order=71))
register_export(ExportTable(
    name="complaint_compensations",
    source="FROM complaint_compensation m JOIN complaint c ON c.id = m.complaint_id "
           "WHERE m.business_day = :day",
    fields=(("id", "integer", "Compensation id", "m.id"),
            ("complaint", "string", "Complaint number", "c.number"),
            ("at", "datetime", "Approved (UTC)", "m.at"),
            ("kind", "string", "cash, credit (bill credit), goods", "m.kind"),
            ("amount_fen", "integer", "Amount (fen)", "m.amount_fen"),
            ("actor", "string", "Proposed by (employee number)", "m.actor"),
            ("approver", "string", "Approved by (duty or hall manager)", "m.approver"),
            ("counter", "integer", "Cash: the drawer paid from", "m.counter"),
            ("cash_movement_id", "integer", "Cash: the drawer's movement",
             "m.cash_movement_id")),
    primary_key=("id",), key_column="id",
    description="Compensation approved for complaints; cash paid from a drawer", order=72))
