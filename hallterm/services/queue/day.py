"""The queue's part of closing, the day report, the export and the home figures.

Registered at import (``day.load_areas`` imports every service module):
a closing blocker (tickets still waiting, called, serving or parked — 全部办理完毕后
再结束营业), the "Queue" section of the day report (``queue.figures_in``), the
day's tickets, visits, ticket events and counter events for HQ (no customer data:
tickets carry none; appointment codes are left out), and the manager's headline.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime

from hallterm.i18n import N_, _
from hallterm.services import figures
from hallterm.services.day import Section, register_blocker, register_export, register_section
from hallterm.services.export import ExportTable
from hallterm.services.queue.figures import day_figures, figures_in
from hallterm.services.queue.reads import blockers
from hallterm.store import execute


@register_blocker
def _tickets_open(ctx, business_day: date) -> list[str]:
    """Closing: nobody may still wait or be served."""
    open_tickets = blockers(ctx, business_day)
    if not open_tickets:
        return []
    waiting = [t.number for t in open_tickets if t.state == "waiting"]
    held = [f"{t.number}@{t.counter}" for t in open_tickets if t.state != "waiting"]
    out = []
    if waiting:
        out.append(_("{n} ticket(s) still waiting: {numbers}").format(
            n=len(waiting), numbers=" ".join(waiting[:20]) + (" …" if len(waiting) > 20 else "")))
    if held:
        out.append(_("{n} ticket(s) still at a counter: {numbers}").format(
            n=len(held), numbers=" ".join(held[:20])))
    return out


def _hall_of(session):
    from hallterm.hallconfig import parse_hall

    text = execute(session, "SELECT config_json FROM hall WHERE id = 1").scalar()
    return parse_hall(json.loads(text), source="store")


def compute(uow_or_session, business_day: date) -> dict:
    """The queue figures of the day, JSON-able, inside the closing transaction."""
    session = getattr(uow_or_session, "session", uow_or_session)
    now = getattr(uow_or_session, "now", None)
    if now is None:  # a bare session: the day's last queue event stands for "now"
        last = execute(session, "SELECT max(at) FROM ticket_event WHERE business_day = :d",
                       {"d": business_day.isoformat()}).scalar()
        now = datetime.fromisoformat(last) if last else datetime.fromisoformat(
            f"{business_day.isoformat()}T23:59:59+00:00")
    figs = figures_in(session, _hall_of(session), business_day, now)
    data = asdict(figs)
    data["business_day"] = business_day.isoformat()
    # Integer totals the closing adds up across days (grand totals).
    data["totals"] = {"tickets_issued": figs.total.issued, "tickets_served": figs.total.served}
    return data


def _m(seconds) -> str:
    return "-" if seconds is None else _("{minutes} min").format(minutes=round(seconds / 60))


def render(figs: dict) -> list[str]:
    """The queue section as translated text lines."""
    from hallterm.i18n import get_language

    zh = get_language().startswith("zh")
    out = []
    for s in [*figs["services"], figs["total"]]:
        if not s["issued"] and s is not figs["total"]:
            continue
        share = "-" if s["within_target"] is None else f"{s['within_target']:.0%}"
        out.append(_("{code} {name}: issued {issued}, served {served}, no-show {no_show}, "
                     "cancelled {cancelled}, transferred {transferred}").format(
            code=s["code"], name=s["name_zh"] if zh else s["name_en"], issued=s["issued"],
            served=s["served"], no_show=s["no_show"], cancelled=s["cancelled"],
            transferred=s["transferred"]))
        out.append(_("  wait avg {avg}, p90 {p90}, longest {longest}; within {target} min: "
                     "{share}; service avg {savg}, p90 {sp90}").format(
            avg=_m(s["avg_wait_s"]), p90=_m(s["p90_wait_s"]), longest=_m(s["longest_wait_s"]),
            target=figs["target_wait_minutes"], share=share, savg=_m(s["avg_service_s"]),
            sp90=_m(s["p90_service_s"])))
    return out


register_section(Section(key="queue", title=N_("Queue"), compute=compute,
                                           render=render, order=20))

for _name, _table, _fields in (
    ("tickets", "ticket",
     (("id", "integer", "Ticket row id"), ("business_day", "date", "Business day"),
      ("number", "string", "Ticket number, e.g. A012"),
      ("hop", "integer", "0, or the n-th transfer of the number"),
      ("service", "string", "Service code"),
      ("priority", "string", "vip, care, appointment or normal"),
      ("visit_id", "integer", "Visit"), ("state", "string", "Final state"),
      ("issued_at", "datetime", "Issued at (UTC; kept on transfer)"),
      ("issued_by", "string", "kiosk or the guide's employee number"),
      ("counter", "integer", "Counter that called it"),
      ("first_called_at", "datetime", "First call (UTC)"),
      ("called_at", "datetime", "Last call (UTC)"),
      ("serving_at", "datetime", "Service started (UTC)"),
      ("finished_at", "datetime", "Ended (UTC)"), ("recalls", "integer", "Recalls"),
      ("misses", "integer", "Times missed"), ("parked_s", "integer", "Seconds parked"),
      ("auto_reinserted", "boolean", "Re-inserted automatically after a miss"),
      ("transferred_from", "integer", "Previous hop's row id"),
      ("call_rule", "string", "Why it was called: line, priority, ratio or aging"))),
    ("visits", "visit",
     (("id", "integer", "Visit id"), ("business_day", "date", "Business day"),
      ("opened_at", "datetime", "Opened at (UTC)"),
      ("terminal", "string", "Terminal that issued the ticket"))),
    ("ticket_events", "ticket_event",
     (("id", "integer", "Event id"), ("business_day", "date", "Business day"),
      ("ticket_id", "integer", "Ticket row id"), ("at", "datetime", "At (UTC)"),
      ("kind", "string", "issue, call, recall, start, park, resume, finish, no_show, "
                         "reinsert, transfer or cancel"),
      ("counter", "integer", "Counter"), ("priority", "string", "Ticket class"),
      ("actor", "string", "Employee number or kiosk"))),
    ("counter_events", "counter_event",
     (("id", "integer", "Event id"), ("business_day", "date", "Business day"),
      ("counter", "integer", "Counter"), ("state", "string", "open, paused, closing, closed"),
      ("clerk_id", "integer", "Staff id of the clerk at the counter"),
      ("at", "datetime", "At (UTC)"), ("actor", "string", "Who changed it"))),
):
    register_export(ExportTable(
        name=_name, source=f"FROM {_table} WHERE business_day = :day", fields=_fields,
        primary_key=("id",), key_column="id",
        description=f"Queue area: {_name}", order=20))


@figures.register(order=20)
def _queue_today(ctx, business_day: date) -> list[tuple[str, str]]:
    """Headline: tickets issued, waiting now, average wait."""
    t = day_figures(ctx, business_day=business_day).total
    return [(_("Tickets issued"), str(t.issued)), (_("Waiting now"), str(t.still_waiting)),
            (_("Average wait"), _m(t.avg_wait_s))]
