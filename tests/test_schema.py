"""Migrations and models agree; init creates and upgrades; the core never imports the UI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import hallterm.models  # noqa: F401
from hallterm import schema

ROOT = Path(__file__).parent.parent


def test_models_and_migrations_agree(hall):
    with hall.ctx.store.read_engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True,
                                                    "render_as_batch": True})
        diff = compare_metadata(mc, SQLModel.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_store_is_at_the_newest_schema(hall):
    assert schema.current_revision(hall.ctx.store) == schema.head_revision()


def test_core_never_imports_textual_or_screens():
    for path in (ROOT / "hallterm").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("import ", "from ")):
                assert not line.split()[1].startswith(("textual", "screens")), f"{path}: {line}"


def test_cli_help_imports_neither_sqlmodel_nor_textual():
    code = ("import sys; from typer.testing import CliRunner; from hallterm.cli.main import app;"
            "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output;"
            "bad = [m for m in ('sqlmodel', 'sqlalchemy', 'textual', 'alembic') if m in sys.modules];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
