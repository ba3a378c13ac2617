"""What every benchmark shares: statistics, the machine, interleaved rounds, the output.

Every figure is reported as the median of its rounds with the range (min-max) beside
it, next to a baseline measured in the same run, rounds interleaved A B A B so that a
change in the machine's load hits both sides alike. Each run prints the load average
before and after (the machine is shared: read the figures with it).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def load() -> str:
    """The load average now (1, 5, 15 minutes)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> dict[str, Any]:
    """nproc, CPU model, RAM, Python and SQLite versions, date, load."""
    import sqlite3

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(ram, 1),
            "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load": load()}


def header(title: str) -> None:
    m = machine()
    print(f"# {title}", flush=True)
    print(f"# {m['date']}; {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB; Python "
          f"{m['python']}, SQLite {m['sqlite']}; load average {m['load']}", flush=True)


def footer() -> None:
    print(f"# load average at the end: {load()}", flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Figure:
    """One measured quantity over several rounds: median and range."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def text(self, fmt: str = "{:.2f}") -> str:
        if not self.values:
            return "-"
        if len(self.values) == 1:
            return fmt.format(self.median)
        return (f"{fmt.format(self.median)} ({fmt.format(min(self.values))}-"
                f"{fmt.format(max(self.values))})")


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A Markdown table (pasted as is into docs/benchmarks.md)."""
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |", flush=True)


def save_json(path: str | None, data: Any) -> None:
    """Write the raw figures (every round) as JSON when ``--json FILE`` was given."""
    if path:
        Path(path).write_text(json.dumps({"machine": machine(), **data}, indent=1,
                                         default=str))


def venv_bin(name: str) -> str:
    exe = Path(sys.executable).parent / name
    return str(exe) if exe.exists() else name


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a measured HallTerm process: no developer settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env.update({"LANG": "C.UTF-8", "HALLTERM_LANGUAGE": "en"})
    env.update(extra)
    return env
