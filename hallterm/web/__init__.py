"""``hallterm serve``: the app in a browser, through textual-serve.

Every browser session runs its own ``hallterm terminal --browser`` process (a distinct
terminal id, ``WEB-`` and 8 random hex digits, written on every audit row it makes) and
signs in by employee number and PIN as at any terminal. The page is textual-serve's own
with what it fetched from the internet removed (a Google font; the Roboto Mono files it
ships serve instead) and its words in the hall's language. textual-serve speaks plain
HTTP and WebSocket: bound to localhost unless ``--host`` says otherwise, and meant to sit
behind the hall's reverse proxy with TLS (docs/operations/hall-host.md).
"""

from __future__ import annotations

import html
import shlex
import sys
import tempfile
from pathlib import Path

from hallterm.i18n import _

TEMPLATE = Path(__file__).parent / "templates" / "app_index.html"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def page(hall_name: str, language: str) -> str:
    """The page template with the hall's name and the words in the terminal's language."""
    words = {"@@HALL@@": hall_name, "@@START@@": _("Start"),
             "@@ENDED@@": _("Session ended."), "@@RESTART@@": _("Restart"),
             "@@LANG@@": "zh-CN" if language == "zh_CN" else "en"}
    text = TEMPLATE.read_text(encoding="utf-8")
    for token, word in words.items():
        text = text.replace(token, html.escape(word))
    return text


def session_command() -> str:
    """The command each browser session runs: this very HallTerm, as a browser terminal."""
    return shlex.join([sys.executable, "-m", "hallterm", "terminal", "--browser"])


def serve(*, host: str, port: int, public_url: str | None, hall_name: str,
          language: str) -> None:
    """Serve the app until Ctrl+C (textual-serve is imported here only)."""
    from textual_serve.server import Server

    with tempfile.TemporaryDirectory(prefix="hallterm-serve-") as folder:
        (Path(folder) / "app_index.html").write_text(page(hall_name, language),
                                                     encoding="utf-8")
        server = Server(session_command(), host=host, port=port, title=hall_name,
                        public_url=public_url, templates_path=folder)
        server.serve()
