"""Every CLI command against hostile values (issue 12): no traceback, no apology.

The command tree is walked from the Typer app, so a command added later is fuzzed
without anyone listing it here. Each parameter that takes a value gets hostile
values (numbers past 64 bits, full-width digits, 5 000-digit amounts, control and
bidi characters, line breaks, empty text, non-UTF-8 and garbage files, a folder,
a FIFO) while the other required ones get ordinary values. Every run must end with
one of the documented codes, never a traceback or "Sorry, something went wrong",
and a refused run leaves the store as it was (sign-in rows aside: a refused
command may have signed in first, which is audited).

The default run gives each parameter one hostile value (rotating through the
table, so every class is used); the ``slow`` variant gives each three more, and
``HALLTERM_FUZZ_ALL=1`` every value to every parameter (thousands of runs: before a
release, not in every suite run).
"""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest
import typer.main
from typer.testing import CliRunner

from hallterm.cli.main import app
from tests.storedump import business_dump

runner = CliRunner()
_COMMAND = typer.main.get_command(app)


def _invoke(args):
    """``runner.invoke`` on the command tree built once (Typer rebuilds it every call)."""
    import typer.testing

    with mock.patch.object(typer.testing, "_get_command", lambda _app: _COMMAND):
        return runner.invoke(app, args, catch_exceptions=True)
PIN = "123456"
SKIP = {("app",), ("demo",), ("display",)}  # open the full-screen app (or make a demo hall)
CODES = {0, 2, 3, 75}
# Commands whose job is to report a failed check: exit 1 there means "not intact".
CHECKS = {("audit", "verify"), ("export", "verify"), ("stock", "verify")}

# Values no command may accept as they are (a write that took one is a bug).
NEVER_VALID = {
    "int64": "9223372036854775808",
    "-int64": "-99999999999999999999",
    "5000 digits": "9" * 5000,
    "bidi": "abc\u202ecba",
    "newline": "one\ntwo",
    "control": "x\x1b[2Jy\x00",
    "zero-width": "80\u200b01",
    "nan": "nan",
}
# Values that may be fine (a full-width number is the ASCII one; empty may mean none).
MAYBE_VALID = {
    "full-width": "８００１",
    "arabic-indic": "٣",
    "empty": "",
    "spaces": "   ",
    "negative": "-1",
    "decimal comma": "1,50",
}
FILES = ("gbk file", "garbage file", "folder", "fifo", "missing file")

# Ordinary values for the required parameters that are not being fuzzed.
ORDINARY = {
    "empno": "8004", "name": "Chen", "roles": "sales", "number": "1", "service": "A",
    "reason": "a reason", "state": "open", "document": "D1", "supplier": "S1", "cart": "1",
    "payment": "1", "refund_reference": "R1", "counter": "1", "kind": "in", "amount": "1",
    "counted": "1", "count_id": "1", "day": "2026-11-30", "serial": "X1",
}


def commands():
    root = typer.main.get_command(app)

    def walk(cmd, path):
        if getattr(cmd, "commands", None):
            for name, sub in cmd.commands.items():
                yield from walk(sub, (*path, name))
        elif path not in SKIP:
            yield path, cmd

    return list(walk(root, ()))


ROOT = ("<root>",)  # the options before the command (--counter, --config, ...)


def value_params(cmd):
    """(name, option or None for an argument, required) of each parameter taking a value."""
    out = []
    for p in cmd.params:
        if p.name in ("help", "store") or getattr(p, "is_flag", False):
            continue
        option = p.opts[0] if p.param_type_name == "option" else None
        out.append((p.name, option, bool(p.required)))
    return out


def is_path(cmd, name) -> bool:
    param = next(p for p in cmd.params if p.name == name)
    kind = param.bare_type() if callable(param.bare_type) else param.bare_type
    return "Path" in str(kind)


def targets():
    """Every command with its click object; the root's own options as one more."""
    return [*commands(), (ROOT, typer.main.get_command(app))]


def argv(path, cmd, fuzzed, value, store):
    if path == ROOT:  # a global option, then an ordinary read command
        option = next(p.opts[0] for p in cmd.params if p.name == fuzzed)
        return [option, value, "day", "status", "--store", str(store)]
    args, tail = list(path), []
    for name, option, required in value_params(cmd):
        if name == fuzzed:
            given = value
        elif name == "as_":
            given = "9001"
        elif required:
            given = ORDINARY.get(name, "1")
        else:
            continue
        if option is None:
            tail.append(given)
        else:
            args += [option, given]
    if any(p.name == "store" for p in cmd.params):
        args += ["--store", str(store)]
    return [*args, "--", *tail] if tail else args


