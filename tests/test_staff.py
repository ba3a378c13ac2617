"""Sign-in, PIN lockout shared through the store, approvals and segregation of duties."""

from __future__ import annotations

import pytest

from hallterm.errors import AuthFailed, BadInput, Forbidden
from hallterm.services import staff


def test_sign_in_and_wrong_pin_counts_down(hall):
    hall.add("8004", "sales")
    with pytest.raises(AuthFailed, match="4 attempt"):
        staff.authenticate(hall.ctx, empno="8004", pin="000000")
    assert staff.authenticate(hall.ctx, empno="8004", pin="246810").empno == "8004"
    assert staff.get_staff(hall.manager, empno="8004").failed_attempts == 0


def test_lockout_waits_then_needs_manager(hall):
    hall.add("8004", "sales")
    for _ in range(4):
        with pytest.raises(AuthFailed, match="Wrong PIN"):
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
    with pytest.raises(AuthFailed, match="1 attempt"):
        staff.authenticate(hall.ctx, empno="8004", pin="000000")


def test_disabled_account_refused(hall):
    hall.add("8004", "sales")
    staff.set_active(hall.manager, empno="8004", active=False)
    with pytest.raises(AuthFailed, match="disabled"):
        staff.authenticate(hall.ctx, empno="8004", pin="246810")


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
