"""Check everything before anything is written or a second person is asked.

Each refused request is validated by a side-effect-free ``check_*`` before any PIN
is asked, and an approval is recorded in the same transaction as the action it
approved: a refused action leaves no ``auth.approve`` (or ``auth.confirm``) row.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from hallterm.errors import AuthFailed, BadInput, Refused
from hallterm.services import cash, queue, sales, stock
from hallterm.services.sales import PaymentIn, reversals
from hallterm.services.sales.reversals import RefundLine
from hallterm.services.stock import LineIn, stocktake
from tests.sales_fixtures import PIN, SIMS, approver, item_line, stock_hall

runner = CliRunner()


@pytest.fixture
def shop(hall):
    return stock_hall(hall)


def _sale(ctx, *codes):
    lines = [item_line(ctx, c) for c in codes]
    total = sales.cart_total(lines)
    return sales.complete_sale(ctx, counter=1, visit_id=None, lines=lines,
                               payments=[PaymentIn("cash", total, total)])


def audit_actions(hall) -> list[str]:
    from hallterm.store import execute

    with hall.ctx.store.read() as session:
        return [r[0] for r in execute(session, "SELECT action FROM audit_log ORDER BY seq")]


def auth_rows(hall, prefix="auth.approve") -> list[str]:
    return [a for a in audit_actions(hall) if a == prefix]


def run(hall, *args, approver_pin=PIN):
    env = {"HALLTERM_KEY_FILE": str(hall.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_PIN": PIN, "HALLTERM_APPROVER_PIN": approver_pin}
    return runner.invoke(app, [*args, "--store", str(hall.path)], env=env)


# -- the approval lives in the action's transaction -------------------------------------------
def test_an_approval_is_written_only_with_the_action_it_approved(shop):
    """A refused void leaves no auth.approve row; a done one has it right before its own."""
    done = _sale(shop.sales, "ACC-CASE")
    boss = approver(shop.sales, "sale.void")
    assert auth_rows(shop) == []  # the PIN was checked; nothing is recorded yet
    reversals.void_sale(shop.sales, receipt_no=done.receipt_no, reason="wrong item",
                        approver=boss)
    actions = audit_actions(shop)
    assert actions[-2:] == ["auth.approve", "sale.void"]
    boss = approver(shop.sales, "sale.void")
    with pytest.raises(Refused, match="already void"):
        reversals.void_sale(shop.sales, receipt_no=done.receipt_no, reason="again",
                            approver=boss)
    assert auth_rows(shop) == ["auth.approve"]  # still only the one of the real void


def test_a_wrong_approver_pin_is_still_counted_at_once(shop):
    from hallterm.services.staff import approve, get_staff

    with pytest.raises(AuthFailed, match="4 approval attempt"):
        approve(shop.sales, action="sale.void", empno="8002", pin="000000")
    assert "auth.approve.failed" in audit_actions(shop)
    # Counted against this terminal, never against the manager's own sign-in.
    assert get_staff(shop.manager, empno="8002").failed_attempts == 0


def test_a_confirmation_is_written_with_the_issue_it_signed(shop):
    from hallterm.services.staff import confirm_person

    clerk = shop.as_("8008")
    who = confirm_person(clerk, empno="8004", pin=PIN, purpose="stock.issue")
    with pytest.raises(BadInput, match="no counter 99"):
        stock.issue(clerk, counter=99, lines=[LineIn("ACC-CASE", None, 1)], receiver=who)
    assert "auth.stock.issue" not in audit_actions(shop)
    stock.issue(clerk, counter=1, lines=[LineIn("ACC-CASE", None, 1)], receiver=who)
    assert audit_actions(shop)[-2:] == ["auth.stock.issue", "stock.issue"]


# -- each "Today:" case is refused by a check, before any PIN ----------------------------------
def test_refund_over_what_was_sold_is_refused_before_the_pin(shop):
    done = _sale(shop.sales, "ACC-CASE")
    with pytest.raises(Refused, match="only 1 left"):
        reversals.check_refund(shop.sales, receipt_no=done.receipt_no,
                               lines=[RefundLine(1, 3)], reason="broken")
    with pytest.raises(BadInput, match="no line 7"):
        reversals.check_refund(shop.sales, receipt_no=done.receipt_no,
                               lines=[RefundLine(7, 1)], reason="broken")
    assert reversals.check_refund(shop.sales, receipt_no=done.receipt_no, lines=None,
                                  reason="broken") == 4900
    # The service itself says what is wrong before it looks for an approver.
    with pytest.raises(Refused, match="only 1 left"):
        reversals.refund_sale(shop.sales, receipt_no=done.receipt_no,
                              lines=[RefundLine(1, 3)], reason="broken", approver=None)
    assert auth_rows(shop) == []


def test_void_of_a_void_is_refused_before_the_pin(shop):
    done = _sale(shop.sales, "ACC-CASE")
    reversals.void_sale(shop.sales, receipt_no=done.receipt_no, reason="wrong",
                        approver=approver(shop.sales))
    with pytest.raises(Refused, match="already void"):
        reversals.check_void(shop.sales, receipt_no=done.receipt_no, reason="again")
    with pytest.raises(Refused, match="already void"):
        reversals.void_sale(shop.sales, receipt_no=done.receipt_no, reason="again",
                            approver=None)
    with pytest.raises(BadInput, match="reason"):
        reversals.check_void(shop.sales, receipt_no=done.receipt_no, reason=" ")


def test_discount_larger_than_the_line_is_refused_before_the_pin(shop):
    line = item_line(shop.sales, "ACC-CASE")
    with pytest.raises(BadInput, match="more than the line"):
        sales.check_override(line, discount_fen=5000, reason="scratched")
    with pytest.raises(BadInput, match="price or a discount"):
        sales.check_override(line, reason="scratched")
    ok = sales.check_override(line, discount_fen=900, reason="scratched")
    assert ok.total_fen == 4000 and ok.approver is None


def test_issue_to_counter_99_is_refused_before_the_pin(shop):
    clerk = shop.as_("8008")
    with pytest.raises(BadInput, match="no counter 99"):
        stock.check_issue(clerk, counter=99, lines=[LineIn("ACC-CASE", None, 1)])


def test_the_wrong_receiving_clerk_is_refused_before_the_pin(shop):
    clerk = shop.as_("8008")  # counter 1 is open with its keeper 8004 (stock_hall)
    with pytest.raises(Refused, match=r"Counter 1 is kept by .*\(8004\)"):
        stock.check_issue(clerk, counter=1, lines=[LineIn("ACC-CASE", None, 1)],
                          receiver="8005")
    with pytest.raises(BadInput, match="No staff member"):
        stock.check_issue(clerk, counter=1, lines=[LineIn("ACC-CASE", None, 1)],
                          receiver="7777")
    checked = stock.check_issue(clerk, counter=1, lines=[LineIn("SIM-5G", SIMS[2])],
                                receiver="8004")
    assert [c.serial for c in checked] == [SIMS[2]]


def test_a_counter_under_stocktake_is_refused_before_the_pin(shop):
    clerk = shop.as_("8008")
    stocktake.start(clerk, place="counter:1")
    with pytest.raises(Refused, match="in progress"):
        stock.check_issue(clerk, counter=1, lines=[LineIn("ACC-CASE", None, 1)])
    with pytest.raises(Refused, match="in progress"):
        stock.check_move(clerk, kind="write_off", from_place="counter:1", to_place="damaged",
                         lines=[LineIn("ACC-CASE", None, 1)], reason="dropped")


def test_cash_out_beyond_the_drawer_is_refused_before_the_pin(shop):
    with pytest.raises(Refused, match="should hold less than"):
        cash.check_move(shop.sales, counter=1, kind="out", reason="bank_drop",
                        amount_fen=900_000)
    with pytest.raises(BadInput, match="no counter 99"):
        cash.check_move(shop.sales, counter=99, kind="in", reason="change_fund",
                        amount_fen=100)
    assert cash.check_move(shop.sales, counter=1, kind="in", reason="change_fund",
                           amount_fen=900_000) is True


# -- the CLI checks before it reads the approver's PIN ---------------------------------------
@pytest.mark.parametrize("args, code, says", [
    (("sales", "void", "{r}", "--reason", "again"), 3, "already void"),
    (("sales", "refund", "{r}", "--line", "1:5", "--reason", "broken"), 3, "left to give back"),
    (("sales", "refund", "{r}", "--line", "9:1", "--reason", "broken"), 2, "no line 9"),
    (("cash", "move", "--counter", "1", "--kind", "out", "--reason", "bank_drop",
      "--amount", "9000"), 3, "should hold less than"),
])
def test_cli_refuses_a_bad_request_without_an_approval(shop, args, code, says):
    first = _sale(shop.sales, "ACC-CASE")
    done = _sale(shop.sales, "ACC-CASE")
    reversals.void_sale(shop.sales, receipt_no=first.receipt_no, reason="x",
                        approver=approver(shop.sales))
    receipt = first.receipt_no if args[1] == "void" else done.receipt_no
    before = len(auth_rows(shop))
    r = run(shop, *[a.format(r=receipt) for a in args], "--as", "8004", "--approver", "8002")
    assert r.exit_code == code, r.output
    assert says in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert len(auth_rows(shop)) == before
    # Without the approver's PIN at hand it is the request that is refused, not the PIN.
    r = run(shop, *[a.format(r=receipt) for a in args], "--as", "8004", "--approver", "8002",
            approver_pin="")
    assert r.exit_code == code and says in r.stderr


# -- hallterm handover: every value checked before the handover starts -------------------------
def dump(path) -> dict[str, list]:
    """Every row of every table, to compare the store before and after a command."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall()
                for t in tables}
    finally:
        con.close()


