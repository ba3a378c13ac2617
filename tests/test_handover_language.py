"""What a handover passed on reads in the reader's language, whoever finished it in which."""

from __future__ import annotations

from dataclasses import replace

from hallterm.i18n import set_language
from hallterm.services import handover, queue
from tests.test_handover import FLOAT, FULL_COUNTS, counter_hall, full_serials, incoming


def finish_with_a_called_ticket(hall, language: str):
    ctx = hall.sales
    queue.issue_ticket(hall.manager, service="A")
    called = queue.call_next(replace(ctx, counter=1), counter=1)
    set_language(language)
    view = handover.start(ctx, counter=1, outgoing=ctx.actor)
    handover.submit_count(ctx, handover_id=view.id, cash_fen=FLOAT, serials=full_serials(),
                          counts=FULL_COUNTS)
    handover.review(ctx, handover_id=view.id)
    handover.finish(ctx, handover_id=view.id, incoming=incoming(ctx))
    set_language("en")
    return view.id, called.number


def test_a_handover_finished_in_chinese_reads_in_english_and_back(hall):
    counter_hall(hall)
    hid, number = finish_with_a_called_ticket(hall, "zh_CN")
    [item] = handover.get(hall.manager, handover_id=hid).pending
    assert handover.describe(item) == f"Ticket {number} (called) at counter 1"
    set_language("zh_CN")
    shown = handover.describe(item)
    assert number in shown and "Ticket" not in shown and "called" not in shown


def test_the_cli_shows_the_passed_on_lines_in_its_language(hall):
    counter_hall(hall)
    hid, number = finish_with_a_called_ticket(hall, "en")
    view = handover.get(hall.manager, handover_id=hid)
    set_language("zh_CN")
    from hallterm.cli.handover import _Io, _show_pending

    lines = []
    io = _Io(interactive=False, json_=False)
    io.say = lines.append
    _show_pending(io, view)
    assert any(number in line and "Ticket" not in line for line in lines), lines
