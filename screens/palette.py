"""The command palette's entries: only the posts and actions the signed-in person may use.

Posts come from ``screens.registry`` filtered by ``hallterm.permissions.allowed``
(through ``app.allowed_posts``); the shell's own actions (home, lock, sign out,
language, quit) follow the same rule as their keys (``app.check_action``). On a
post, its own declared actions follow (``screens.actions``): those its screen
allows at that moment (``check_action``) and the person's roles permit, then the
keys help.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

from hallterm.i18n import _
from screens.actions import find


class ShellCommands(Provider):
    """Posts, shell actions and the current post's actions, in the current language."""

    def commands(self) -> list[tuple[str, str, Callable]]:
        """(title, help, callback) of every entry this person may use now."""
        app = self.app
        entries: list[tuple[str, str, Callable]] = []
        for post in getattr(app, "allowed_posts", list)():
            entries.append((_(post.title), _(post.help) if post.help else "",
                            partial(app.run_action, f"open_post({post.id!r})")))
        keys = None
        for action in getattr(app, "ACTIONS", ()):
            if not action.palette:
                continue
            if action.action == "keys":
                # Asked of the screen the palette was opened on: while the palette is up,
                # the app's own screen is the palette (a modal), which has no keys.
                from screens.keys import has_own_keys

                if (getattr(app, "actor", None) is None or getattr(app, "locked", False)
                        or not has_own_keys(self.screen)):
                    continue
            elif app.check_action(action.action, ()) is not True:
                continue
            entry = (_(action.title), _(action.help), partial(app.run_action, action.action))
            if action.action == "keys":
                keys = entry
            else:
                entries.append(entry)
        entries.extend(self.screen_commands())
        if keys is not None:
            entries.append(keys)
        return entries

    def screen_commands(self) -> list[tuple[str, str, Callable]]:
        """The calling screen's declared actions it allows now, that the person may use."""
        from hallterm.permissions import allowed

        app = self.app
        actor = getattr(app, "actor", None)
        if actor is None or getattr(app, "locked", False):
            return []
        entries = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            action = find(binding.id)
            if (active.node is app or action is None or not action.palette
                    or not active.enabled or action.id in seen):
                continue
            if action.permission and not allowed(actor.roles, action.permission):
                continue
            seen.add(action.id)
            key = app.get_key_display(binding)
            help_ = f"{binding.tooltip} ({key})" if binding.tooltip else key
            entries.append((binding.description, help_,
                            partial(app.run_action, binding.action, active.node)))
        return entries

    async def discover(self) -> Hits:
        for title, help_, callback in self.commands():
            yield DiscoveryHit(title, callback, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        found = False
        for title, help_, callback in self.commands():
            score = matcher.match(title)
            if score > 0:
                found = True
                yield Hit(score, matcher.highlight(title), callback, help=help_)
        if not found and query.strip():
            # Said here, in the current language (Textual's own message is English only).
            yield Hit(0.0001, _("No matches found"), _nothing)


def _nothing() -> None:
    """Choosing "No matches found" only closes the palette."""


class ShellPalette(CommandPalette):
    """Textual's command palette (the shell's entry point, with a translated placeholder)."""