HANDOVER_BAD = [
    (["--count", "NOPE=1"], 2, "Unknown item NOPE"),
    (["--count", "HS-HW-M60=1"], 2, "scanning its serials"),
    (["--count", "SVC-DATA-10G=1"], 2, "no stock"),
    (["--count", "ACC-CASE=five"], 2, "SKU=N"),
    (["--serial", "8" * 40], 2, "Not a serial"),
    (["--denominations", "3x1"], 2, "not a Renminbi"),
    (["--denominations", "100x4", "--cash", "500"], 2, "add up to"),
    (["--cash", "abc"], 2, "Not an amount"),
    (["--counter", "99"], 2, "No counter 99"),
    (["--outgoing", "8005"], 3, "only they hand it over"),
    (["--outgoing", "7777"], 2, "no active staff member"),
    (["--incoming", "7777"], 2, "no active staff member"),
    (["--incoming", "8004"], 3, "another person"),
    (["--incoming", "8002"], 3, "no counter role"),
    (["--incoming", "8006"], 3, "already at counter 2"),
    (["--witness", "8005"], 3, "may not witness"),
    (["--witness", "9999"], 2, "no active staff member"),
    (["--reason", "x" * 300], 2, "at most"),
]


@pytest.mark.parametrize("bad, code, says", HANDOVER_BAD,
                         ids=[" ".join(b)[:30] for b, _c, _s in HANDOVER_BAD])
