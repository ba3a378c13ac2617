"""Start-up: each command imports only what it needs; the schema check needs no Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hallterm import schema

ROOT = Path(__file__).parent.parent


def test_the_heads_read_from_the_files_are_alembics():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(schema.alembic_config())
    assert schema.head_revision() == "+".join(sorted(scripts.get_heads()))
    assert schema.known_revisions() == {s.revision for s in scripts.walk_revisions()}


def test_a_migration_written_over_several_lines_is_read(tmp_path):
    script = tmp_path / "0099_x.py"
    script.write_text('"""x."""\nrevision: str = "0099"\ndown_revision = (\n    "0001",\n'
                      '    "0002",\n)\n', encoding="utf-8")
    assert schema._read_script(script) == ("0099", ("0001", "0002"))


def test_an_up_to_date_store_is_not_upgraded(hall, monkeypatch):
    """``hallterm demo`` and ``init`` on a current store: no Alembic, no write transaction."""
    from alembic import command

    def no_upgrade(*args, **kwargs):
        raise AssertionError("Alembic ran on an up-to-date store")

    monkeypatch.setattr(command, "upgrade", no_upgrade)
    monkeypatch.setattr(type(hall.ctx.store), "write_engine", property(no_upgrade))
    head = schema.head_revision()
    assert schema.upgrade(hall.ctx.store) == (head, head)


def _imported(code: str, tmp_path: Path) -> set[str]:
    """The top-level packages a fresh interpreter has imported after ``code``."""
    probe = (f"{code}\nimport sys\n"
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, env=_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    return set(result.stdout.split())


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), HALLTERM_LANGUAGE="en")
    return env


def test_the_schema_check_does_not_import_alembic(hall, tmp_path):
    imported = _imported(
        "from pathlib import Path\nfrom hallterm import schema\nfrom hallterm.store import Store\n"
        f"schema.require_current(Store(Path({str(hall.path)!r})))", tmp_path)
    assert "alembic" not in imported
