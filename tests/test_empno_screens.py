"""Employee numbers on screens follow the same rule as the CLI: digits only, 3-12."""

from __future__ import annotations

from textual.widgets import Input

from hallterm.empno import EMPNO_MAX
from tests.pilot import settle
from tests.test_shell import SIZE, make_app, run_async


@run_async
async def test_the_sign_in_takes_digits_only_for_the_employee_number(hall):
    app = make_app(hall)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"ab8c001")
        field = app.screen.query_one("#empno", Input)
        assert field.value == "8001"
        assert field.max_length == EMPNO_MAX


def test_the_approval_and_lock_inputs_use_the_same_rule():
    import inspect

    from screens import lock, signin
    from screens.widgets import approval

    for module in (lock, signin, approval):
        source = inspect.getsource(module)
        assert "restrict=EMPNO_INPUT" in source and "A-Za-z" not in source
