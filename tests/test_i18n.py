"""The translation catalogs match the code: complete in Chinese, nothing obsolete, compiled.

Fix a failure with ``uv run python -m hallterm.tools.i18n update`` (then translate
the new ``msgstr`` entries in ``hallterm/locale/zh_CN/LC_MESSAGES/hallterm.po``)
and ``uv run python -m hallterm.tools.i18n compile``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("babel")

from hallterm.tools import i18n as tool

pytestmark = pytest.mark.sqlite_only  # the catalogs: nothing of the engine


@pytest.fixture(scope="module")
def problems() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"untranslated": [], "obsolete": [], "stale": []}
    for kind, line in tool.problems():
        found[kind].append(line)
    return found


def test_every_message_in_the_code_has_a_chinese_translation(problems):
    assert not problems["untranslated"], "\n".join(problems["untranslated"])


def test_no_catalog_holds_a_message_the_code_no_longer_uses(problems):
    assert not problems["obsolete"], "\n".join(problems["obsolete"])


def test_committed_mo_files_are_compiled_from_the_po_files(problems):
    assert not problems["stale"], "\n".join(problems["stale"])


def test_chinese_catalog_is_used_at_run_time():
    from hallterm.i18n import _, set_language

    set_language("zh_CN")
    try:
        translated = _("Sign out")
    finally:
        set_language("en")
    assert translated != "Sign out"
    assert _("Sign out") == "Sign out"
