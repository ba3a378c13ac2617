"""Translation: the one gettext-based ``_()`` every user-facing string goes through.

The catalogs live in ``hallterm/locale/<lang>/LC_MESSAGES/hallterm.mo`` and are
committed compiled, so a user never runs a build step; ``tests/test_i18n.py``
fails when a ``.mo`` is stale, when a message in the code has no ``zh_CN``
translation, or when a catalog holds a message the code no longer uses
(``python -m hallterm.tools.i18n update`` refreshes them).

The language is process-wide and switchable at run time (the app switches it per
signed-in user), so ``_()`` looks the catalog up on every call. ``N_()`` marks a
string for extraction where it must stay untranslated until shown (tables of
labels built at import time).
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "hallterm"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "zh_CN")
DEFAULT_LANGUAGE = "en"

_catalogs: dict[str, gettext.NullTranslations] = {}
_current: gettext.NullTranslations = gettext.NullTranslations()
_current_language = DEFAULT_LANGUAGE


def _catalog(language: str) -> gettext.NullTranslations:
    if language not in _catalogs:
        _catalogs[language] = gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True
        )
    return _catalogs[language]


def set_language(language: str) -> None:
    """Make ``language`` (``en`` or ``zh_CN``) the one ``_()`` translates into."""
    global _current, _current_language
    if language not in LANGUAGES:
        raise ValueError(language)
    _current = _catalog(language)
    _current_language = language


def get_language() -> str:
    """The language ``_()`` currently translates into."""
    return _current_language


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count."""
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now."""
    return message


def both(message: str) -> str:
    """The message in Chinese and English, for bilingual boards and slips."""
    zh = _catalog("zh_CN").gettext(message)
    return message if zh == message else f"{zh} / {message}"
