"""Settings precedence and one-line errors naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallterm.errors import ConfigError
from hallterm.settings import load_settings


def test_defaults_use_platform_folders(tmp_path):
    settings, config = load_settings()
    assert config is None
    assert settings.store.name == "hallterm.db"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.hall.name == "hall.toml" and settings.hall.exists()


def test_file_then_environment_then_options(tmp_path, monkeypatch):
    cfg = tmp_path / "h.toml"
    cfg.write_text('terminal = "from-file"\ncounter = 2\nlanguage = "zh_CN"\n')
    s, path = load_settings(cfg)
    assert (s.terminal, s.counter, s.language, path) == ("from-file", 2, "zh_CN", cfg)
    monkeypatch.setenv("HALLTERM_COUNTER", "3")
    s, _ = load_settings(cfg)
    assert (s.terminal, s.counter) == ("from-file", 3)
    s, _ = load_settings(cfg, counter=4, terminal="opt")
    assert (s.terminal, s.counter) == ("opt", 4)


def test_config_from_environment_variable(tmp_path, monkeypatch):
    cfg = tmp_path / "h.toml"
    cfg.write_text("idle_lock_minutes = 9\n")
    monkeypatch.setenv("HALLTERM_CONFIG", str(cfg))
    assert load_settings()[0].idle_lock_minutes == 9


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("colour = 1\n", r"h\.toml: unknown setting 'colour'"),
     ("idle_lock_minutes = 0\n", r"h\.toml: bad value for 'idle_lock_minutes'"),
     ('timezone = "Mars/Base"\n', r"h\.toml: bad value for 'timezone'"),
     ('language = "fr"\n', r"h\.toml: bad value for 'language'"),
     ("store = [\n", r"h\.toml: not valid TOML")],
)
def test_bad_file_names_file_and_key(tmp_path, text, pattern):
    cfg = tmp_path / "h.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=pattern) as info:
        load_settings(cfg)
    assert "\n" not in str(info.value)


def test_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("HALLTERM_COUNTER", "three")
    with pytest.raises(ConfigError, match="HALLTERM_COUNTER"):
        load_settings()


@pytest.mark.parametrize(("name", "value", "pattern"), [
    ("HALLTERM_KEYMAP", "{bad", "environment variable HALLTERM_KEYMAP: not a valid value"),
    ("HALLTERM_COUNTER", "", "environment variable HALLTERM_COUNTER: bad value"),
])
def test_an_unreadable_or_empty_environment_value_names_its_variable(monkeypatch, name, value,
                                                                      pattern):
    """Bad JSON for the keymap was a traceback ('Sorry, something went wrong'); an empty
    variable was blamed on 'settings'."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=pattern):
        load_settings(None)


def test_named_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")


def test_the_secret_beside_the_store_is_found(tmp_path):
    store = tmp_path / "demo" / "d.db"
    store.parent.mkdir()
    settings, _ = load_settings(None, store=store)
    assert settings.resolved_key_file().parent.name == "hallterm"  # the config folder
    (store.parent / "hallterm.key").write_text("00" * 32)
    assert settings.resolved_key_file() == store.parent / "hallterm.key"


def test_a_postgresql_url_is_a_store_and_its_files_live_under_its_database(tmp_path,
                                                                           monkeypatch):
    from hallterm import paths

    s, _ = load_settings(None, store="postgresql://clerk@hallhost/hall_0101")
    assert s.store == "postgresql://clerk@hallhost/hall_0101" and s.store_path is None
    home = paths.data_dir() / "postgresql" / "hall_0101"
    assert s.store_folder == home
    assert s.resolved_key_file() == paths.config_dir() / "hallterm.key"  # as for SQLite
    (home).mkdir(parents=True)
    (home / "hallterm.key").write_text("00" * 32)
    assert s.resolved_key_file() == home / "hallterm.key"
    assert s.resolved_reports_dir() == home / "reports"
    monkeypatch.setenv("HALLTERM_STORE", "postgres:///hall_0102?host=/run/postgresql")
    s, _ = load_settings()
    assert s.store_folder == paths.data_dir() / "postgresql" / "hall_0102"
    assert isinstance(load_settings(None, store=str(tmp_path / "h.db"))[0].store_path, Path)


@pytest.mark.parametrize("url", ["postgresql://clerk:s3cret@hallhost/hall",
                                 "postgresql://clerk@hallhost/hall?password=s3cret",
                                 "postgres://:s3cret@/hall"])
def test_a_password_in_the_store_url_is_refused_in_one_line(url, monkeypatch):
    from typer.testing import CliRunner

    from hallterm.cli.main import app

    for args, env in (([ "--store", url, "day", "status"], {}),
                      (["day", "status"], {"HALLTERM_STORE": url}),
                      (["init", "--store", url], {})):
        r = CliRunner().invoke(app, args, env=env)
        assert r.exit_code == 2, (args, r.output)
        out = r.output.strip()
        assert "\n" not in out and "s3cret" not in out and "Traceback" not in out
        assert "never carries a password" in out and "~/.pgpass" in out
