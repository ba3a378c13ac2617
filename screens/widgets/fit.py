"""Tables that fit the terminal: money and counts whole, names narrowed first.

A table names its one flexible column (an item or service name); every other
column keeps its full width, and the flexible one gets what is left, cut with an
ellipsis when it must be. At 80 columns a price or a total is never cut to "¥39".
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

SCROLLBAR = 2
"""Room kept for the table's vertical scrollbar."""


def widest(header: str, cells: Iterable[str | Text]) -> int:
    """The width a column needs to show its header and every cell whole."""
    return max([cell_len(header)] + [cell_len(c.plain if isinstance(c, Text) else c)
                                      for c in cells])


def room_for(table: DataTable, others: Iterable[int], *, minimum: int, natural: int,
             width: int | None = None) -> int:
    """The flexible column's width: what the ``others`` (content widths) leave of the
    table's width, at most ``natural``, at least ``minimum``."""
    pad = 2 * table.cell_padding
    widths = list(others)
    total = width if width is not None else table.size.width
    if total <= 0:  # not laid out yet: the natural width, fixed on the first resize
        return natural
    left = total - SCROLLBAR - sum(w + pad for w in widths) - pad
    return max(minimum, min(natural, left))


def cut(text: str, width: int) -> Text:
    """``text`` in at most ``width`` cells, with an ellipsis when shortened."""
    shown = Text(text, no_wrap=True, overflow="ellipsis")
    if cell_len(text) > width:
        shown.truncate(width, overflow="ellipsis")
    return shown
