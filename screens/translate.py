"""Key labels in the current language, translated when shown rather than at import.

Textual builds a node's bindings from its class's ``BINDINGS`` when the class is
created, so a description written as ``_("Serve")`` would be frozen in whatever
language was current at import. Screens therefore write ``N_("Serve")`` and the
shell rebuilds every node's bindings from those English message ids with ``_()``
whenever a screen is pushed and whenever the language changes.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from hallterm.i18n import _


def translated(binding: Binding) -> Binding:
    """A copy of ``binding`` with its description and tooltip in the current language."""
    return replace(
        binding,
        description=_(binding.description) if binding.description else "",
        tooltip=_(binding.tooltip) if binding.tooltip else "",
    )


def retranslate_bindings(node: DOMNode, extra: list[Binding] | None = None, *,
                         first: bool = False) -> None:
    """Rebuild ``node``'s bindings from its class's (English) declarations, translated.

    ``extra`` bindings (made at run time) come after the class's, or before them
    with ``first`` (the footer shows keys in this order).
    """
    base = type(node)._merged_bindings
    keys: dict[str, list[Binding]] = {}
    if first:
        for binding in extra or []:
            keys.setdefault(binding.key, []).append(translated(binding))
    if base is not None:
        for key, bindings in base.key_to_bindings.items():
            keys.setdefault(key, []).extend(translated(b) for b in bindings)
    if not first:
        for binding in extra or []:
            keys.setdefault(binding.key, []).append(translated(binding))
    node._bindings = BindingsMap.from_keys(keys)


def retranslate_tree(root: DOMNode) -> None:
    """Retranslate the bindings of ``root`` and everything below it."""
    for node in root.walk_children(with_self=True):
        retranslate_bindings(node)
