"""``hallterm handover``: scripted with options and PINs from the environment, interactive prompts."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.services import cash, handover, queue
from tests.sales_fixtures import HANDSETS, PIN, SIMS
from tests.test_handover import FLOAT, counter_hall

runner = CliRunner()
SERIALS = [*HANDSETS[:3], *SIMS[:2]]
COUNTS = ["--count", "ACC-CABLE-C=10", "--count", "ACC-CASE=5"]


def run(hall, *args, input=None, pins=True, outgoing_pin=PIN):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00"}
    if pins:
        env.update(HALLTERM_OUTGOING_PIN=outgoing_pin, HALLTERM_INCOMING_PIN=PIN,
                   HALLTERM_WITNESS_PIN=PIN)
    return runner.invoke(app, ["handover", *args, "--store", str(hall.path)], env=env,
                         input=input)


def serial_args(serials):
    return [x for s in serials for x in ("--serial", s)]


def test_scripted_shortage_missing_serial_reason_and_witness(hall):
    counter_hall(hall)
    common = ["--counter", "1", "--outgoing", "8004", "--incoming", "8005", "--pin-from-env"]
    count = ["--cash", "490", *serial_args(SERIALS[1:]), *COUNTS]
    r = run(hall, *common, *count)
    assert r.exit_code == 3, r.output  # a difference without a reason is refused
    assert "reason" in r.stderr and "expected ¥500.00" in r.stdout
    r = run(hall, *common, "--reason", "short change; handset at the demo table")
    assert r.exit_code == 3, r.output  # worth more than the threshold: the witness is needed
    assert "witness" in r.stderr
    r = run(hall, *common, "--reason", "short change", "--witness", "8005")
    assert r.exit_code == 3, r.output  # a clerk may not witness
    r = run(hall, *common, "--reason", "short change", "--stock-reason", "handset lent out",
            "--witness", "8002", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["state"] == "done" and data["incoming"] == "8005" and data["witness"] == "8002"
    assert data["difference_fen"] == -1000 and data["cash_reason"] == "short change"
    assert [x["serial"] for x in data["lines"] if x["status"] == "missing"] == [HANDSETS[0]]
    assert data["stock_reason"] == "handset lent out"
    drawer = cash.expected_cash(hall.manager, counter=1)
    assert drawer.counted_fen == 49_000 and drawer.counted_since_last_cash
    info = next(c for c in queue.queue_status(hall.manager).counters if c.number == 1)
    assert (info.state, info.clerk) == ("open", "8005")


def test_bad_input_wrong_pin_and_busy(hall, monkeypatch, tmp_path):
    counter_hall(hall)
    base = ["--counter", "1", "--outgoing", "8004", "--incoming", "8005", "--pin-from-env"]
    r = run(hall, *base, "--cash", "abc")
    assert r.exit_code == 2 and "Not an amount" in r.stderr
    r = run(hall, *base, "--cash", "500", "--count", "ACC-CASE=five")
    assert r.exit_code == 2 and "SKU=N" in r.stderr
    r = run(hall, *base, "--cash", "500", "--denominations", "3x1")
    assert r.exit_code == 2
    r = run(hall, *base, "--cash", "500", "--serials-file", str(tmp_path / "nope.txt"))
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = run(hall, *base, "--cash", "500", pins=False)
    assert r.exit_code == 2 and "HALLTERM_OUTGOING_PIN" in r.stderr
    r = run(hall, *base, "--cash", "500", outgoing_pin="000000")
    assert r.exit_code == 3 and "wrong PIN" in r.stderr
    assert handover.active(hall.manager, counter=1) is None  # nothing was started
    r = run(hall, *base, "--day-end")
    assert r.exit_code == 2

    from hallterm.errors import StoreUnavailable

    def busy(*args, **kwargs):
        raise StoreUnavailable("The store is busy; try again in a moment.")

    monkeypatch.setattr(handover, "start", busy)
    r = run(hall, *base, "--cash", "500")
    assert r.exit_code == 75 and "busy" in r.stderr


def test_interactive_blind_count_by_denomination(hall, tmp_path):
    counter_hall(hall)
    answers = ["8004", PIN, "100x5", *SERIALS, "", "ACC-CABLE-C=10,ACC-CASE=5", "8005", PIN]
    r = run(hall, "--counter", "1", input="\n".join(answers) + "\n", pins=False)
    assert r.exit_code == 0, r.output
    before, _sep, after = r.stdout.partition("Cash: counted")
    assert "expected" not in before.lower() and "¥500" not in before
    assert "expected ¥500.00, difference ¥0.00" in after
    assert PIN not in r.stdout  # PINs are hidden
    assert "8005 now serves at counter 1" in r.stdout
    done = handover.handovers(hall.manager)[0]
    assert done.denominations == ((10000, 5),) and done.state == "done"


def test_day_end_and_restart(hall, tmp_path):
    counter_hall(hall)
    base = ["--counter", "1", "--outgoing", "8004", "--pin-from-env"]
    r = run(hall, *base, "--cash", "1", "--day-end", "--reason", "oops")
    assert r.exit_code == 3  # worth more than the threshold and no witness
    first = handover.active(hall.manager, counter=1)
    assert first.state == "counted"
    serials = tmp_path / "serials.txt"
    serials.write_text("# counter 1\n" + "\n".join(SERIALS) + "\n", encoding="utf-8")
    r = run(hall, *base, "--day-end", "--restart", "--cash", "500", "--serials-file",
            str(serials), *COUNTS, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["kind"] == "day_end" and data["incoming"] is None
    assert data["number"] != first.number
    assert handover.get(hall.manager, handover_id=first.id).state == "cancelled"
    info = next(c for c in queue.queue_status(hall.manager).counters if c.number == 1)
    assert info.state == "closed"
    assert cash.expected_cash(hall.manager, counter=1).difference_fen == 0


def test_cancel_puts_the_counter_back(hall):
    counter_hall(hall)
    base = ["--counter", "1", "--outgoing", "8004", "--pin-from-env"]
    r = run(hall, *base)
    assert r.exit_code == 2  # no count given, no prompts: the handover is started, paused
    assert handover.active(hall.manager, counter=1).state == "started"
    r = run(hall, *base, "--cancel", "--reason", "clerk stays on")
    assert r.exit_code == 0, r.output
    info = next(c for c in queue.queue_status(hall.manager).counters if c.number == 1)
    assert (info.state, info.clerk) == ("open", "8004")
    assert cash.expected_cash(hall.manager, counter=1).expected_fen == FLOAT


def test_interactive_stopped_halfway_resumes(hall):
    counter_hall(hall)
    answers = ["8004", PIN, "495", *SERIALS, "", "ACC-CABLE-C=10,ACC-CASE=5"]
    r = run(hall, "--counter", "1", input="\n".join(answers) + "\n", pins=False)
    assert r.exit_code == 2 and "run the command again to resume" in r.stderr
    assert handover.active(hall.manager, counter=1).state == "counted"
    r = run(hall, "--counter", "1", input="\n".join(["8004", PIN, "counted twice", "8002", PIN,
                                                     "8005", PIN]) + "\n", pins=False)
    assert r.exit_code == 0, r.output
    assert "counted ¥495.00, expected ¥500.00" in r.stdout
    done = handover.handovers(hall.manager)[0]
    assert (done.cash_reason, done.witness, done.incoming) == ("counted twice", "8002", "8005")


def test_scripted_refusal_for_a_missing_reason_names_the_step_that_finishes_it(hall):
    """Issue 11: a missing stock reason left a paused counter and no way forward but --restart."""
    counter_hall(hall)
    base = ["--counter", "1", "--outgoing", "8004", "--pin-from-env", "--day-end",
            "--cash", "500", *serial_args(SERIALS), "--count", "ACC-CABLE-C=9",
            "--count", "ACC-CASE=5"]
    r = run(hall, *base)
    assert r.exit_code == 3, r.output
    # the count is recorded (blind: the difference shows only now) and the refusal says
    # exactly what finishes it
    first = handover.active(hall.manager, counter=1)
    assert first.state == "counted"
    assert first.number in r.stderr and "--stock-reason TEXT" in r.stderr
    assert "--cancel --reason" in r.stderr
    r = run(hall, *base, "--stock-reason", "one cable sold unrecorded")
    assert r.exit_code == 0, r.output
    assert "already recorded and kept" in r.stdout and "--restart to count again" not in r.stdout
    done = handover.get(hall.manager, handover_id=first.id)
    assert done.state == "done" and done.stock_reason == "one cable sold unrecorded"
    info = next(c for c in queue.queue_status(hall.manager).counters if c.number == 1)
    assert info.state == "closed"
