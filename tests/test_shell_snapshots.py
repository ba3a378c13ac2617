"""Snapshots of sign-in and home at 120x40, in English and Chinese (frozen clock, no blink).

Regenerate after an intended change with
``uv run pytest tests/test_shell_snapshots.py --snapshot-update`` and look at the
report before committing ``tests/__snapshots__``. The posts and figures are fixed
here so that areas adding their own do not change these pictures.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from hallterm.i18n import N_
from screens import registry
from screens.base import PostScreen
from tests.conftest import MANAGER_PIN
from tests.pilot import settle_steady

SIZE = (120, 40)


class _Post(PostScreen):
    pass


@pytest.fixture
def fixed_shell(monkeypatch):
    """Two posts and only the core figures, whatever the areas register."""
    from hallterm.services import figures

    posts = {
        "complaints": registry.Post(id="complaints", title=N_("Complaints"), key="f4",
                                    permission="screen.complaints", factory=_Post, order=40),
        "warehouse": registry.Post(id="warehouse", title=N_("Warehouse"), key="f5",
                                   permission="screen.warehouse", factory=_Post, order=50),
    }
    monkeypatch.setattr(registry, "_POSTS", posts)
    monkeypatch.setattr(registry, "_discovered", True)
    core = {k: v for k, v in figures._FIGURES.items() if k.startswith(figures.__name__ + ".")}
    monkeypatch.setattr(figures, "_FIGURES", core)
    monkeypatch.setattr(figures, "_discovered", True)


def make_app(hall, language: str, *, demo: bool = False):
    from screens.app import HallTermApp

    settings = hall.settings.model_copy(update={"language": language})
    return HallTermApp(settings, None, ctx=hall.ctx, demo=demo)


async def _sign_in(pilot) -> None:
    await settle_steady(pilot)
    screen = pilot.app.screen
    screen.query_one("#empno", Input).value = "9001"
    screen.query_one("#pin", Input).value = MANAGER_PIN
    screen.set_focus(screen.query_one("#pin", Input))
    await pilot.press("enter")
    await settle_steady(pilot)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_sign_in(snap_compare, hall, fixed_shell, language):
    assert snap_compare(make_app(hall, language, demo=True), terminal_size=SIZE,
                        run_before=settle_steady)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_home(snap_compare, hall, fixed_shell, language):
    assert snap_compare(make_app(hall, language), terminal_size=SIZE, run_before=_sign_in)
