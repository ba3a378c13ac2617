"""The translation catalogs match the code: complete in Chinese, nothing obsolete, compiled.

Fix a failure with ``uv run python -m hallterm.tools.i18n update`` (then translate
the new ``msgstr`` entries in ``hallterm/locale/zh_CN/LC_MESSAGES/hallterm.po``)
and ``uv run python -m hallterm.tools.i18n compile``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("babel")

from hallterm.tools import i18n as tool


@pytest.fixture(scope="module")
def problems() -> list[str]:
    return tool.problems()


def test_every_message_in_the_code_has_a_chinese_translation(problems):
    missing = [p for p in problems
               if "no translation" in p or "not in the catalog" in p or "placeholders" in p]
    assert not missing, "\n".join(missing)


def test_no_catalog_holds_a_message_the_code_no_longer_uses(problems):
    obsolete = [p for p in problems if "obsolete" in p]
    assert not obsolete, "\n".join(obsolete)


def test_committed_mo_files_are_compiled_from_the_po_files(problems):
    stale = [p for p in problems if "stale" in p or "missing" in p]
    assert not stale, "\n".join(stale)


def test_chinese_catalog_is_used_at_run_time():
    from hallterm.i18n import _, set_language

    set_language("zh_CN")
    try:
        translated = _("Sign out")
    finally:
        set_language("en")
    assert translated != "Sign out"
    assert _("Sign out") == "Sign out"
