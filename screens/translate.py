"""Keys shown in the current language, translated when shown rather than at import.

Textual builds a node's bindings from its class's ``BINDINGS`` when the class is
created, so a description written as ``_("Serve")`` would be frozen in whatever
language was current at import. Actions are therefore declared with ``N_("Serve")``
(``screens.actions``) and every screen of the shell shows its keys through
``TranslatedKeys``: its ``active_bindings`` (what Textual's footer and the keys help
read) carry the titles and help in the current language, the language key names the
language it switches to, and the posts' keys (bound at run time) come first with
their posts' titles.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import ActiveBinding, Binding

from hallterm.i18n import _, get_language


def translated(binding: Binding) -> Binding:
    """A copy of ``binding`` with its description and tooltip in the current language."""
    if binding.action == "switch_language":
        # The language key names the language it switches to, in that language.
        target = "English" if get_language() == "zh_CN" else "中文"
        return replace(binding, description=target,
                       tooltip=_(binding.tooltip) if binding.tooltip else "")
    if binding.action.startswith("open_post("):
        from screens.registry import post_for_action

        post = post_for_action(binding.action)
        if post is not None:
            return replace(binding, description=_(post.title),
                           tooltip=_(post.help) if post.help else "")
    return replace(
        binding,
        description=_(binding.description) if binding.description else "",
        tooltip=_(binding.tooltip) if binding.tooltip else "",
    )


def shown_bindings(app, found: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """``found`` (a screen's active bindings) translated, the posts' keys first among
    the app's (as the footer has always shown them)."""
    mine, posts, shell = [], [], []
    for key, active in found.items():
        binding = translated(active.binding)
        entry = (key, active._replace(binding=binding, tooltip=binding.tooltip))
        if active.node is not app:
            mine.append(entry)
        elif binding.action.startswith("open_post("):
            posts.append(entry)
        else:
            shell.append(entry)
    return dict(mine + posts + shell)


class TranslatedKeys:
    """Mixin for every screen of the shell: its keys in the current language."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return shown_bindings(self.app, super().active_bindings)  # type: ignore[misc]
