"""The counter's keeper is the only one who works it: every case seen on the demo hall.

Counter 1 is 8004's, counter 2 8005's, counter 5 8006's (serving a ticket); a
manager acts at another clerk's counter only with an override reason, audited.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.errors import Refused
from hallterm.services import cash, catalog, handover, queue, sales
from hallterm.services import queue as keeper
from hallterm.services.sales import PaymentIn, reversals
from hallterm.services.staff import approve
from hallterm.store import execute
from tests.keeper_fixtures import PIN, hand_over, make_demo, start_handover

runner = CliRunner()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The demo store, made once; each test works on its own copy."""
    demo = make_demo(tmp_path_factory.mktemp("demo-template"))
    demo.ctx.store.dispose()
    return demo


@pytest.fixture
def demo(template, tmp_path):
    import shutil

    from hallterm.bootstrap import open_ctx
    from tests.keeper_fixtures import Demo

    folder = tmp_path / "demo"
    shutil.copytree(template.path.parent, folder)
    settings = template.settings.model_copy(update={
        "store": folder / template.path.name, "key_file": folder / template.key_file.name})
    ctx = open_ctx(settings, None, clock=template.clock)
    made = Demo(settings.store, settings.key_file, settings, template.clock, ctx)
    yield made
    ctx.store.dispose()


def cli(demo, *args):
    return runner.invoke(app, [*args, "--store", str(demo.path)], env=demo.env())


def line(ctx, code, serial=None):
    return sales.line_from_item(catalog.lookup(ctx, code=code), serial=serial)


def sell_data_pack(ctx, counter):
    return sales.complete_sale(ctx, counter=counter, visit_id=None,
                               lines=[line(ctx, "SVC-DATA-10G")],
                               payments=[PaymentIn("cash", 3000, 5000)])


def audit(demo, action):
    with demo.ctx.store.read() as session:
        return [r[0] for r in execute(session, "SELECT payload FROM audit_log WHERE action = :a "
                                      "ORDER BY seq", {"a": action}).all()]


def first_receipt(demo, counter):
    with demo.ctx.store.read() as session:
        return execute(session, "SELECT receipt_no FROM sale WHERE counter = :c AND "
                       "state = 'completed' ORDER BY id", {"c": counter}).scalar()


# -- services -----------------------------------------------------------------------------
def test_after_a_handover_the_outgoing_clerk_neither_sells_nor_calls(demo):
    hand_over(demo, 1, "8004", "8007")
    chen = demo.as_("8004", counter=1)
    with pytest.raises(Refused, match=r"Counter 1 is kept by .*\(8007\)"):
        sell_data_pack(chen, 1)
    with pytest.raises(Refused, match=r"kept by .*\(8007\)"):
        sales.scan(chen, counter=1, code="SVC-DATA-10G")
    queue.issue_ticket(demo.ctx.as_actor(None), service="A")
    with pytest.raises(Refused, match=r"kept by .*\(8007\)"):
        queue.call_next(chen)
    sun = demo.as_("8007", counter=1)
    assert queue.call_next(sun) is not None  # the new keeper works counter 1


def test_a_clerk_of_counter_2_cannot_sell_from_counter_1(demo):
    liu = demo.as_("8005", counter=1)  # signed in on counter 1's terminal
    before = cash.expected_cash(liu, counter=1).expected_fen
    with pytest.raises(Refused, match=r"Counter 1 is kept by .*\(8004\)"):
        sales.scan(liu, counter=1, code="ACC-CABLE-C")
    with pytest.raises(Refused, match=r"\(8004\)"):
        sales.complete_sale(liu, counter=1, visit_id=None, lines=[line(liu, "ACC-CABLE-C")],
                            payments=[PaymentIn("cash", 2900, 5000)])
    assert cash.expected_cash(liu, counter=1).expected_fen == before


