"""Files that are not what they claim (issue 12): one line, exit 2, nothing written.

A hall or catalog configuration, the settings file, a delivery CSV or a serials
file saved in GBK (or plain binary garbage) used to end in a traceback or the
"Sorry, something went wrong" apology. Each is now one line naming the file.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app
from tests.storedump import digest

runner = CliRunner()
PIN = {"HALLTERM_PIN": "123456"}
# "营业厅" in GBK, and bytes no text encoding accepts as UTF-8.
NOT_UTF8 = [("gbk", 'name = "营业厅"\n'.encode("gbk")), ("garbage", b"\xff\xfe\x00\x80\x81\xc3(")]


def invoke(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env or {})


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "x.db"
    r = invoke("init", "--store", path, "--manager", "9001", "--name", "Boss", env=PIN)
    assert r.exit_code == 0, r.output
    return path


def refused(r, path):
    text = r.output + r.stderr
    assert "Traceback" not in text and "Sorry" not in text and "apolog" not in text.lower()
    assert r.exit_code == 2, (r.exit_code, r.stderr)
    line = r.stderr.strip()
    assert line and "\n" not in line, line
    assert str(path.name) in line, line
    return line


@pytest.fixture(params=NOT_UTF8, ids=[n for n, _b in NOT_UTF8])
def bad_file(request, tmp_path):
    path = tmp_path / "bad-file.txt"
    path.write_bytes(request.param[1])
    return path


def test_a_hall_file_that_is_not_utf8(store, bad_file):
    before = digest(store)
    refused(invoke("hall", "load", bad_file, "--as", "9001", "--store", store, env=PIN), bad_file)
    assert digest(store) == before


def test_init_with_a_hall_file_that_is_not_utf8(tmp_path, bad_file):
    path = tmp_path / "new.db"
    r = invoke("init", "--store", path, "--hall", bad_file, "--manager", "9001", "--name", "B",
               env=PIN)
    refused(r, bad_file)
    assert not path.exists() or path.stat().st_size == 0


def test_a_catalog_file_that_is_not_utf8(store, bad_file):
    before = digest(store)
    refused(invoke("catalog", "load", bad_file, "--as", "9001", "--store", store, env=PIN),
            bad_file)
    assert digest(store) == before


def test_a_settings_file_that_is_not_utf8(store, bad_file):
    before = digest(store)
    refused(invoke("--config", bad_file, "day", "status", "--store", store), bad_file)
    refused(invoke("day", "status", "--store", store, env={"HALLTERM_CONFIG": str(bad_file)}),
            bad_file)
    assert digest(store) == before


def test_a_delivery_csv_that_is_not_utf8(store, bad_file):
    before = digest(store)
    r = invoke("stock", "receive", "--file", bad_file, "--document", "D1", "--supplier", "S",
               "--as", "9001", "--store", store, env=PIN)
    refused(r, bad_file)
    assert digest(store) == before


def test_a_serials_file_that_is_not_utf8(store, bad_file):
    before = digest(store)
    r = invoke("handover", "--counter", "1", "--outgoing", "9001", "--serials-file", bad_file,
               "--pin-from-env", "--store", store, env=PIN)
    refused(r, bad_file)
    assert digest(store) == before


def test_a_public_key_file_that_is_not_utf8(tmp_path, bad_file):
    r = invoke("export", "verify", tmp_path, "--public-key", bad_file)
    refused(r, bad_file)
