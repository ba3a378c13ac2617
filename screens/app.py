"""The HallTerm app: sign-in, home, lock, navigation between posts, and the language.

The app paints its sign-in screen before it touches the store: opening the store
(and, for ``hallterm demo``, preparing the demo hall) runs in a thread worker after
the first paint, because importing SQLModel alone costs more than painting.

Post screens find the signed-in person's context in ``app.hctx`` and report bugs
with ``app.report_unexpected(exc)``. Every registered post whose permission the
person's roles grant gets a footer key and a palette entry (``screens.registry``);
the shell never changes when a post is added.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen

from hallterm.clock import FixedClock, SystemClock
from hallterm.errors import HallTermError
from hallterm.i18n import N_, _, get_language, set_language
from screens.actions import Action, bindings, check_keymap, declare, scopes
from screens.palette import ShellCommands, ShellPalette
from screens.post_modes import PostModes
from screens.sessions import Sessions
from screens.shell import in_thread
from screens.signin import SignInScreen
from screens.widgets.header import ShellHeader, counter_label

IDLE_CHECK_SECONDS = 5.0
"""How often the idle lock is checked (the idle time itself is read from the clock)."""

KEEPER_CHECK_SECONDS = 2.0
"""How often a counter terminal checks (by the queue's change counter) that its clerk
still keeps the counter: a handover to someone else ends their session there."""

PROGRESS_AFTER_SECONDS = 0.5
"""Work that takes longer than this shows a progress indicator."""


class HallTermApp(Sessions, PostModes, App[None]):
    """The counter terminal's app."""

    CSS_PATH = "styles.tcss"
    TITLE = "HallTerm"
    COMMANDS = {ShellCommands}
    ACTIONS = declare(
        "shell", N_("Every screen"),
        Action("shell.home", "f1", "home", N_("Home"), N_("Back to the home screen")),
        Action("shell.lock", "f8", "lock", N_("Lock"), N_("Lock this terminal")),
        Action("shell.language", "f9", "switch_language", N_("Language"),
               N_("Switch between Chinese and English")),
        Action("shell.sign_out", "f10", "sign_out", N_("Sign out"),
               N_("Sign out of this terminal")),
        Action("shell.quit", "ctrl+q", "quit", N_("Quit"), N_("Close HallTerm"),
               footer=False, priority=True),
        Action("shell.commands", "ctrl+p", "command_palette", N_("Commands"),
               N_("Open the command palette"), footer=False, palette=False, priority=True),
        Action("shell.keys", "question_mark", "keys", N_("Keys"),
               N_("Every key of this screen, with what it does"), footer=False),
        order=0)
    DEFAULT_MODE = "shell"
    MODES = {"shell": Screen}
    """The shell's mode holds sign-in and home; each opened post has a mode of its own."""
    BINDINGS = [
        *bindings(ACTIONS),
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(self, settings, config_file: Path | None = None, *, demo: bool = False,
                 ctx=None, prepare: Callable[[Any, Any], Any] | None = None,
                 load_settings: Callable[[], tuple[Any, Path | None]] | None = None,
                 idle_check_seconds: float = IDLE_CHECK_SECONDS) -> None:
        """Run in the worker, after the first paint: ``load_settings()`` returns the real
        ``(Settings, config_file)`` when ``settings`` are only ``hallterm.early``'s;
        ``prepare(settings, clock)`` prepares the demo and returns an object with
        ``settings`` and ``config_file``. ``ctx``: an already open context (tests)."""
        super().__init__()
        self.settings = settings
        self.config_file = config_file
        self.demo = demo
        self._prepare = prepare
        self._load_settings = load_settings
        self._idle_check_seconds = idle_check_seconds
        self.clock = ctx.clock if ctx is not None else _clock(settings)
        self.base_ctx = ctx
        self.hctx = ctx
        """The context acting as the signed-in person (``actor`` None before sign-in)."""
        self.hall = None
        self.day_state: str | None = None
        self.ready = False
        self.locked = False
        self.last_activity = self.clock.now()
        self._keeping: int | None = None  # the signed-in clerk keeps this terminal's counter
        self._keeper_version: int | None = None
        self._keeper_checking = False
        self.kept_posts: dict[str, Screen] = {}
        """Each post opened by the signed-in person, by id: its screen (with any dialog
        on it) lives on in its own mode while the person is elsewhere, so going Home
        and back finds it as it was. Signing out or a take-over forgets them."""
        self._post_languages: dict[str, str] = {}
        self._bound_posts: set[str] = set()
        self._clash_messages: set[str] = set()
        self._shell_screens: list[Screen] = []  # sign-in and home, while a post is shown
        set_language(settings.language)

    # -- start ----------------------------------------------------------------------
    def on_mount(self) -> None:
        self.retranslate()
        self.push_screen(SignInScreen())
        self.set_interval(self._idle_check_seconds, self.check_idle_lock)
        self.set_interval(KEEPER_CHECK_SECONDS, self.check_keeper)
        # Open the store once the sign-in screen is painted: the worker's imports
        # would otherwise compete with the first paint for the interpreter.
        self.call_after_refresh(self._start_opening)

    def _start_opening(self) -> None:
        self.run_worker(self._open_store, thread=True, exclusive=True, group="store")

    def _open_store(self) -> None:
        """Thread worker: prepare the demo, open the store, load the hall and the posts."""
        try:
            settings, config_file = self.settings, self.config_file
            if self._load_settings is not None:
                settings, config_file = self._load_settings()
            if self._prepare is not None:
                prepared = self._prepare(settings, self.clock)
                settings, config_file = prepared.settings, prepared.config_file
            ctx = self.base_ctx
            if ctx is None:
                from hallterm.bootstrap import open_ctx

                ctx = open_ctx(settings, config_file, clock=self.clock)
            from hallterm.services.day import day_status
            from hallterm.services.hall import get_hall

            hall = get_hall(ctx)
            state = day_status(ctx).state
        except HallTermError as exc:
            self.call_from_thread(self._open_failed, exc)
            return
        except Exception as exc:
            self.call_from_thread(self._open_failed, exc)
            self.call_from_thread(self.report_unexpected, exc)
            return
        try:
            from screens.registry import posts

            posts()  # imports every post module off the UI thread
        except Exception as exc:  # one broken post must not keep the hall closed
            self.call_from_thread(self.report_unexpected, exc)
        self.call_from_thread(self._store_ready, settings, config_file, ctx, hall, state)

    def _store_ready(self, settings, config_file, ctx, hall, state: str) -> None:
        self.settings, self.config_file = settings, config_file
        self.base_ctx = ctx
        self.hctx = ctx
        self.hall = hall
        self.day_state = state
        self.ready = True
        self.apply_keymap()
        for screen in self.screen_stack:
            if isinstance(screen, SignInScreen):
                screen.store_ready()
        self.retranslate()

    # -- keys -----------------------------------------------------------------------------
    def apply_keymap(self) -> None:
        """Bind the posts' keys and apply the ``keymap`` setting (keys rebound by action id).

        Entries that cannot apply (no such action, not a key) are reported on screen and
        left out; the declared keys stay.
        """
        from screens.registry import posts

        keymap = dict(getattr(self.settings, "keymap", None) or {})
        try:
            known = {a.id for scope in scopes() for a in scope.actions}
        except Exception as exc:  # one broken screen module must not keep the hall closed
            self.report_unexpected(exc)
            known = set()
        known |= {p.action_id for p in posts()}
        good, problems = check_keymap(keymap, known)
        for problem in problems:
            self.notify(problem, severity="error", timeout=12)
        for post in posts():
            if post.id not in self._bound_posts:
                self._bound_posts.add(post.id)
                self.bind(good.get(post.action_id, post.key), f"open_post({post.id!r})",
                          description=post.title)
        self.set_keymap({k: v for k, v in good.items() if not k.startswith("post.")})

    def handle_bindings_clash(self, clashed_bindings, node) -> None:
        # A keymap entry took a key another action of the same screen keeps: say so once.
        for binding in clashed_bindings:
            message = _("keymap: the key {key} is already taken by {title} here").format(
                key=binding.key, title=_(binding.description) if binding.description
                else binding.action)
            if message not in self._clash_messages:
                self._clash_messages.add(message)
                self.notify(message, severity="error", timeout=12)

    def action_keys(self) -> None:
        """Show every key of the current screen."""
        from screens.keys import KeysScreen

        self.push_screen(KeysScreen(self.screen))

    def _open_failed(self, exc: Exception) -> None:
        message = str(exc) if isinstance(exc, HallTermError) else type(exc).__name__
        for screen in self.screen_stack:
            if isinstance(screen, SignInScreen):
                screen.store_failed(message)

    # -- facts for the header ------------------------------------------------------
    def header_facts(self) -> dict[str, str]:
        """What the header shows, in the current language."""
        hall = "HallTerm"
        if self.hall is not None:
            hall = self.hall.name_zh if get_language() == "zh_CN" else self.hall.name_en
        where = _("Terminal {terminal}").format(terminal=self.settings.terminal)
        counter = counter_label(self.settings.counter)
        if counter:
            where = f"{where} · {counter}"
        actor = self.actor
        user = f"{actor.name} ({actor.empno})" if actor else _("Not signed in")
        user_short = (f"{actor.empno} {actor.name.split()[0]}" if actor and actor.name.strip()
                      else user)
        now = self.clock.now()
        day_short = now.date().isoformat()
        if self.day_state is not None:
            from hallterm.services.day import state_label

            day_short = f"{day_short} {state_label(self.day_state)}"
        day = _("Day {day}").format(day=day_short)
        return {"hall": hall, "where": where, "user": user, "user_short": user_short,
                "day": day, "day_short": day_short, "clock": now.strftime("%H:%M:%S"),
                "clock_short": now.strftime("%H:%M")}

    def day_changed(self, state: str) -> None:
        """The business day changed state (seen by a header's poll): show it everywhere."""
        self.day_state = state
        self.refresh_header()
        for screen in self.all_screens():
            hook = getattr(screen, "day_changed", None)
            if callable(hook):
                hook(state)

    def refresh_header(self) -> None:
        for screen in self.all_screens():
            for header in screen.query(ShellHeader):
                header.refresh()

    @property
    def actor(self):
        """The signed-in person, or None."""
        return self.hctx.actor if self.hctx is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"home", "lock", "sign_out"}:
            return self.actor is not None and not self.locked
        if action == "open_post":
            return (not self.locked and not isinstance(self.screen, ModalScreen)
                    and any(p.id == parameters[0] for p in self.allowed_posts()))
        if action in {"command_palette", "switch_language"}:
            return not self.locked
        if action == "keys":
            from screens.keys import has_own_keys

            return (self.actor is not None and not self.locked
                    and not isinstance(self.screen, ModalScreen)
                    and has_own_keys(self.screen))
        return True

    # -- language -----------------------------------------------------------------------
    def action_switch_language(self) -> None:
        """Switch between English and Chinese; remembered for the signed-in person."""
        language = "zh_CN" if get_language() == "en" else "en"
        set_language(language)
        if self.base_ctx is not None:
            self.base_ctx.language = language
        actor = self.actor
        if actor is not None:
            self.hctx = self.base_ctx.as_actor(replace(actor, language=language))
            from hallterm.services.staff import set_language as remember

            in_thread(self, partial(remember, self.hctx, language=language), group="language")
        self.retranslate()

    def retranslate(self) -> None:
        """Show every key, label and screen in the current language."""
        for screen in self.all_screens():
            self._retranslate_screen(screen)
        self.refresh_header()
        self.refresh_bindings()

    @staticmethod
    def _retranslate_screen(screen: Screen) -> None:
        hook = getattr(screen, "retranslate", None)
        if callable(hook):
            hook()

    # -- Textual's own strings -------------------------------------------------------
    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self) and not self.locked:
            self.push_screen(ShellPalette(id="--command-palette",
                                          placeholder=_("Search for a screen or action…")))

    def get_system_commands(self, screen: Screen):
        yield SystemCommand(_("Quit"), _("Close HallTerm"), self.action_quit)

    # -- errors -------------------------------------------------------------------------
    def report_unexpected(self, exc: BaseException) -> Path:
        """Log a bug with its traceback and show the person a short apology."""
        log = self.settings.resolved_log_file()
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as out:
                out.write(f"{self.clock.now().isoformat()} unexpected error\n")
                out.write("".join(traceback.format_exception(exc)))
                out.write("\n")
        except OSError:
            pass
        self.notify(_("Sorry, something went wrong. Details are in {log}").format(log=log),
                    severity="error", timeout=12)
        return log

    crash_on_bugs: bool | None = None
    """A bug in a handler ends the app (with its traceback) when true; None: only when
    headless (tests). On a counter it is logged with an apology instead."""

    def _crashes(self) -> bool:
        return self.is_headless if self.crash_on_bugs is None else self.crash_on_bugs

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        # Every key, palette entry and footer click runs through here (public API): a
        # bug in an action is logged with an apology and the app keeps taking keys.
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as exc:
            if self._crashes():
                raise
            self.report_unexpected(exc)
            return True

    def _handle_exception(self, error: Exception) -> None:
        # The rest (a bug in a message handler): Textual has no public hook for it
        # (checked up to 8.2), so this one private method stays overridden; on a counter
        # the clerk gets an apology, not a traceback, and F1 still works.
        if self._crashes() or not self.is_running:
            super()._handle_exception(error)
            return
        self.report_unexpected(error)


def _clock(settings):
    """The process clock (the light way: without importing the store's modules)."""
    if settings.now is not None:
        return FixedClock(settings.now, settings.tz)
    return SystemClock(settings.tz)


def run_app(settings, config_file: Path | None, *, demo: bool,
            prepare: Callable[[Any, Any], Any] | None = None,
            load_settings: Callable[[], tuple[Any, Path | None]] | None = None) -> None:
    """Run the app until it is closed (``prepare``, ``load_settings``: see ``HallTermApp``)."""
    HallTermApp(settings, config_file, demo=demo, prepare=prepare,
                load_settings=load_settings).run()
