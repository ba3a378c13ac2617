"""Snapshots of the Reception screen, the counter panel and the hall display (frozen clock).

Regenerate after an intended change with
``uv run pytest tests/test_queue_snapshots.py --snapshot-update`` and look at the
report before committing ``tests/__snapshots__``.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from hallterm.services import queue
from tests.pilot import settle
from tests.test_queue_screens import HostApp


@pytest.fixture
def busy(hall):
    """Tickets of every class, one long wait, counter 1 serving, counter 4 closing."""
    clerk = replace(hall.add("8004", "sales"), counter=1)
    hall.add("8007", "retention")
    queue.issue_ticket(hall.ctx, service="A")
    hall.clock.advance(minutes=25)
    for service, priority, code in (("A", "vip", None), ("A", "care", None),
                                    ("B", "appointment", "AP-7"), ("D", "normal", None)):
        queue.issue_ticket(hall.ctx, service=service, priority=priority, appointment=code)
    queue.set_counter_state(clerk, counter=1, state="open")
    queue.set_counter_state(hall.manager, counter=4, state="open", clerk="8007")
    sun = replace(hall.as_("8007"), counter=4)  # only the keeper puts up the closing sign
    queue.set_counter_state(sun, counter=4, state="closing")
    hall.clock.advance(minutes=2)
    hall.clerk = clerk
    return hall


def test_reception(snap_compare, busy):
    from screens.posts.reception import ReceptionScreen

    guide = busy.add("8003", "guide")
    assert snap_compare(HostApp(guide, ReceptionScreen), terminal_size=(120, 40),
                        run_before=settle)


def test_counter_panel_with_apology(snap_compare, busy):
    from screens.posts.counter import CounterScreen

    busy.clock.advance(minutes=10)
    queue.call_next(busy.clerk)  # the VIP, then (ratio) the long-waiting normal ticket
    queue.finish(busy.clerk)
    queue.call_next(busy.clerk)
    queue.finish(busy.clerk)
    queue.call_next(busy.clerk)
    assert snap_compare(HostApp(busy.clerk, CounterScreen), terminal_size=(80, 24),
                        run_before=settle)


def test_display(snap_compare, busy):
    from screens.display import DisplayApp

    queue.call_next(busy.clerk)
    assert snap_compare(DisplayApp(busy.ctx), terminal_size=(100, 30), run_before=settle)
