"""The hall host: ``hallterm terminal`` over SSH (each counter is itself) and
``hallterm serve`` (a page that loads nothing from the internet, a terminal per session)."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hallterm.cli.main import app

KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEFDwB9C5h/g43jQiAIOhx3VfO7W1uRw5gnyec/UVtJO"
KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHoE9fhIEu50AxBvrrqojL31/zT6WhPfw4jb+gjMWQHv"


def _fp(key: str) -> str:
    from hallterm.terminals import fingerprint

    return fingerprint(key)


def _config(hall_file: Path, terminals: str) -> Path:
    """The demo hall's configuration with a [[terminals]] mapping appended."""
    text = Path("data/hall.toml").read_text(encoding="utf-8") + "\n" + terminals
    hall_file.write_text(text, encoding="utf-8")
    return hall_file


def _mapped(tmp_path: Path) -> Path:
    return _config(tmp_path / "hall.toml", f'''
[[terminals]]
id = "C1-THIN"
counter = 1
ssh_key = "{_fp(KEY_A)}"
note = "counter1@hall (the key's comment, for people)"

[[terminals]]
id = "C2-THIN"
counter = 2
ssh_client = "10.20.0.12"
''')


def test_a_key_fingerprint_is_what_ssh_keygen_prints(tmp_path):
    if shutil.which("ssh-keygen") is None:
        pytest.skip("no ssh-keygen on this machine")
    (tmp_path / "k.pub").write_text(KEY_A + " counter1@hall\n")
    printed = subprocess.run(["ssh-keygen", "-l", "-f", str(tmp_path / "k.pub")],
                             capture_output=True, text=True, check=True).stdout
    assert printed.split()[1] == _fp(KEY_A)


def test_the_mapping_is_checked_when_the_hall_configuration_loads(tmp_path):
    from hallterm.errors import ConfigError
    from hallterm.hallconfig import load_hall_file

    assert [t.id for t in load_hall_file(_mapped(tmp_path)).terminals] == ["C1-THIN", "C2-THIN"]
    for bad, reason in (('ssh_key = "counter1@hall"', "ssh-keygen"),
                        ('ssh_client = "10.20.0.999"', "IP address"),
                        ('note = "neither"', "ssh_key or ssh_client"),
                        ('ssh_client = "10.0.0.1"\ncounter = 42', "unknown counter 42")):
        path = _config(tmp_path / "bad.toml", f'[[terminals]]\nid = "X"\n{bad}\n')
        with pytest.raises(ConfigError, match=reason):
            load_hall_file(path)


def test_the_key_wins_then_the_address_and_a_stranger_is_refused(tmp_path):
    from hallterm.errors import BadInput, Refused
    from hallterm.hallconfig import load_hall_file
    from hallterm.terminals import ssh_login, terminal_for

    config = load_hall_file(_mapped(tmp_path))
    auth = tmp_path / "auth"
    auth.write_text(f"publickey {KEY_A}\n")
    env = {"SSH_CONNECTION": "10.20.0.12 51234 10.20.0.1 22", "SSH_TTY": "/dev/pts/3",
           "SSH_USER_AUTH": str(auth)}
    # counter 1's key, connecting from counter 2's address: the key says who it is
    assert terminal_for(config, ssh_login(env)).id == "C1-THIN"
    env.pop("SSH_USER_AUTH")
    assert terminal_for(config, ssh_login(env)).counter == 2
    auth.write_text(f"publickey {KEY_B}\n")
    stranger = {"SSH_CONNECTION": "10.9.9.9 5 10.20.0.1 22", "SSH_TTY": "/dev/pts/4",
                "SSH_USER_AUTH": str(auth)}
    with pytest.raises(Refused, match=re.escape(_fp(KEY_B))):
        terminal_for(config, ssh_login(stranger))
    with pytest.raises(BadInput, match="ssh -t"):
        terminal_for(config, ssh_login({**env, "SSH_TTY": ""}))
    with pytest.raises(BadInput, match="ForceCommand"):
        ssh_login({})


@pytest.fixture
def opened(monkeypatch):
    """What the app would have been opened with (the settings), instead of opening it."""
    seen = []
    import screens.app

    monkeypatch.setattr(screens.app, "run_app", lambda settings, *a, **k: seen.append(settings))
    return seen


def _env(hall, **extra: str) -> dict[str, str]:
    return {"HALLTERM_STORE": str(hall.path), "HALLTERM_KEY_FILE": str(hall.key_file),
            **extra}