def test_nobody_but_the_keeper_pauses_a_counter_and_a_manager_needs_a_reason(demo):
    sun = demo.as_("8007", counter=2)
    with pytest.raises(Refused, match=r"Counter 2 is kept by .*\(8005\)"):
        queue.set_counter_state(sun, counter=2, state="paused")
    guide = demo.as_("8003")
    with pytest.raises(Refused, match=r"\(8005\)"):
        queue.set_counter_state(guide, counter=2, state="closing")
    duty = demo.as_("8002", counter=2)
    with pytest.raises(keeper.OverrideNeeded, match="override"):
        queue.set_counter_state(duty, counter=2, state="paused")
    info = queue.set_counter_state(duty, counter=2, state="paused",
                                   override_reason="8005 called away to a customer")
    assert info.state == "paused" and info.clerk == "8005"  # the keeper stays
    override = json.loads(audit(demo, "counter.override")[-1])
    assert override["reason"] == "8005 called away to a customer"
    assert override["keeper"] == "8005" and override["person"] == "8002"
    liu = demo.as_("8005", counter=2)
    assert queue.set_counter_state(liu, counter=2, state="open").state == "open"


def test_a_void_pays_out_of_the_drawer_of_the_counter_it_is_done_at(demo):
    chen = demo.as_("8004", counter=2)  # 8004 at counter 2's terminal
    receipt = first_receipt(demo, 1)
    two = cash.expected_cash(chen, counter=2).expected_fen
    with pytest.raises(Refused, match=r"Counter 2 is kept by .*\(8005\)"):
        reversals.void_sale(chen, receipt_no=receipt, reason="wrong",
                            approver=approve(chen, action="sale.void", empno="8002", pin=PIN))
    assert cash.expected_cash(chen, counter=2).expected_fen == two
    at_one = demo.as_("8004", counter=1)
    one = cash.expected_cash(at_one, counter=1).expected_fen
    done = reversals.void_sale(at_one, receipt_no=receipt, reason="wrong",
                               approver=approve(at_one, action="sale.void", empno="8002",
                                                pin=PIN))
    assert cash.expected_cash(at_one, counter=1).expected_fen == one - done.amount_fen


def test_only_the_keeper_counts_the_drawer_and_moves_its_cash(demo):
    liu = demo.as_("8005", counter=2)
    with pytest.raises(Refused, match=r"Counter 1 is kept by .*\(8004\)"):
        cash.count_cash(liu, counter=1, counted_fen=0, reason="short ¥430")
    with pytest.raises(Refused, match=r"\(8004\)"):
        cash.move_cash(liu, counter=1, kind="in", reason="change_fund", amount_fen=1000)
    duty = demo.as_("8002")
    with pytest.raises(keeper.OverrideNeeded):
        cash.move_cash(duty, counter=1, kind="in", reason="change_fund", amount_fen=1000)
    assert cash.expected_cash(liu, counter=1).counted_fen is None
    chen = demo.as_("8004", counter=1)
    expected = cash.expected_cash(chen, counter=1).expected_fen
    assert cash.count_cash(chen, counter=1, counted_fen=expected).difference_fen == 0


def test_another_clerks_ticket_is_not_finished_and_a_manager_overrides_with_a_reason(demo):
    chen = demo.as_("8004", counter=5)
    serving = queue.counter_view(chen).current
    assert serving is not None and serving.state == "serving"
    with pytest.raises(Refused, match=r"Counter 5 is kept by .*\(8006\)"):
        queue.finish(chen)
    with pytest.raises(Refused, match=r"\(8006\)"):
        queue.transfer(chen, service="A")
    assert queue.counter_view(chen).current.state == "serving"
    duty = demo.as_("8002", counter=5)
    with pytest.raises(keeper.OverrideNeeded):
        queue.finish(duty)
    done = queue.finish(duty, override_reason="8006 taken ill; customer waiting")
    assert done.state == "done"
    assert json.loads(audit(demo, "counter.override")[-1])["action"] == "queue.finish"


