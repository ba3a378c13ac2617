"""The hall configuration file: the shipped halls load; bad files list every problem."""

from __future__ import annotations

import tomllib
from datetime import datetime

import pytest

from hallterm import paths
from hallterm.errors import ConfigError
from hallterm.hallconfig import load_hall_file, parse_hall
from tests.conftest import TZ

pytestmark = pytest.mark.sqlite_only  # the hall file: nothing of the engine


def _shipped():
    return tomllib.loads((paths.shipped_data() / "hall.toml").read_text())


def test_shipped_halls_are_valid():
    real = load_hall_file(paths.shipped_data() / "hall.toml")
    demo = load_hall_file(paths.shipped_data() / "demo-hall.toml")
    assert len(real.services) >= 5 and len(real.counters) >= 6
    assert real.is_open_at(datetime(2026, 11, 25, 10, 0, tzinfo=TZ))
    assert not real.is_open_at(datetime(2026, 11, 25, 18, 0, tzinfo=TZ))
    assert not real.is_open_at(datetime(2026, 11, 25, 8, 59, tzinfo=TZ))
    assert demo.is_open_at(datetime(2026, 11, 25, 23, 59, tzinfo=TZ))
    assert demo.is_open_at(datetime(2026, 11, 25, 0, 0, tzinfo=TZ))


def test_every_error_is_listed_with_its_key():
    data = _shipped()
    data["thresholds"]["long_wait_minute"] = 3
    data["hours"]["mon"] = "18:00-09:00"
    data["services"][0]["prefix"] = "a1"
    with pytest.raises(ConfigError) as info:
        parse_hall(data, source="hall.toml")
    text = str(info.value)
    assert "hall.toml: thresholds.long_wait_minute: Extra inputs are not permitted" in text
    assert "hours:" in text and "after opening" in text
    assert "services[0].prefix" in text


def test_counter_must_serve_known_services():
    data = _shipped()
    data["counters"][0]["services"] = ["Z"]
    with pytest.raises(ConfigError, match="unknown service 'Z'"):
        parse_hall(data, source="x")


def test_duplicate_prefix_refused():
    data = _shipped()
    data["services"][1]["prefix"] = data["services"][0]["prefix"]
    with pytest.raises(ConfigError, match="duplicate ticket prefix"):
        parse_hall(data, source="x")


def test_bad_hall_file_changes_nothing(hall, tmp_path):
    from hallterm.services.hall import get_hall, load_hall

    before = get_hall(hall.ctx)
    bad = tmp_path / "bad.toml"
    bad.write_text((paths.shipped_data() / "hall.toml").read_text().replace(
        'code = "A"', 'code = "a lower"'))
    with pytest.raises(ConfigError):
        load_hall(hall.manager, path=bad)
    assert get_hall(hall.ctx) == before


def test_hall_load_is_audited_and_shared(hall, tmp_path):
    from hallterm.services.audit import recent
    from hallterm.services.hall import get_hall, load_hall

    new = tmp_path / "h.toml"
    new.write_text((paths.shipped_data() / "hall.toml").read_text().replace(
        "long_wait_minutes = 20", "long_wait_minutes = 25"))
    result = load_hall(hall.manager, path=new)
    assert result.changed
    assert get_hall(hall.ctx).thresholds.long_wait_minutes == 25
    assert recent(hall.ctx, limit=1)[0].action == "hall.load"
    assert not load_hall(hall.manager, path=new).changed
