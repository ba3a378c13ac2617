"""Translation catalogs: extract, update, compile and check (``python -m hallterm.tools.i18n``).

- ``extract``: every ``_()``, ``N_()`` and ``ngettext()`` message in ``hallterm/`` and
  ``screens/`` into ``hallterm/locale/hallterm.pot`` (with Babel).
- ``update``: bring the ``en`` and ``zh_CN`` ``.po`` files in line with the template,
  keeping existing translations and dropping messages the code no longer uses.
- ``compile``: write the ``.mo`` files that ship in the package. They are
  committed, so nobody installing HallTerm needs Babel or a build step; Babel is a
  developer tool only (a dev dependency).
- ``check``: exit 1 when a message has no ``zh_CN`` translation, a catalog holds a
  message the code no longer uses, placeholders differ, or a ``.mo`` is stale.

Babel is imported inside the functions: this module is a developer tool.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("hallterm", "screens")
LOCALE_DIR = ROOT / "hallterm" / "locale"
DOMAIN = "hallterm"
POT = LOCALE_DIR / f"{DOMAIN}.pot"
LANGUAGES = ("en", "zh_CN")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def extract():
    """The message catalog of the code as it is now (a Babel ``Catalog``)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    catalog = Catalog(project="HallTerm", domain=DOMAIN, charset="utf-8")
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "tools" in rel.parts and rel.name == "i18n.py":
                continue
            for lineno, message, comments, _context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("Translators:",)
            ):
                if not message or (isinstance(message, tuple) and not message[0]):
                    continue
                catalog.add(message, None, [(rel.as_posix(), lineno)],
                            auto_comments=comments)
    return catalog


def _write_po(catalog, path: Path) -> bool:
    """Write ``catalog`` to ``path`` unless only the header dates would change."""
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, ignore_obsolete=True,
             sort_output=True)
    text = out.getvalue()
    if path.exists() and _strip_dates(path.read_bytes()) == _strip_dates(text):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text)
    return True


def _strip_dates(text: bytes) -> bytes:
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*"', b"", text)


def cmd_extract() -> None:
    catalog = extract()
    changed = _write_po(catalog, POT)
    print(f"{POT.relative_to(ROOT)}: {len(catalog)} messages" + ("" if changed else
                                                                   " (unchanged)"))


def _read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f)


def cmd_update() -> None:
    from babel.core import Locale
    from babel.messages.catalog import Catalog

    template = extract()
    _write_po(template, POT)
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = _read(path)
        else:
            catalog = Catalog(locale=Locale.parse(language), project="HallTerm",
                              domain=DOMAIN, charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False  # the header: a translator's flag, not ours
        changed = _write_po(catalog, path)
        missing = sum(1 for m in catalog if m.id and not _translated(m))
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {missing} untranslated"
              + ("" if changed else " (unchanged)"))


def _compiled(language: str) -> bytes:
    from babel.messages.mofile import write_mo

    catalog = _read(po_path(language))
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def cmd_compile() -> None:
    for language in LANGUAGES:
        data = _compiled(language)
        path = mo_path(language)
        if path.exists() and path.read_bytes() == data:
            print(f"{path.relative_to(ROOT)}: up to date")
            continue
        path.write_bytes(data)
        print(f"{path.relative_to(ROOT)}: written")


def _translated(message) -> bool:
    if message.fuzzy:
        return False
    if isinstance(message.string, (list, tuple)):
        return all(message.string)
    return bool(message.string)


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def problems() -> list[tuple[str, str]]:
    """Everything wrong with the catalogs as ``(kind, line)``; kind is ``untranslated``,
    ``obsolete`` or ``stale`` (empty: all good)."""
    found: list[tuple[str, str]] = []
    code = extract()
    wanted = {m.id for m in code if m.id}
    for language in LANGUAGES:
        path = po_path(language)
        if not path.exists():
            found.append(("untranslated", f"{path.relative_to(ROOT)} is missing (run: update)"))
            continue
        catalog = _read(path)
        have = {m.id for m in catalog if m.id}
        for msgid in sorted(wanted - have, key=str):
            found.append(("untranslated",
                          f"{language}: not in the catalog (run: update): {msgid!r}"))
        for msgid in sorted(have - wanted, key=str):
            found.append(("obsolete",
                          f"{language}: obsolete (the code no longer uses it): {msgid!r}"))
        for msgid in catalog.obsolete:
            found.append(("obsolete", f"{language}: obsolete entry kept in the file: {msgid!r}"))
        if language == "zh_CN":
            for message in catalog:
                if not message.id or message.id not in wanted:
                    continue
                if not _translated(message):
                    found.append(("untranslated", f"zh_CN: no translation: {message.id!r}"))
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = (message.string if isinstance(message.string, (list, tuple))
                           else (message.string,))
                need = set().union(*(_placeholders(i) for i in ids))
                for s in strings:
                    if _placeholders(s) != need:
                        found.append(("untranslated",
                                      f"zh_CN: placeholders differ: {message.id!r} -> {s!r}"))
        mo = mo_path(language)
        if not mo.exists():
            found.append(("stale", f"{mo.relative_to(ROOT)} is missing (run: compile)"))
        elif mo.read_bytes() != _compiled(language):
            found.append(("stale", f"{mo.relative_to(ROOT)} is stale (run: compile)"))
    return found


def cmd_check() -> int:
    found = problems()
    for _kind, line in found:
        print(line)
    if found:
        print(f"{len(found)} problem(s)")
        return 1
    print("catalogs are complete and compiled")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hallterm.tools.i18n",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("extract", "update", "compile", "check"))
    args = parser.parse_args(argv)
    if args.command == "extract":
        cmd_extract()
    elif args.command == "update":
        cmd_update()
    elif args.command == "compile":
        cmd_compile()
    else:
        return cmd_check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
