"""Create or upgrade a store's schema with Alembic (``hallterm init``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import OperationalError

from hallterm.errors import BadInput
from hallterm.i18n import _
from hallterm.store import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest migrations this code knows (one head per area branch), joined by ``+``."""
    return "+".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


@contextmanager
def _store_errors(store: Store) -> Iterator[None]:
    """A store that cannot be opened or written (a read-only folder or file) is one
    line with the documented exit code (``StoreUnavailable``), never a traceback."""
    try:
        yield
    except OperationalError as exc:
        error = store.unusable(exc)
        if error is exc:
            raise
        raise error from exc


def current_revision(store: Store) -> str | None:
    """The revision(s) the store file is at (``None`` for an empty file)."""
    with _store_errors(store), store.read_engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return "+".join(sorted(heads)) if heads else None


def known_revisions() -> set[str]:
    """Every migration this code has (not only the heads)."""
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def refuse_newer(store: Store, rev: str | None) -> None:
    """Refuse a store made by a newer HallTerm (a revision this code does not know).

    Said before anything is written: Alembic would otherwise fail halfway through an
    upgrade it cannot understand.
    """
    if rev and not set(rev.split("+")) <= known_revisions():
        raise BadInput(
            _("The store {path} was made by a newer HallTerm; upgrade HallTerm.").format(
                path=store.path
            )
        )


def upgrade(store: Store) -> tuple[str | None, str]:
    """Bring the store to the newest schema; returns (from, to) revisions.

    Each area's migrations form their own branch off the core (``0001``), so
    areas built side by side never fight over one linear chain; ``heads`` applies
    them all.
    """
    before = current_revision(store)
    refuse_newer(store, before)
    cfg = alembic_config()
    with _store_errors(store), store.write_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    return before, head_revision()


def require_current(store: Store) -> None:
    """Refuse to work on a store whose schema is older or newer than this code."""
    rev = current_revision(store)
    head = head_revision()
    if rev is None:
        raise BadInput(
            _("{path} is not a HallTerm store; create one with: hallterm init").format(
                path=store.path
            )
        )
    if rev != head:
        refuse_newer(store, rev)
        raise BadInput(
            _("The store {path} needs an upgrade: run hallterm init --store {path}").format(
                path=store.path
            )
        )
