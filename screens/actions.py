"""Every user action of the screens, declared once.

An ``Action`` says everything about one thing a person can do on a screen: its
stable id (what the ``keymap`` setting rebinds), its key, the Textual action it
runs, its title and help (``N_()``-marked English; shown translated), whether the
footer shows it, whether the command palette offers it, and the permission
(``hallterm.permissions``) a person needs for it.

A screen or widget declares its actions with ``declare(scope, title, ...)`` and
gets its Textual bindings from them::

    ACTIONS = declare("reception", N_("Reception"), Action("reception.vip", "v", ...), ...)
    BINDINGS = bindings(ACTIONS)

From the same declarations come the footer (``screens.translate``), the command
palette's screen actions (``screens.palette``), the keys help screen
(``screens.keys``), the keymap check and the keys reference page
(``python -m screens.keysdoc``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding

from hallterm.i18n import _


@dataclass(frozen=True)
class Action:
    """One user action: how it is reached, what it is called, who may use it."""

    id: str
    """Stable id, ``<scope>.<name>`` (e.g. ``sales.cash``): the ``keymap`` setting's name."""
    key: str
    """Textual key name (``ctrl+t``, ``f2``, ``question_mark``)."""
    action: str
    """The Textual action it runs (``cash``, ``issue(1)``)."""
    title: str
    """``N_()``-marked English title: the footer label and the palette entry."""
    help: str = ""
    """``N_()``-marked one-line description: the tooltip, palette help and keys help."""
    footer: bool = True
    """Shown in the footer (otherwise in the palette and the keys help)."""
    palette: bool = True
    """Offered in the command palette (when the screen allows it at that moment)."""
    permission: str | None = None
    """The permission it needs beyond opening its screen (None: the screen's own)."""
    priority: bool = False
    """Runs even while a text field has the focus (Textual priority binding)."""
    key_display: str | None = None
    """How the key is shown, when not simply the key (``1-9``)."""
    more_keys: tuple[tuple[str, str], ...] = ()
    """Further ``(key, action)`` pairs doing the same (digits 2-9 next to 1); not shown."""

    def bindings(self, key: str | None = None) -> list[Binding]:
        """The Textual bindings for this action (``key`` overrides the declared one)."""
        main = Binding(key or self.key, self.action, self.title, show=self.footer,
                       key_display=None if key else self.key_display,
                       priority=self.priority, tooltip=self.help, id=self.id)
        others = [(k, a, self.title) for k, a in self.more_keys]
        letter = key or self.key
        if len(letter) == 1 and letter.isascii() and letter.islower():
            # The guides and the screens' hints write a letter key as the keycap shows it
            # (`W`, "R: rectify"): with Shift or Caps Lock it does the same (no title:
            # listed once).
            others.append((letter.upper(), self.action, ""))
        more = [Binding(k, a, t, show=False, priority=self.priority) for k, a, t in others]
        return [main, *more]


@dataclass(frozen=True)
class Scope:
    """The actions of one screen, dialog or widget, for the docs and the keys help."""

    id: str
    title: str  # N_()-marked
    actions: tuple[Action, ...]
    order: int = 100
    module: str = ""  # the module that declared it (the docs list the app's own)


_SCOPES: dict[str, Scope] = {}
_BY_ID: dict[str, Action] = {}


def declare(scope: str, title: str, *actions: Action, order: int = 100) -> tuple[Action, ...]:
    """Register the actions of ``scope`` (a screen, dialog or widget) and return them.

    Ids are unique across the whole app: the keymap names an action by its id alone.
    """
    old = _SCOPES.get(scope)
    if old is not None:  # a module imported again (tests reload): replace
        for action in old.actions:
            _BY_ID.pop(action.id, None)
    ids = [a.id for a in actions]
    for action_id in ids:
        if action_id in _BY_ID or ids.count(action_id) > 1:
            raise ValueError(f"action id {action_id!r} is declared twice")
    module = sys._getframe(1).f_globals.get("__name__", "")
    _SCOPES[scope] = Scope(scope, title, tuple(actions), order, module)
    for action in actions:
        _BY_ID[action.id] = action
    return tuple(actions)


def bindings(actions: Iterable[Action]) -> list[Binding]:
    """A class's ``BINDINGS`` from its declared actions."""
    return [b for action in actions for b in action.bindings()]


def find(action_id: str | None) -> Action | None:
    """The declared action with this id, if any."""
    return _BY_ID.get(action_id) if action_id else None


def scopes() -> list[Scope]:
    """Every declared scope, in order (posts are discovered first)."""
    from screens.registry import posts

    posts()
    _import_widgets()
    return sorted(_SCOPES.values(), key=lambda s: (s.order, s.id))


def _import_widgets() -> None:
    import importlib
    import pkgutil

    import screens.widgets as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    for name in ("screens.home", "screens.signin", "screens.lock", "screens.keys", "screens.app",
                 "screens.display"):
        importlib.import_module(name)


def check_keymap(keymap: Mapping[str, object],
                 known: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """The keymap entries that can apply, and a message (translated) for each that cannot:
    an id no action has, or something that is not a key name."""
    known = set(known)
    good: dict[str, str] = {}
    problems: list[str] = []
    for action_id, keys in keymap.items():
        if action_id not in known:
            problems.append(_("keymap: there is no action {id!r}").format(id=action_id))
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(_("keymap: {id!r} needs a key such as \"f4\" or \"ctrl+t\"")
                            .format(id=action_id))
        elif bad := [k.strip() for k in keys.split(",") if not _valid_key(k.strip())]:
            problems.append(_("keymap: {key!r} for {id!r} is not a key name")
                            .format(key=bad[0], id=action_id))
        else:
            good[action_id] = ",".join(k.strip() for k in keys.split(","))
    return good, problems


def _valid_key(key: str) -> bool:
    """A key Textual can name: a character, or modifiers and a known key name."""
    from textual.keys import Keys

    if not key or " " in key:
        return False
    *modifiers, base = key.split("+")
    if any(m not in {"ctrl", "shift", "alt", "super", "meta", "hyper"} for m in modifiers):
        return False
    if len(base) == 1:
        return True
    names = {k.value.split("+")[-1] for k in Keys} | {"enter", "tab", "space", "backspace"}
    if base in names:
        return True
    import string
    import unicodedata

    try:  # Textual's names for punctuation: question_mark, slash, full_stop, plus_sign
        char = unicodedata.lookup(base.replace("_", " ").upper())
    except KeyError:
        return False
    return char in string.punctuation
