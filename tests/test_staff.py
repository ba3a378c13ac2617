"""Sign-in, PIN lockout shared through the store, approvals and segregation of duties."""

from __future__ import annotations

import pytest

from hallterm.errors import AuthFailed, BadInput, Forbidden
from hallterm.services import staff


def test_sign_in_and_wrong_pin_counts_down(hall):
    hall.add("8004", "sales")
    with pytest.raises(AuthFailed, match="wrong PIN"):
        staff.authenticate(hall.ctx, empno="8004", pin="000000")
    assert staff.get_staff(hall.manager, empno="8004").failed_attempts == 1
    assert staff.authenticate(hall.ctx, empno="8004", pin="246810").empno == "8004"
    assert staff.get_staff(hall.manager, empno="8004").failed_attempts == 0


def test_lockout_waits_then_needs_manager(hall):
    hall.add("8004", "sales")
    for _ in range(4):
        with pytest.raises(AuthFailed, match="wrong PIN"):
            staff.authenticate(hall.ctx, empno="8004", pin="000000")
    with pytest.raises(AuthFailed, match="locked for 15 minute"):
        staff.authenticate(hall.ctx, empno="8004", pin="000000")
    # Even the right PIN waits while locked, and says how long.
    with pytest.raises(AuthFailed, match="15 more minute"):
        staff.authenticate(hall.ctx, empno="8004", pin="246810")
    hall.clock.advance(minutes=16)
    for _ in range(4):
        with pytest.raises(AuthFailed):
            staff.authenticate(hall.ctx, empno="8004", pin="000000")
    with pytest.raises(AuthFailed, match="only the hall manager"):
        staff.authenticate(hall.ctx, empno="8004", pin="000000")
    hall.clock.advance(hours=5)
    with pytest.raises(AuthFailed, match="only the hall manager"):
        staff.authenticate(hall.ctx, empno="8004", pin="246810")
    staff.unlock(hall.manager, empno="8004")
    assert staff.authenticate(hall.ctx, empno="8004", pin="246810").empno == "8004"


def test_lockout_is_shared_by_every_terminal(hall):
    from hallterm.bootstrap import open_ctx

    hall.add("8004", "sales")
    other = open_ctx(hall.settings.model_copy(update={"terminal": "T-other"}), None,
                     clock=hall.clock)
    for _ in range(3):
        with pytest.raises(AuthFailed):
            staff.authenticate(other, empno="8004", pin="000000")
    with pytest.raises(AuthFailed, match="wrong PIN"):
        staff.authenticate(hall.ctx, empno="8004", pin="000000")
    assert staff.get_staff(hall.manager, empno="8004").failed_attempts == 4
    with pytest.raises(AuthFailed, match="locked for 15 minute"):
        staff.authenticate(other, empno="8004", pin="000000")


def test_disabled_account_refused(hall):
    hall.add("8004", "sales")
    staff.set_active(hall.manager, empno="8004", active=False)
    with pytest.raises(AuthFailed, match="disabled"):
        staff.authenticate(hall.ctx, empno="8004", pin="246810")
    # Only the right PIN learns that the account exists and is disabled.
    with pytest.raises(AuthFailed) as wrong:
        staff.authenticate(hall.ctx, empno="8004", pin="000000")
    assert str(wrong.value) == staff.wrong_pin_message()


def test_unknown_number_and_wrong_pin_answer_the_same(hall, monkeypatch):
    """Staff numbers cannot be enumerated: same message, and an Argon2 check either way."""
    from hallterm import security
    from hallterm.services.audit import recent

    hall.add("8004", "sales")
    checks = []
    real = security.verify_pin

    def counting(stored, pin, pepper):
        checks.append(stored)
        return real(stored, pin, pepper)

    monkeypatch.setattr(security, "verify_pin", counting)
    answers = []
    for empno in ("8004", "8999"):
        with pytest.raises(AuthFailed) as exc:
            staff.authenticate(hall.ctx, empno=empno, pin="000000")
        answers.append((str(exc.value), exc.value.exit_code))
    assert answers[0] == answers[1]
    assert answers[0][0] == "Unknown employee number or wrong PIN."
    # One hash check each: the unknown number's against a dummy hash.
    assert len(checks) == 2 and all(c.startswith("$argon2") for c in checks)
    assert [r.action for r in recent(hall.ctx, limit=2)] == ["auth.signin.unknown",
                                                            "auth.signin.failed"]


def test_a_locked_account_still_spends_a_hash_check(hall, monkeypatch):
    from hallterm import security

    hall.add("8004", "sales")
    for _ in range(5):
        with pytest.raises(AuthFailed):
            staff.authenticate(hall.ctx, empno="8004", pin="000000")
    calls = []
    monkeypatch.setattr(security, "dummy_verify", lambda pin, pepper: calls.append(pin))
    with pytest.raises(AuthFailed, match="more minute"):
        staff.authenticate(hall.ctx, empno="8004", pin="246810")
    assert calls == ["246810"]