def cases(every: bool, *, extra: int = 0):
    texts = [*NEVER_VALID.items(), *MAYBE_VALID.items()]
    files = [*((f, f) for f in FILES), ("newline", NEVER_VALID["newline"]), ("empty", "")]
    out, turn = [], {"text": 0, "file": 0}
    for path, cmd in targets():
        for name, _option, _required in value_params(cmd):
            kind = "file" if is_path(cmd, name) else "text"
            table = files if kind == "file" else texts
            # The default run's value is the turn's; ``extra`` more are the next ones.
            offsets = range(1, 1 + extra) if extra else range(1)
            picks = table if every else [table[(turn[kind] + k) % len(table)] for k in offsets]
            turn[kind] += 1
            for label, value in picks:
                out.append(pytest.param(path, name, label, value,
                                        id=f"{' '.join(path)}:{name}:{label}"))
    return out


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    store = folder / "hall.db"
    env = {"HALLTERM_PIN": PIN, "HALLTERM_NEW_PIN": "246810"}
    for args in (["init", "--store", store, "--manager", "9001", "--name", "Boss"],
                 ["day", "open", "--as", "9001", "--store", store],
                 ["staff", "add", "8004", "--name", "Chen", "--roles", "sales", "--as", "9001",
                  "--store", store]):
        r = runner.invoke(app, [str(a) for a in args], env=env)
        assert r.exit_code == 0, r.output
    files = folder / "files"
    files.mkdir()
    (files / "gbk.toml").write_bytes('name = "营业厅"\n'.encode("gbk"))
    (files / "garbage.bin").write_bytes(os.urandom(512) + b"\xff\xfe\x00")
    os.mkfifo(files / "fifo")
    paths = {"gbk file": files / "gbk.toml", "garbage file": files / "garbage.bin",
             "folder": files, "fifo": files / "fifo", "missing file": files / "absent.csv"}
    return store, paths


def run_one(hall, path, fuzzed, label, value, monkeypatch):
    store, paths = hall
    # The process environment (not only CliRunner's env): HOME and XDG from conftest.
    monkeypatch.setenv("HALLTERM_PIN", PIN)
    monkeypatch.setenv("HALLTERM_NEW_PIN", "246810")
    if label in paths:
        value = str(paths[label])
    cmd = dict(targets())[path]
    args = argv(path, cmd, fuzzed, value, store)
    before = business_dump(store)
    r = _invoke(args)
    text = (r.output or "") + (r.stderr or "")
    where = f"hallterm {' '.join(args)[:200]!r}"
    assert r.exception is None or isinstance(r.exception, SystemExit), (where, r.exception)
    assert "Traceback" not in text, (where, text[-500:])
    assert "Sorry, something went wrong" not in text and "apolog" not in text.lower(), (
        where, text[-500:])
    allowed = CODES | ({1} if path in CHECKS else set())
    assert r.exit_code in allowed, (where, r.exit_code, text[-500:])
    after = business_dump(store)
    if r.exit_code != 0:
        assert r.stderr.strip(), (where, "refused without a word")
        assert after == before, (where, "a refused command changed the store")
    elif label in NEVER_VALID or label in FILES:
        assert after == before, (where, f"accepted {label} and wrote it")


@pytest.mark.parametrize(("path", "fuzzed", "label", "value"), cases(every=False))
def test_hostile_value(hall, path, fuzzed, label, value, monkeypatch):
    run_one(hall, path, fuzzed, label, value, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize(("path", "fuzzed", "label", "value"),
                         cases(every=os.environ.get("HALLTERM_FUZZ_ALL") == "1", extra=3))
def test_more_hostile_values(hall, path, fuzzed, label, value, monkeypatch):
    run_one(hall, path, fuzzed, label, value, monkeypatch)


def test_the_fuzz_reaches_every_command():
    """A new command is fuzzed without being listed here (only the app's are skipped)."""
    fuzzed = {c.values[0] for c in cases(every=False)}
    with_values = {path for path, cmd in targets() if value_params(cmd)}
    assert fuzzed == with_values and len(with_values) > 30
    labels = {c.values[2] for c in cases(every=False)}
    assert labels >= set(NEVER_VALID) | set(MAYBE_VALID) | set(FILES)
    assert Path(__file__).name  # the table lives here; the commands come from the app
