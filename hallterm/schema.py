"""Create or upgrade a store's schema with Alembic (``hallterm init``); check it cheaply.

Every command and the app check that the store is at this code's schema before they
work on it. That check does not import Alembic (0.16 s, more than the rest of a
command's start): it reads the ``alembic_version`` rows with a plain query and
compares them with the heads of the migration files, found by reading each file's
``revision`` and ``down_revision`` lines. A test checks that what is found so is
what Alembic itself finds. Alembic runs only when an upgrade is due.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.store import Store, execute

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*(?:#.*)?$",
                         re.MULTILINE)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _read_script(path: Path) -> tuple[str, tuple[str, ...]] | None:
    """``(revision, down revisions)`` of one migration file (None: not a migration)."""
    text = path.read_text(encoding="utf-8")
    found: dict[str, Any] = {}
    try:
        for name, value in _ASSIGNMENT.findall(text):
            found.setdefault(name, ast.literal_eval(value))
    except (ValueError, SyntaxError):  # written over several lines: read it properly
        found = {}
        for node in ast.parse(text).body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id in ("revision",
                                                                       "down_revision"):
                        found.setdefault(target.id, ast.literal_eval(node.value))
    if not isinstance(found.get("revision"), str):
        return None
    down = found.get("down_revision")
    downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
    return found["revision"], downs


@cache
def _revisions() -> dict[str, tuple[str, ...]]:
    """Every migration this code has, with the revisions it follows (read, not imported)."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        script = _read_script(path)
        if script is not None:
            graph[script[0]] = script[1]
    return graph


def head_revision() -> str:
    """The newest migrations this code knows (one head per area branch), joined by ``+``."""
    graph = _revisions()
    followed = {down for downs in graph.values() for down in downs}
    return "+".join(sorted(set(graph) - followed))


def known_revisions() -> set[str]:
    """Every migration this code has (not only the heads)."""
    return set(_revisions())


@contextmanager
def _store_errors(store: Store) -> Iterator[None]:
    """A store that cannot be opened or written (a read-only folder or file) is one
    line with the documented exit code (``StoreUnavailable``), never a traceback."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except OperationalError as exc:
        error = store.unusable(exc)
        if error is exc:
            raise
        raise error from exc


def current_revision(store: Store) -> str | None:
    """The revision(s) the store is at (``None`` for an empty file), as Alembic keeps
    them: one ``alembic_version`` row per head."""
    with store.read() as conn:
        if execute(conn, store.driver.table_sql, {"name": "alembic_version"}).first() is None:
            return None
        heads = [row[0] for row in execute(conn, "SELECT version_num FROM alembic_version")]
    return "+".join(sorted(heads)) if heads else None


def refuse_newer(store: Store, rev: str | None) -> None:
    """Refuse a store made by a newer HallTerm (a revision this code does not know).

    Said before anything is written: Alembic would otherwise fail halfway through an
    upgrade it cannot understand.
    """
    if rev and not set(rev.split("+")) <= known_revisions():
        raise BadInput(
            _("The store {path} was made by a newer HallTerm; upgrade HallTerm.").format(
                path=store.location
            )
        )


def upgrade(store: Store) -> tuple[str | None, str]:
    """Bring the store to the newest schema; returns (from, to) revisions.

    Each area's migrations form their own branch off the core (``0001``), so
    areas built side by side never fight over one linear chain; ``heads`` applies
    them all. A store already at the newest schema is left alone: no Alembic, no
    write transaction.
    """
    before = current_revision(store)
    head = head_revision()
    if before == head:
        return before, head
    refuse_newer(store, before)
    from alembic import command

    cfg = alembic_config()
    with _store_errors(store), store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    return before, head


def require_current(store: Store) -> None:
    """Refuse to work on a store whose schema is older or newer than this code."""
    rev = current_revision(store)
    head = head_revision()
    if rev is None:
        raise BadInput(
            _("{path} is not a HallTerm store; create one with: hallterm init").format(
                path=store.location
            )
        )
    if rev != head:
        refuse_newer(store, rev)
        raise BadInput(
            _("The store {path} needs an upgrade: run hallterm init --store {path}").format(
                path=store.location
            )
        )
