"""The blind count stays blind, and takes a scanner's serials one per Enter."""

from __future__ import annotations

import pytest

from hallterm.errors import BadInput
from hallterm.services import handover
from tests.sales_fixtures import HANDSETS
from tests.test_handover import counter_hall


def test_scan_for_count_tells_a_serial_from_a_counted_item_without_the_custody(hall):
    counter_hall(hall)
    ctx = hall.sales
    # A serial at the counter and one that is not there answer alike: the count is blind.
    assert handover.scan_for_count(ctx, code=f" {HANDSETS[0]} ").serial == HANDSETS[0]
    assert handover.scan_for_count(ctx, code=HANDSETS[3]).serial == HANDSETS[3]
    case = handover.scan_for_count(ctx, code="6941487200035")  # a case's barcode
    assert (case.serial, case.sku) == (None, "ACC-CASE")
    with pytest.raises(BadInput, match="scanning its serials"):
        handover.scan_for_count(ctx, code="HS-HW-M60")
    with pytest.raises(BadInput, match="Not a serial"):
        handover.scan_for_count(ctx, code="ACC-CABLE-C=10")


# -- the blind count stays blind: no expected cash for the counting clerk --------------------
def _drawer_with_sales(hall):
    """Counter 1: ¥500 float (counter_hall) and a ¥49 cash sale by its clerk 8004."""
    from hallterm.services import sales
    from hallterm.services.sales import PaymentIn
    from tests.sales_fixtures import item_line

    counter_hall(hall)
    ctx = hall.sales
    sales.complete_sale(ctx, counter=1, visit_id=None, lines=[item_line(ctx, "ACC-CASE")],
                        payments=[PaymentIn("cash", 4900, 10000)])
    return ctx


def test_the_clerk_is_not_shown_the_expected_cash_before_the_count(hall):
    from hallterm.errors import Refused
    from hallterm.services import cash
    from hallterm.services.day import blockers

    ctx = _drawer_with_sales(hall)  # the drawer should hold ¥549.00
    with pytest.raises(Refused, match="blind"):
        cash.drawer_view(ctx, counter=1)
    assert cash.drawer_view(hall.as_("8002"), counter=1).expected_fen == 54_900  # duty manager
    # Neither a refused cash-out nor a refused count says what the drawer should hold.
    with pytest.raises(Refused) as out:
        cash.move_cash(ctx, counter=1, kind="out", reason="bank_drop", amount_fen=60_000,
                       approver=hall.as_("8002").actor)
    assert "549" not in str(out.value) and "should hold less than" in str(out.value)
    # Nor the closing blockers (the Audit post and `day close` list them).
    lines = blockers(hall.manager, hall.clock.now().date())
    drawer_line = next(b for b in lines if "Counter 1" in b and "drawer" in b)
    assert "¥" not in drawer_line and "expected" not in drawer_line
    # The count is recorded as counted, reason or not; only then does the clerk see it.
    done = cash.count_cash(ctx, counter=1, counted_fen=54_000, purpose="check")
    assert (done.expected_fen, done.difference_fen, done.reason) == (54_900, -900, None)
    # ... and may look at the drawer, which now starts from what was counted.
    assert cash.drawer_view(ctx, counter=1).expected_fen == 54_000


def test_cli_keeps_the_count_blind_for_the_counters_clerk(hall):
    import json

    from tests.test_sales_cli import run

    _drawer_with_sales(hall)
    r = run(hall, "cash", "expected", "--counter", "1", "--as", "8004")
    assert r.exit_code == 3, r.output
    assert "549" not in r.output and "500" not in r.output and "blind" in r.output
    r = run(hall, "cash", "expected", "--counter", "1", "--json", "--as", "8002")
    assert r.exit_code == 0 and json.loads(r.stdout)["expected_fen"] == 54_900
    r = run(hall, "cash", "move", "--counter", "1", "--kind", "in", "--reason", "change_fund",
            "--amount", "100", "--as", "8004")
    assert r.exit_code == 0, r.output
    assert "should now hold" not in r.stdout and "649" not in r.stdout
    r = run(hall, "cash", "move", "--counter", "1", "--kind", "in", "--reason", "change_fund",
            "--amount", "100", "--json", "--as", "8004")
    assert json.loads(r.stdout)["expected_fen"] is None
    r = run(hall, "day", "close", "--as", "9001", pin="123456")
    assert "not handed in" in r.output and "749" not in r.output


