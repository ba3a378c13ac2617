"""An export killed with SIGKILL at several points leaves no partial day; the next run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hallterm.services import export
from hallterm.services.day import closing

ROOT = Path(__file__).parent.parent


def _wait_for(barrier: Path, proc: subprocess.Popen, log: Path) -> None:
    """Wait until the export stops itself at its kill point, or fail if it ended instead.

    At the barrier the export writes ``barrier/reached`` and sends itself SIGSTOP;
    ``waitpid(WUNTRACED)`` returns when it stops or ends: no polling, no deadline, so
    a slow machine only makes the test slower.
    """
    _pid, status = os.waitpid(proc.pid, os.WUNTRACED)
    if not os.WIFSTOPPED(status):
        proc.returncode = os.waitstatus_to_exitcode(status)
        raise AssertionError(f"export ended before the kill point: {proc.returncode} "
                             f"{log.read_text(errors='replace')}")
    assert (barrier / "reached").exists()


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
        log = tmp_path / f"export-{step}.log"
        with open(log, "wb") as sink:
            proc = subprocess.Popen([sys.executable, "-c", code, "export", "--to", str(out)],
                                    cwd=ROOT, env={**env, export.BARRIER_ENV: f"{barrier}:{step}"},
                                    stdout=sink, stderr=sink)
        try:
            _wait_for(barrier, proc, log)
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
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
