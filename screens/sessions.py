"""The shell's sessions: sign-in and sign-out, the lock (by key and when idle), and the
counter's keeper (a take-over elsewhere locks this terminal within seconds).

A mixin of ``HallTermApp`` (it uses the app's ``hctx``, ``base_ctx``, ``locked``, ``_forget_posts``
and ``_leave_then``), kept apart so each module stays readable.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from textual import events

from hallterm.i18n import _, get_language, set_language
from screens.home import HomeScreen
from screens.lock import LockScreen
from screens.shell import in_thread
from screens.signin import SignInScreen


class Sessions:
    """Who is at this terminal, and when it locks."""

    # -- sign-in, sign-out, lock -------------------------------------------------
    def signed_in(self, actor) -> None:
        """Someone signed in on the sign-in screen (or instead of a locked-out person)."""
        self.hctx = self.base_ctx.as_actor(actor)
        self.locked = False
        self.last_activity = self.clock.now()
        self._keeping = None
        self._keeper_version = None
        if actor.language and actor.language != get_language():
            set_language(actor.language)
        self.retranslate()
        self.push_screen(HomeScreen())
        self.check_keeper()

    def action_sign_out(self) -> None:
        if self.actor is None:
            return
        self._leave_then(_("Sign out?"), self._sign_out)

    def _sign_out(self) -> None:
        self._audit_session("signout", self.hctx)
        self.call_later(self._signed_out)

    async def action_quit(self) -> None:
        if self.actor is None:
            self.exit()
            return
        self._leave_then(_("Quit HallTerm?"), self.exit)

    async def _signed_out(self) -> None:
        self.hctx = self.base_ctx
        self.locked = False
        await self._forget_posts()
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        if get_language() != self.settings.language:
            set_language(self.settings.language)
        self.retranslate()
        if isinstance(self.screen, SignInScreen):
            self.screen.reset()

    def action_lock(self) -> None:
        self.lock_terminal("lock")

    def lock_terminal(self, event: str = "lock", *, ended: str | None = None) -> None:
        """Lock the terminal: a screen with no customer data until a PIN unlocks it.

        ``ended``: the person's session here has ended (their counter was taken over;
        the message says by whom): any PIN starts a new session from home.
        """
        if self.actor is None:
            return
        if self.locked:
            if ended is not None and isinstance(self.screen, LockScreen):
                self._audit_session(event, self.hctx)
                self.screen.end_session(ended)
            return
        self.locked = True
        self._audit_session(event, self.hctx)
        self.push_screen(LockScreen(self.actor, idle=event == "idle_lock",
                                    at=self.clock.now(), ended=ended))
        self.refresh_bindings()

    # -- the counter's keeper ------------------------------------------------------------
    def check_keeper(self) -> None:
        """On a counter terminal: lock when the signed-in clerk's counter was taken over.

        One tiny read (the queue's change counter) per tick; the keeper is read again
        only when the queue changed (a handover writes a counter event).
        """
        counter = self.settings.counter if self.settings is not None else None
        ctx = self.hctx
        if (counter is None or ctx is None or ctx.actor is None or not self.ready
                or self._keeper_checking or self._keeping is False):
            return
        self._keeper_checking = True
        seen = self._keeper_version

        def work() -> None:
            from hallterm.services.queue import changes, keeper

            try:
                version = changes(ctx)
                found = keeper(ctx, counter=counter) if version != seen else None
            except Exception:  # a busy store or no such counter: try again on the next tick
                self.call_from_thread(setattr, self, "_keeper_checking", False)
                return
            self.call_from_thread(self._keeper_seen, ctx.actor, version, found)

        self.run_worker(work, thread=True, group="keeper")

    def _keeper_seen(self, actor, version: int, found) -> None:
        self._keeper_checking = False
        if self.actor is None or actor.id != self.actor.id:
            return  # someone else signed in meanwhile
        self._keeper_version = version
        if found is None:
            return
        if found.staff_id == actor.id:
            self._keeping = found.counter
        elif self._keeping is not None and found.staff_id is not None:
            self._keeping = False
            self.lock_terminal("signout", ended=_(
                "Counter {counter} was taken over by {keeper}: your session at this counter "
                "has ended.").format(counter=found.counter, keeper=found.label()))

    def unlocked(self) -> None:
        """The same person's PIN: back where they were."""
        self.locked = False
        self.last_activity = self.clock.now()
        if isinstance(self.screen, LockScreen):
            self.pop_screen()
        self.refresh_bindings()

    async def switch_user(self, actor) -> None:
        """Another person signed in on the lock screen (the first was signed out), or
        the same person after their session ended."""
        self.locked = False
        self.hctx = self.base_ctx
        await self._forget_posts()  # money taken stays in the store; the next clerk finds it
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        if isinstance(self.screen, SignInScreen):
            self.screen.reset()
        set_language(self.settings.language)
        self.signed_in(actor)

    def check_idle_lock(self) -> bool:
        """Lock when nobody pressed a key for ``idle_lock_minutes`` (time from the clock)."""
        if self.actor is None or self.locked:
            return False
        idle = self.clock.now() - self.last_activity
        if idle >= timedelta(minutes=self.settings.idle_lock_minutes):
            self.lock_terminal("idle_lock")
            return True
        return False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.last_activity = self.clock.now()
        await super().on_event(event)

    def _audit_session(self, event: str, ctx) -> None:
        from hallterm.services.staff import record_session_event

        in_thread(self, partial(record_session_event, ctx, event=event), group="audit")