def test_approval_needs_another_person_with_the_role(hall):
    clerk = hall.add("8004", "sales")
    hall.add("8002", "duty_manager")
    hall.add("8005", "sales")
    approver = staff.approve(clerk, action="sale.void", empno="8002", pin="246810")
    assert approver.empno == "8002"
    with pytest.raises(Forbidden, match="may not approve"):
        staff.approve(clerk, action="sale.void", empno="8005", pin="246810")
    with pytest.raises(Forbidden, match="own action"):
        staff.approve(clerk, action="sale.void", empno="8004", pin="246810")
    # A duty manager cannot approve their own void either.
    duty = hall.as_("8002")
    with pytest.raises(Forbidden, match="own action"):
        staff.approve(duty, action="sale.void", empno="8002", pin="246810")


def test_only_managers_manage_staff(hall):
    clerk = hall.add("8004", "sales")
    with pytest.raises(Forbidden):
        staff.add_staff(clerk, empno="8100", name="X", roles=["sales"], pin="111111")
    with pytest.raises(BadInput, match="Unknown role"):
        staff.add_staff(hall.manager, empno="8100", name="X", roles=["cashier"], pin="111111")
    with pytest.raises(BadInput, match="6 digits"):
        staff.add_staff(hall.manager, empno="8100", name="X", roles=["sales"], pin="12")
    with pytest.raises(BadInput, match="already exists"):
        staff.add_staff(hall.manager, empno="8004", name="X", roles=["sales"], pin="111111")


def test_auditor_role_grants_no_selling_or_stock_moves():
    from hallterm.permissions import allowed

    for permission in ("sale.sell", "stock.move", "cash.move", "stock.stocktake"):
        assert not allowed(["auditor"], permission)
    assert allowed(["auditor"], "audit.verify")


def test_a_copied_store_without_the_key_file_gives_no_pin(hall, tmp_path):
    """The PIN hash is keyed with the hall secret: another key verifies nothing."""
    from hallterm import security

    stored = "".join(
        hall.ctx.store.read_engine.connect().exec_driver_sql(
            "SELECT pin_hash FROM staff WHERE empno = '9001'").scalar()
    )
    assert security.verify_pin(stored, "123456", hall.ctx.pepper)
    assert not security.verify_pin(stored, "123456", b"x" * 32)


def test_confirming_your_own_action_is_refused_and_audited(hall):
    from hallterm.services.audit import recent

    clerk = hall.add("8004", "sales")
    with pytest.raises(AuthFailed, match="own action"):
        staff.confirm_person(clerk, empno="8004", pin="246810")
    assert recent(hall.ctx, limit=1)[0].action == "auth.confirm.self"


def test_wrong_approval_pins_wait_per_terminal_and_never_lock_the_manager(hall):
    """A clerk typing wrong PINs into an approval dialog cannot lock the duty manager out."""
    from hallterm.bootstrap import open_ctx
    from hallterm.services.audit import recent

    clerk = hall.add("8004", "sales")
    hall.add("8002", "duty_manager")
    for left in (4, 3, 2, 1):
        with pytest.raises(AuthFailed, match=f"{left} approval attempt"):
            staff.approve(clerk, action="sale.void", empno="8002", pin="000000")
    with pytest.raises(AuthFailed, match="now wait 15 minute"):
        staff.approve(clerk, action="sale.void", empno="8002", pin="000000")
    # The terminal waits, even for the right PIN; nothing is checked meanwhile.
    with pytest.raises(AuthFailed, match="wait 15 more minute"):
        staff.approve(clerk, action="sale.void", empno="8002", pin="246810")
    # The manager's own sign-in is untouched, here and everywhere.
    assert staff.get_staff(hall.manager, empno="8002").failed_attempts == 0
    duty = hall.as_("8002")
    # Another terminal's approvals go on.
    other = open_ctx(hall.settings.model_copy(update={"terminal": "T-other"}), None,
                     clock=hall.clock).as_actor(clerk.actor)
    assert staff.approve(other, action="sale.void", empno="8002", pin="246810").empno == "8002"
    # The manager is told: an audit row naming the terminal, and their alerts.
    assert any(r.action == "auth.approval_wait" and r.entity_id == "T-test"
               for r in recent(hall.ctx, limit=20))
    [alert] = staff.approval_alerts(duty)
    assert (alert.terminal, alert.attempts, alert.typed_by, alert.waited) == (
        "T-test", 5, ("8004",), True)
    hall.clock.advance(minutes=16)
    assert staff.approve(clerk, action="sale.void", empno="8002", pin="246810").empno == "8002"


def test_unknown_approver_numbers_count_against_the_terminal_too(hall):
    clerk = hall.add("8004", "sales")
    hall.add("8002", "duty_manager")
    answers = set()
    for empno in ("8101", "8102", "8002"):
        with pytest.raises(AuthFailed) as exc:
            staff.approve(clerk, action="sale.void", empno=empno, pin="000000")
        answers.add(str(exc.value).split(";")[0])
    assert answers == {"Unknown employee number or wrong PIN"}
    with pytest.raises(AuthFailed, match="1 approval attempt"):
        staff.confirm_person(clerk, empno="8103", pin="000000")
    # An approval used by its action starts the count again.
    from hallterm.context import run_write

    person = staff.approve(clerk, action="test.approve", empno="8002", pin="246810")
    run_write(clerk, "test.approve",
              lambda uow: staff.record_pin(uow, person, for_action="test.approve"))
    with pytest.raises(AuthFailed, match="4 approval attempt"):
        staff.approve(clerk, action="sale.void", empno="8002", pin="000000")
