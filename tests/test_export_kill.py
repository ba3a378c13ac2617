"""An export killed with SIGKILL at several points leaves no partial day; the next run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hallterm.services import closing, export

ROOT = Path(__file__).parent.parent


def _wait_for(barrier: Path, proc, timeout: float = 120.0) -> None:
    """Wait until the export says it reached its kill point (a file), or fail clearly."""
    deadline = time.monotonic() + timeout
    while not (barrier / "reached").exists():
        if proc.poll() is not None:
            raise AssertionError(f"export ended before the kill point: {proc.returncode} "
                                 f"{proc.stderr.read() if proc.stderr else ''}")
        if time.monotonic() > deadline:
            raise AssertionError("kill point never reached")
        time.sleep(0.01)


@pytest.mark.slow
def test_export_killed_midway_leaves_no_partial_folder(hall, tmp_path):
    hall.clock.advance(hours=8)
    closing.close_day(hall.manager, reports_dir=tmp_path / "reports")
    out = tmp_path / "hq"
    out.mkdir()
    env = {**os.environ, "HALLTERM_STORE": str(hall.path),
           "HALLTERM_KEY_FILE": str(hall.key_file),
           "HALLTERM_LOG_FILE": str(tmp_path / "log.txt")}
    code = "from hallterm.cli.main import run; run()"

    def temp_files() -> list[Path]:
        return [f for d in out.glob("*/.tmp-*") for f in d.iterdir()]

    # The temporary folder made; a few tables in; more; everything written but the rename.
    for step, at_least in ((0, 0), (2, 2), (5, 5), ("final", 7)):
        barrier = tmp_path / f"barrier-{step}"
        barrier.mkdir()
        proc = subprocess.Popen([sys.executable, "-c", code, "export", "--to", str(out)],
                                cwd=ROOT, env={**env, export.BARRIER_ENV: f"{barrier}:{step}"},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _wait_for(barrier, proc)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        assert any(out.glob("*/.tmp-*")) and len(temp_files()) >= at_least
        if step == "final":
            assert any(f.name == "datapackage.json" for f in temp_files())
        hall_dirs = list(out.iterdir())
        finished = [p for d in hall_dirs if d.is_dir() for p in d.iterdir()
                    if not p.name.startswith(".")]
        assert finished == [], f"a partial day is visible: {finished}"
    hall_dir = next(d for d in out.iterdir() if d.is_dir())
    assert [p.name for p in hall_dir.iterdir() if p.name.startswith(".tmp-")]
    result = export.export_days(hall.ctx, to=out)
    assert [d.business_day.isoformat() for d in result.days] == ["2026-11-25"]
    assert result.removed_temp
    assert sorted(p.name for p in hall_dir.iterdir()) == ["2026-11-25"]
    assert export.verify(out).ok
