"""The command palette's entries: only the posts and actions the signed-in person may use.

Posts come from ``screens.registry`` filtered by ``hallterm.permissions.allowed``
(through ``app.allowed_posts``); the shell's own actions (home, lock, sign out,
language, quit) follow the same rule as their keys (``app.check_action``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from hallterm.i18n import N_, _

# (action, title, help) of the shell's own actions; titles are message ids.
_ACTIONS = (
    ("home", N_("Home"), N_("Back to the home screen")),
    ("lock", N_("Lock"), N_("Lock this terminal")),
    ("switch_language", N_("Language"), N_("Switch between Chinese and English")),
    ("sign_out", N_("Sign out"), N_("Sign out of this terminal")),
    ("quit", N_("Quit"), N_("Close HallTerm")),
)


class ShellCommands(Provider):
    """Posts and shell actions, in the current language, filtered by role."""

    def commands(self) -> list[tuple[str, str, Callable]]:
        """(title, help, callback) of every entry this person may use now."""
        app = self.app
        entries: list[tuple[str, str, Callable]] = []
        for post in getattr(app, "allowed_posts", list)():
            entries.append((_(post.title), _(post.help) if post.help else "",
                            partial(app.run_action, f"open_post({post.id!r})")))
        for action, title, help_ in _ACTIONS:
            if app.check_action(action, ()) is True:
                entries.append((_(title), _(help_), partial(app.run_action, action)))
        return entries

    async def discover(self) -> Hits:
        for title, help_, callback in self.commands():
            yield DiscoveryHit(title, callback, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_, callback in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_)


class ShellPalette(CommandPalette):
    """Textual's command palette, with its one built-in English message translated."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Same as Textual's (6.x), except for the translated message.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(_("No matches found"), style="not bold")),
                    disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
