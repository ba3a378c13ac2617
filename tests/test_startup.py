"""Start-up: each command imports only what it needs; the schema check needs no Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.sqlite_only  # the SQLite store file itself (raw sqlite3)
def test_the_schema_check_does_not_import_alembic(hall, tmp_path):
    imported = _imported(
        "from pathlib import Path\nfrom hallterm import schema\nfrom hallterm.store import Store\n"
        f"schema.require_current(Store(Path({str(hall.path)!r})))", tmp_path)
    assert "alembic" not in imported


def _run_cli(args: list[str], tmp_path: Path, env: dict[str, str] | None = None,
             before: str = "") -> tuple[set[str], str]:
    """Run ``hallterm ARGS`` as the console script does; (modules imported, stdout)."""
    probe = ("import sys, atexit\n"
             f"{before}\n"
             "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + ' '.join(sys.modules)))\n"
             f"sys.argv = ['hallterm', *{args!r}]\n"
             "from hallterm.cli import run\nrun()\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, env={**_env(tmp_path), **(env or {})}, timeout=120)
    out, _sep, modules = result.stderr.rpartition("\nMODULES ")
    assert result.returncode == 0, result.stdout + out
    return set(modules.split()), result.stdout


CLI_GROUPS = {"hallterm.cli.audit", "hallterm.cli.catalog", "hallterm.cli.day",
              "hallterm.cli.export", "hallterm.cli.hall", "hallterm.cli.handover",
              "hallterm.cli.sales", "hallterm.cli.staff", "hallterm.cli.stock"}


def test_queue_status_imports_only_what_it_needs(hall, tmp_path):
    """``hallterm queue status`` (a kiosk's or a script's poll): no SQLAlchemy, SQLModel
    or the models (the store runs SQL on the driver), no Alembic, no Textual, no Argon2
    (no PIN is checked), no other command group's module."""
    import json

    modules, out = _run_cli(["queue", "status", "--json", "--store", str(hall.path)], tmp_path,
                            {"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert json.loads(out)["services"]
    roots = {m.split(".")[0] for m in modules}
    assert not roots & {"sqlalchemy", "sqlmodel", "alembic", "textual", "screens", "argon2"}
    assert "hallterm.models" not in modules
    assert not modules & CLI_GROUPS
    assert "hallterm.cli.queue" in modules


def test_audit_verify_imports_no_sqlalchemy(hall, tmp_path):
    modules, out = _run_cli(["audit", "verify", "--store", str(hall.path)], tmp_path,
                            {"HALLTERM_KEY_FILE": str(hall.key_file)})
    assert out.startswith("Audit chain intact")
    roots = {m.split(".")[0] for m in modules}
    assert not roots & {"sqlalchemy", "sqlmodel", "alembic", "textual", "argon2"}


@pytest.mark.sqlite_only  # the demo is an SQLite file
def test_the_demo_paints_and_signs_in_without_typer_or_alembic(hall, tmp_path):
    """``hallterm demo``: the console script opens the app without Typer or any command
    module, and nothing up to a signed-in home screen imports Alembic."""
    sign_in = '''
from screens import app as shell
def headless(self):
    async def auto(pilot):
        from textual.widgets import Input
        while not pilot.app.ready:
            await pilot.pause(0.05)
        screen = pilot.app.screen
        screen.query_one("#empno", Input).value = "9001"
        screen.query_one("#pin", Input).value = "123456"
        screen.set_focus(screen.query_one("#pin", Input))
        await pilot.press("enter")
        while pilot.app.hctx is None or pilot.app.hctx.actor is None:
            await pilot.pause(0.05)
        print("signed in as", pilot.app.hctx.actor.empno)
        pilot.app.exit()
    return shell.App.run(self, headless=True, auto_pilot=auto)
shell.HallTermApp.run = headless
'''
    modules, out = _run_cli(["demo", "--store", str(hall.path)], tmp_path,
                            {"HALLTERM_NOW": "2026-11-25T10:00:00+08:00"}, before=sign_in)
    assert "signed in as 9001" in out
    roots = {m.split(".")[0] for m in modules}
    assert not roots & {"typer", "click", "alembic"}
    assert not {m for m in modules if m.startswith("hallterm.cli.")} - {
        "hallterm.cli.fastdemo", "hallterm.cli.options"}
