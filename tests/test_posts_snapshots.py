"""Snapshots of every post as its person sees it in the whole app, on the demo hall at a
frozen clock: 80×24 and 120×40, English and Chinese.

At 80×24 a post keeps its money columns and values whole, and Ctrl+P (the command
palette) stays in the footer for the keys that no longer fit. Regenerate after an
intended change with ``uv run pytest tests/test_posts_snapshots.py --snapshot-update``
and look at every changed SVG before committing ``tests/__snapshots__``.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from tests.keeper_fixtures import PIN, make_demo
from tests.pilot import settle_steady

# post: (its key, who works it, the terminal's counter)
POSTS = {
    "reception": ("f2", "8003", None),
    "counter": ("f12", "8004", 1),
    "sales": ("f3", "8004", 1),
    "warehouse": ("f5", "8008", None),
    "handover": ("f7", "8002", None),
    "audit": ("f6", "8009", None),
    "complaints": ("f4", "8006", None),
    "day": ("f11", "8001", None),
}
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture
def demo(tmp_path):
    made = make_demo(tmp_path)
    yield made
    made.ctx.store.dispose()


def post_app(demo, language: str, counter: int | None):
    from hallterm.bootstrap import open_ctx
    from screens.app import HallTermApp

    settings = demo.settings.model_copy(update={"counter": counter, "language": language})
    ctx = open_ctx(settings, None, clock=demo.clock)
    ctx.language = language
    return HallTermApp(settings, None, ctx=ctx)


def open_post(key: str, empno: str):
    async def run_before(pilot) -> None:
        await settle_steady(pilot)
        screen = pilot.app.screen
        screen.query_one("#empno", Input).value = empno
        screen.query_one("#pin", Input).value = PIN
        screen.set_focus(screen.query_one("#pin", Input))
        await pilot.press("enter")
        await settle_steady(pilot)
        await pilot.press(key)
        await settle_steady(pilot)
        if key == "f3":  # a sale under way: a cable and a handset with its serial
            await pilot.press(*"ACC-CABLE-C", "enter")
            await settle_steady(pilot)
            await pilot.press(*"HS-HW-M60", "enter")
            await settle_steady(pilot)
            await pilot.press("1", "enter")
            await settle_steady(pilot)
        await settle_steady(pilot)
        # A table works out its column widths when the app is idle: let it, then draw
        # again, so the header row is never the one from before the rows came.
        await pilot.pause(0.3)
        for table in pilot.app.screen.query(DataTable):
            table.refresh()
        await pilot.pause(0.1)

    return run_before


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("post", list(POSTS))
def test_post(snap_compare, demo, post, language, size):
    key, empno, counter = POSTS[post]
    assert snap_compare(post_app(demo, language, counter), terminal_size=SIZES[size],
                        run_before=open_post(key, empno))
