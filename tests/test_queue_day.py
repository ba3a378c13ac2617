"""The queue in closing: blockers, the day report section, the export tables, the headline."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hallterm.errors import Refused
from hallterm.services import queue
from hallterm.services.day import closing
from hallterm.services.day import parts as dayparts
from hallterm.services.queue import day as queue_day
from hallterm.store import execute


def test_waiting_tickets_block_the_close_and_the_report_has_the_queue(hall, tmp_path):
    clerk = replace(hall.add("8004", "sales"), counter=1)
    queue.set_counter_state(clerk, counter=1, state="open")
    queue.issue_ticket(hall.ctx, service="A")
    queue.issue_ticket(hall.ctx, service="A", priority="vip")
    hall.clock.advance(minutes=5)
    queue.call_next(clerk)
    day = hall.clock.now().date()
    lines = queue_day._tickets_open(hall.manager, day)
    assert lines[0].startswith("1 ticket(s) still waiting: A001")
    assert "A002@1" in lines[1]
    hall.clock.set(hall.clock.now().replace(hour=18, minute=30))
    with pytest.raises(Refused, match="still waiting"):
        closing.close_day(hall.manager, reports_dir=tmp_path)
    queue.start_serving(clerk)
    hall.clock.advance(minutes=3)
    queue.finish(clerk)
    queue.call_next(clerk)
    queue.finish(clerk)
    queue.set_counter_state(clerk, counter=1, state="closed")
    assert queue_day._tickets_open(hall.manager, day) == []
    closing.close_day(hall.manager, reports_dir=tmp_path)
    report = closing.report(hall.manager, day)
    assert "A Top-up and bill payment: issued 2, served 2" in report.text
    section = next(s for s in report.data["sections"] if s["key"] == "queue")
    assert section["figures"]["total"]["served"] == 2


def test_export_queries_and_headline(hall):
    queue.issue_ticket(hall.ctx, service="B")
    day = hall.clock.now().date()
    tables = {t.name: t for t in dayparts.exports()}
    with hall.ctx.store.read() as session:
        for name in ("tickets", "visits", "ticket_events", "counter_events"):
            t = tables[name]
            rows = execute(session, t.query, {"day": day.isoformat(), "after": 0,
                                              "limit": 10}).all()
            assert all(len(r) == len(t.fields) for r in rows)
    assert "appointment_code" not in tables["tickets"].query
    head = dict(queue_day._queue_today(hall.manager, day))
    assert head["Tickets issued"] == "1" and head["Waiting now"] == "1"


def test_closing_blockers_come_in_one_order_whatever_was_imported_first():
    """The queue registers its blocker when any area imports it (cash does, for the
    keeper check): the closing list must not depend on that."""
    modules = [fn.__module__ for fn in dayparts.blockers()]
    assert "hallterm.services.queue.day" in modules
    assert modules == sorted(modules)