def test_hallterm_terminal_opens_the_app_as_the_mapped_counter(hall, tmp_path, opened):
    from hallterm.services.hall import load_hall

    load_hall(hall.manager, path=_mapped(tmp_path))
    runner = CliRunner()
    out = runner.invoke(app, ["terminal"], env=_env(
        hall, SSH_CONNECTION="10.20.0.12 5 10.20.0.1 22", SSH_TTY="/dev/pts/1"))
    assert out.exit_code == 0, out.output
    assert (opened[-1].terminal, opened[-1].counter) == ("C2-THIN", 2)
    out = runner.invoke(app, ["terminal"], env=_env(
        hall, SSH_CONNECTION="10.0.0.66 5 10.20.0.1 22", SSH_TTY="/dev/pts/1"))
    assert out.exit_code == 3 and len(out.output.strip().splitlines()) == 1
    assert "10.0.0.66" in out.output and len(opened) == 1
    out = runner.invoke(app, ["terminal"], env=_env(hall))
    assert out.exit_code == 2 and "hallterm app" in out.output


def test_every_browser_session_is_a_terminal_of_its_own(hall, opened):
    runner = CliRunner()
    for _ in range(2):
        out = runner.invoke(app, ["terminal", "--browser"], env=_env(hall, HALLTERM_COUNTER="1"))
        assert out.exit_code == 0, out.output
    ids = [s.terminal for s in opened]
    assert len(set(ids)) == 2 and all(re.fullmatch(r"WEB-[0-9a-f]{8}", i) for i in ids)
    assert {s.counter for s in opened} == {None}  # a browser is no counter's terminal


def test_the_served_page_loads_nothing_from_the_internet():
    import jinja2

    from hallterm.i18n import set_language
    from hallterm.web import page

    set_language("zh_CN")
    try:
        text = page("广州天河路营业厅 <&>", "zh_CN")
    finally:
        set_language("en")
    assert "googleapis" not in text and "广州天河路营业厅 &lt;&amp;&gt;" in text
    assert "重新开始" in text and 'lang="zh-CN"' in text  # the words in the hall's language
    public = "http://127.0.0.1:8000"
    rendered = jinja2.Template(text).render(
        font_size=16, app_websocket_url="ws://127.0.0.1:8000/ws",
        config={"static": {"url": public + "/static/"}}, application={"name": "x"})
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)|url\(["']?([^"')]+)""", rendered)
    urls = [a or b for a, b in urls]
    assert urls and all(u.startswith(public + "/") for u in urls), urls
    assert not re.search(r"https?://(?!127\.0\.0\.1:8000/|www\.w3\.org/2000/svg)", rendered)


def test_textual_serves_own_script_and_styles_fetch_nothing_outside():
    """Its script names no outside address at all; its stylesheet fetches nothing (the
    addresses in its licence comments are text, not requests)."""
    import textual_serve

    static = Path(textual_serve.__file__).parent / "static"
    for path in static.glob("js/*.js"):
        assert re.findall(r"https?://", path.read_text(encoding="utf-8")) == [], path
    for path in static.glob("css/*.css"):
        css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        assert not re.search(r"(?:url\(|@import)\s*[\"']?\s*(?:https?:)?//", css), path


def test_serve_binds_to_localhost_and_warns_about_transport_security(hall, monkeypatch):
    import hallterm.web

    calls = []
    monkeypatch.setattr(hallterm.web, "serve", lambda **k: calls.append(k))
    runner = CliRunner()
    out = runner.invoke(app, ["serve"], env=_env(hall))
    assert out.exit_code == 0, out.output
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8000
    assert "TLS" in out.output
    out = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9000"], env=_env(hall))
    assert calls[-1]["host"] == "0.0.0.0" and "0.0.0.0" in out.output
    out = runner.invoke(app, ["serve", "--port", "0"], env=_env(hall))
    assert out.exit_code == 2 and len(calls) == 2


def test_browser_sessions_start_with_this_interpreter():
    from hallterm.web import session_command

    assert session_command().startswith(sys.executable)
    done = subprocess.run([sys.executable, "-m", "hallterm", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip()


def test_key_blobs_are_decoded_strictly():
    from hallterm.errors import BadInput

    with pytest.raises(BadInput):
        _fp("ssh-ed25519 not*base64")
    assert _fp("ssh-ed25519 " + base64.b64encode(b"x").decode()).startswith("SHA256:")
