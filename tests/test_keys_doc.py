"""The keys reference page is generated from the declared actions (docgen section ``keys``)."""

from __future__ import annotations

import pytest

from screens import keysdoc

pytestmark = pytest.mark.sqlite_only  # the keys reference: nothing of the engine


def test_the_keys_page_holds_the_generated_tables():
    page = keysdoc.PAGE.read_text(encoding="utf-8")
    assert keysdoc.keys_markdown() in page


def test_the_keys_page_names_every_action_with_its_key():
    from screens.actions import scopes

    page = keysdoc.keys_markdown()
    for scope in scopes():
        if not scope.module.startswith("screens."):
            continue
        for action in scope.actions:
            assert f"`{action.id}`" in page
    assert "| Ctrl+T | `sales.cash` | Cash |" in page
    assert "| F2 | `post.reception` | Reception |" in page
    assert "| ? | `shell.keys` | Keys |" in page