@pytest.mark.sqlite_only  # a screen
def test_audit_post_blockers_do_not_show_the_expected_cash(hall):
    import asyncio

    from textual.widgets import Static

    from screens.posts.audit import AuditScreen
    from tests.pilot import PostHost, settle

    _drawer_with_sales(hall)

    async def go():
        app = PostHost(hall.manager, AuditScreen)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            text = str(app.screen.query_one("#audit-blockers", Static).render())
            assert "Counter 1 is not handed in" in text
            assert "¥549.00" not in text and "expected" not in text

    asyncio.run(go())


# -- a count differing is recorded as counted: amounts cannot be tried until none shows -----
def test_a_clerks_count_with_a_difference_and_no_reason_is_recorded(hall):
    from hallterm.errors import Forbidden, Refused
    from hallterm.services import cash
    from hallterm.services.day import blockers

    ctx = _drawer_with_sales(hall)  # the drawer should hold ¥549.00
    first = cash.count_cash(ctx, counter=1, counted_fen=50_000, purpose="check")
    assert (first.difference_fen, first.reason) == (-4_900, None)
    # A second try with another amount is a new count; the first one's shortage stays.
    again = cash.count_cash(ctx, counter=1, counted_fen=54_900, purpose="check")
    assert again.id != first.id and again.difference_fen == 4_900
    with hall.manager.store.read() as session:
        from hallterm.store import execute

        rows = execute(session, "SELECT counted_fen, difference_fen, reason FROM cash_count "
                       "ORDER BY id").all()
    assert [tuple(r) for r in rows] == [(50_000, -4_900, None), (54_900, 4_900, None)]
    day = hall.clock.now().date()
    missing = [b for b in blockers(hall.manager, day) if "without a reason" in b]
    assert len(missing) == 2 and f"Count {first.id} of counter 1" in missing[0]
    # The reason is given afterwards: by the clerk who counted, or a manager; audited.
    cash.give_count_reason(ctx, count_id=first.id, reason="miscounted the ¥50 notes")
    with pytest.raises(Refused, match="already has its reason"):
        cash.give_count_reason(ctx, count_id=first.id, reason="something else")
    with pytest.raises(Forbidden):
        cash.give_count_reason(hall.as_("8005"), count_id=again.id, reason="x")
    cash.give_count_reason(hall.as_("8002"), count_id=again.id, reason="recount found them")
    assert not [b for b in blockers(hall.manager, day) if "without a reason" in b]
    with hall.manager.store.read() as session:
        from hallterm.store import execute

        audited = execute(session, "SELECT COUNT(*) FROM audit_log WHERE action = "
                          "'cash.count_reason'").scalar()
    assert audited == 2


def test_cli_records_a_differing_count_and_takes_the_reason_afterwards(hall):
    import json

    from tests.test_sales_cli import run

    _drawer_with_sales(hall)
    r = run(hall, "cash", "count", "--counter", "1", "--counted", "500", "--as", "8004")
    assert r.exit_code == 0, r.output
    assert "difference -¥49.00" in r.stdout and "count-reason 1" in r.stderr
    r = run(hall, "cash", "count", "--counter", "1", "--counted", "530", "--json", "--as", "8004")
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == 2
    r = run(hall, "day", "close", "--as", "9001", pin="123456")
    assert r.exit_code != 0 and "Count 1 of counter 1" in r.output
    r = run(hall, "cash", "count-reason", "1", "--reason", "short, told the manager",
            "--as", "8004")
    assert r.exit_code == 0 and "short, told the manager" in r.stdout
    r = run(hall, "cash", "count-reason", "1", "--reason", "again", "--as", "8004")
    assert r.exit_code == 3 and "Traceback" not in r.output
    r = run(hall, "cash", "count-reason", "99", "--reason", "x", "--as", "8004")
    assert r.exit_code == 2
