"""Pilot: at 80×24, in English and Chinese, every table of every post fits its width
(no column runs off the edge, so no price or total is cut) and keeps its money columns."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable

from hallterm.i18n import _, set_language
from tests.keeper_fixtures import make_demo
from tests.pilot import pilot_test, settle
from tests.test_posts_snapshots import POSTS, open_post, post_app

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]  # sqlite_only: screens

# A table's money columns, by its id: they must be there at 80 columns.
MONEY = {"cart-table": ("Price", "Total"), "custody-table": ("Value",),
         "wh-stock": ("Unit", "Value")}


def overflowing(table: DataTable) -> list[str]:
    """The columns of ``table`` that do not fit in its width, or whose cells are cut."""
    room = table.scrollable_content_region.width
    used, cut = 0, []
    for column in table.ordered_columns:
        width = column.get_render_width(table)
        used += width
        if used > room:
            cut.append(str(column.label))
    for row in range(table.row_count):
        for column, cell in zip(table.ordered_columns, table.get_row_at(row), strict=False):
            if column.key.value and column.width and cell_len(str(cell)) > column.width:
                cut.append(f"{column.label}: {cell}")
    return cut


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("post", ["reception", "sales", "warehouse", "handover", "audit"])
@pilot_test
async def test_every_table_of_a_post_fits_80_columns(tmp_path, post, language):
    demo = make_demo(tmp_path)
    key, empno, counter = POSTS[post]
    app = post_app(demo, language, counter)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_post(key, empno)(pilot)
            await settle(pilot)
            set_language(language)
            for table in app.screen.query(DataTable):
                if not table.display or table.size.width == 0 or not table.region:
                    continue
                assert overflowing(table) == [], (post, table.id)
                heads = [str(c.label) for c in table.ordered_columns]
                for money in MONEY.get(table.id or "", ()):
                    assert _(money) in heads, (post, table.id, heads)
    finally:
        demo.ctx.store.dispose()
