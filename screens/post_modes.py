"""The shell's posts: open one in a mode of its own, go Home and back to it as it was,
and forget them all at sign-out (asking first when leaving would lose a cart or money).

A mixin of ``HallTermApp``, kept apart so each module stays readable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import CommandPalette
from textual.screen import Screen

from hallterm.i18n import get_language
from screens.home import HomeScreen


class PostModes:
    """Each opened post lives in its own Textual mode until sign-out."""

    # -- posts ------------------------------------------------------------------------
    def allowed_posts(self) -> list:
        """The registered posts the signed-in person's roles may open."""
        from hallterm.permissions import allowed
        from screens.registry import posts

        actor = self.actor
        if actor is None or not self.ready:
            return []
        return [p for p in posts() if allowed(actor.roles, p.permission)]

    async def action_open_post(self, post_id: str) -> None:
        """Show a post's screen: as it was left when it was open before, else a new one."""
        post = next((p for p in self.allowed_posts() if p.id == post_id), None)
        if post is None or self.locked:
            return
        mode = _post_mode(post_id)
        if post_id not in self.kept_posts:
            try:
                screen = post.factory()
            except Exception as exc:
                self.report_unexpected(exc)
                return
            self.kept_posts[post_id] = screen
            self.add_mode(mode, lambda: screen)
        await self._leave_post()
        self._shell_screens = list(self.screen_stack)
        await self.switch_mode(mode)
        if self._post_languages.pop(post_id, get_language()) != get_language():
            for screen in self.screen_stack:  # switched while the post was away
                self._retranslate_screen(screen)

    async def action_home(self) -> None:
        await self._leave_post()
        await self._home_stack_to(HomeScreen)

    async def _leave_post(self) -> None:
        """Back to the home mode; the post's screens stay as they are in theirs."""
        if self.current_mode == self.DEFAULT_MODE:
            return
        if CommandPalette.is_open(self):
            await self.pop_screen()
        self._post_languages[self.current_mode.removeprefix("post:")] = get_language()
        await self.switch_mode(self.DEFAULT_MODE)

    async def _home_stack_to(self, kind: type[Screen]) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, kind):
            await self.pop_screen()

    async def _forget_posts(self) -> None:
        """Signing out, or another person: no post keeps the last person's work."""
        await self._leave_post()
        for post_id in list(self.kept_posts):
            del self.kept_posts[post_id]
            await self.remove_mode(_post_mode(post_id))
        self._post_languages.clear()

    def all_screens(self) -> list[Screen]:
        """The shell's screens (sign-in, home), the shown post's with its dialogs, and
        every kept post."""
        screens = list(self.screen_stack)
        if self.current_mode != self.DEFAULT_MODE:
            screens = [*self._shell_screens, *screens]
        for kept in self.kept_posts.values():
            if kept not in screens:
                screens.append(kept)
        return screens

    def _leaving(self) -> tuple[str | None, list[str]]:
        """Before sign-out or quit: why not (money taken), and what would be thrown away."""
        problem, questions = None, []
        for screen in self.all_screens():
            why = getattr(screen, "leave_problem", None)
            ask = getattr(screen, "leave_question", None)
            if callable(why) and problem is None:
                problem = why()
            if callable(ask) and (text := ask()):
                questions.append(text)
        return problem, questions

    def _leave_then(self, title: str, then: Callable[[], Any]) -> None:
        """Refuse while money is taken; ask when work would be lost; else ``then()``."""
        problem, questions = self._leaving()
        if problem:
            self.notify(problem, severity="error", timeout=10)
            return
        if not questions:
            then()
            return
        from screens.widgets.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.push_screen(ConfirmDialog(title, "\n".join(questions)), answered)



def _post_mode(post_id: str) -> str:
    """The Textual mode a post's screens live in."""
    return f"post:{post_id}"
