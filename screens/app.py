"""The Textual app (placeholder entry until the shell lands)."""

from __future__ import annotations


def run_app(settings, config_file, *, demo: bool) -> None:
    from textual.app import App

    class _App(App):
        pass

    _App().run()
