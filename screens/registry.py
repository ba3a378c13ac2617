"""Post screens register themselves here; the shell reads the registry.

A post module in ``screens/posts/`` calls ``register(Post(...))`` at import. The
shell discovers every module of that package, so adding a post (reception, sales,
complaints, warehouse, audit, handover) never means editing the shell: it gets its
footer key, its command-palette entry and its place on the home screen from here,
and only people whose roles grant ``permission`` see it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Post:
    """One post's screen: how to reach it and who may."""

    id: str  # stable id, e.g. "reception"
    title: str  # N_()-marked English title; translated when shown
    key: str  # Textual key name, e.g. "f2"
    permission: str  # e.g. "screen.reception" (hallterm.permissions)
    factory: Callable[[], Any]  # builds the Screen
    help: str = ""  # N_()-marked one-line description
    order: int = 100

    @property
    def action_id(self) -> str:
        """The id of the action opening this post (what the ``keymap`` setting rebinds)."""
        return f"post.{self.id}"

    def action(self):
        """This post's opening, as a declared action (for the docs and the keymap)."""
        from screens.actions import Action

        return Action(self.action_id, self.key, f"open_post({self.id!r})", self.title,
                      self.help, permission=self.permission)


_POSTS: dict[str, Post] = {}


def register(post: Post) -> Post:
    """Add (or replace) a post."""
    _POSTS[post.id] = post
    return post


def posts() -> list[Post]:
    """Every registered post, in order (discovering ``screens.posts`` on first use)."""
    _discover()
    return sorted(_POSTS.values(), key=lambda p: (p.order, p.id))


def post_for_action(action: str) -> Post | None:
    """The post an ``open_post('<id>')`` action opens."""
    for post in _POSTS.values():
        if action == f"open_post({post.id!r})":
            return post
    return None


_discovered = False


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    import screens.posts as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