def test_a_closed_counter_has_no_keeper_and_opening_it_makes_one(demo):
    chen = demo.as_("8004", counter=6)
    with pytest.raises(Refused, match="Counter 6 is closed"):
        cash.move_cash(chen, counter=6, kind="float", reason="", amount_fen=10_000)
    queue.set_counter_state(demo.as_("8004", counter=1), counter=1, state="closed")
    queue.set_counter_state(chen, counter=6, state="open")
    assert keeper.keeper(chen, counter=6).empno == "8004"
    cash.move_cash(chen, counter=6, kind="float", reason="", amount_fen=10_000)
    with pytest.raises(Refused, match="changes hands only by a handover"):
        queue.set_counter_state(chen, counter=6, state="paused", clerk="8007")


def test_no_sale_while_the_counter_is_being_handed_over_and_the_take_over_works(demo):
    chen = demo.as_("8004", counter=1)
    start_handover(demo, 1, "8004")
    with pytest.raises(Refused, match="being handed over"):
        sell_data_pack(chen, 1)
    with pytest.raises(Refused, match="being handed over"):
        sales.scan(chen, counter=1, code="SVC-DATA-10G")
    with pytest.raises(Refused, match="being handed over"):
        cash.move_cash(chen, counter=1, kind="in", reason="change_fund", amount_fen=1000)
    hand_over(demo, 1, "8004", "8007")  # resumes the handover in progress and finishes it
    assert keeper.keeper(chen, counter=1).empno == "8007"
    assert handover.active(chen, counter=1) is None


# -- the CLI --------------------------------------------------------------------------------
def test_cli_refuses_whoever_does_not_keep_the_counter(demo):
    r = cli(demo, "--counter", "2", "queue", "counter", "2", "paused", "--as", "8007")
    assert r.exit_code == 3, r.output
    assert "8005" in r.stderr and "Traceback" not in r.output
    receipt = first_receipt(demo, 1)
    r = cli(demo, "--counter", "2", "sales", "void", receipt, "--reason", "wrong", "--as",
            "8004", "--approver", "8002")
    assert r.exit_code == 3 and "Counter 2 is kept by" in r.stderr, r.output
    r = cli(demo, "cash", "count", "--counter", "1", "--counted", "70", "--reason", "short",
            "--as", "8005")
    assert r.exit_code == 3 and "Counter 1 is kept by" in r.stderr, r.output
    r = cli(demo, "--counter", "5", "queue", "finish", "--as", "8004")
    assert r.exit_code == 3 and "8006" in r.stderr, r.output
    assert queue.counter_view(demo.as_("8006"), counter=5).current.state == "serving"


def test_cli_manager_override_needs_a_reason_and_is_audited(demo):
    r = cli(demo, "--counter", "5", "queue", "finish", "--as", "8002")
    assert r.exit_code == 3 and "override" in r.stderr, r.output
    r = cli(demo, "--counter", "5", "queue", "finish", "--as", "8002", "--override-reason",
            "8006 taken ill")
    assert r.exit_code == 0, r.output
    r = cli(demo, "cash", "count", "--counter", "2", "--counted", "0", "--reason", "test",
            "--as", "8002")
    assert r.exit_code == 3, r.output
    r = cli(demo, "--counter", "2", "queue", "counter", "2", "paused", "--as", "8002",
            "--override-reason", "8005 at the back office")
    assert r.exit_code == 0, r.output
    reasons = audit(demo, "counter.override")
    assert len(reasons) == 2 and "8006 taken ill" in reasons[0]


def test_no_stock_moves_at_a_counter_being_handed_over(demo):
    from hallterm.services import stock
    from hallterm.services.stock import LineIn

    start_handover(demo, 1, "8004")
    warehouse = demo.as_("8008")
    with pytest.raises(Refused, match="being handed over"):
        stock.check_move(warehouse, kind="return", from_place="counter:1",
                         to_place="warehouse", lines=[LineIn("ACC-CABLE-C", None, 1)])
    with pytest.raises(Refused, match="being handed over"):
        stock.return_from_counter(warehouse, counter=1, lines=[LineIn("ACC-CABLE-C", None, 1)])
