"""``python -m hallterm``: the ``hallterm`` command (``hallterm serve`` starts its browser
sessions this way, with the same interpreter)."""

from hallterm.cli import run

run()
