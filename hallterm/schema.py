"""Create or upgrade a store's schema with Alembic (``hallterm init``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

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


def current_revision(store: Store) -> str | None:
    """The revision(s) the store file is at (``None`` for an empty file)."""
    with store.read_engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return "+".join(sorted(heads)) if heads else None


def upgrade(store: Store) -> tuple[str | None, str]:
    """Bring the store to the newest schema; returns (from, to) revisions.

    Each area's migrations form their own branch off the core (``0001``), so
    areas built side by side never fight over one linear chain; ``heads`` applies
    them all.
    """
    before = current_revision(store)
    cfg = alembic_config()
    with store.write_engine.begin() as conn:
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
        known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        if set(rev.split("+")) <= known:
            raise BadInput(
                _("The store {path} needs an upgrade: run hallterm init --store {path}").format(
                    path=store.path
                )
            )
        raise BadInput(
            _("The store {path} was made by a newer HallTerm; upgrade HallTerm.").format(
                path=store.path
            )
        )