@pytest.mark.sqlite_only  # compares SQLite dumps of the store file (tests/storedump.py)
def test_handover_cli_checks_every_value_before_it_starts(shop, bad, code, says):
    shop.add("8006", "retention")  # counter 1 is open with 8004 (stock_hall)
    queue.set_counter_state(shop.manager, counter=2, state="open", clerk="8006")
    cash.move_cash(shop.sales, counter=1, kind="float", reason="", amount_fen=50_000)
    args = {"--counter": "1", "--outgoing": "8004", "--incoming": "8005", "--cash": "500"}
    extra = []
    for i in range(0, len(bad), 2):
        if bad[i] in args:
            args[bad[i]] = bad[i + 1]
        else:
            extra += bad[i:i + 2]
    before = dump(shop.path)
    env = {"HALLTERM_KEY_FILE": str(shop.key_file),
           "HALLTERM_NOW": "2026-11-25T10:00:00+08:00", "HALLTERM_OUTGOING_PIN": PIN,
           "HALLTERM_INCOMING_PIN": PIN, "HALLTERM_WITNESS_PIN": PIN}
    r = runner.invoke(app, ["handover", *[x for kv in args.items() for x in kv], *extra,
                            "--pin-from-env", "--store", str(shop.path)], env=env)
    assert r.exit_code == code, r.output
    assert says in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert dump(shop.path) == before  # no handover, no paused counter, no audit row


@pytest.mark.sqlite_only  # compares SQLite dumps of the store file (tests/storedump.py)
def test_stock_receive_cli_refuses_a_received_delivery_before_the_witness_pin(shop, tmp_path):
    delivery = tmp_path / "dn.csv"
    delivery.write_text("sku,serial,quantity\nACC-CASE,,1\n", encoding="utf-8")
    env = {"HALLTERM_KEY_FILE": str(shop.key_file), "HALLTERM_NOW": "2026-11-25T10:00:00+08:00",
           "HALLTERM_PIN": PIN, "HALLTERM_WITNESS_PIN": "000000"}  # not even the right PIN
    before = dump(shop.path)
    r = runner.invoke(app, ["stock", "receive", "--file", str(delivery), "--document", "DN-T1",
                            "--supplier", "GD Devices", "--witness", "8002", "--as", "8008",
                            "--store", str(shop.path)], env=env)
    assert r.exit_code == 3 and "already received" in r.stderr, r.output
    after = dump(shop.path)
    assert after["staff"] == before["staff"]  # no PIN attempt counted for the witness
    assert [a for a in audit_actions(shop) if a.startswith("auth.approve")] == []
