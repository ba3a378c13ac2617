"""The Typer CLI: one module per command group, joined in ``main``.

Each command imports only what it needs: a group's module is imported when that
group is called (``hallterm.cli.main``'s lazy root), services, SQL and Textual
inside the command functions. ``run`` is the console script: a plain ``hallterm
demo`` opens the app without importing Typer or any command module at all.
"""

from __future__ import annotations


def run() -> None:
    """Console-script entry point."""
    import sys

    from hallterm.cli.fastdemo import fast_path

    opener = fast_path(sys.argv[1:])  # plain `hallterm demo`: skip Typer's start-up
    if opener is not None:
        opener()
        return
    from hallterm.cli.main import app

    app()
