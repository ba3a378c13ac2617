"""Each export table lists its fields once; its query, files and schema all follow that list."""

from __future__ import annotations

import pytest

from hallterm.services import day, export
from hallterm.services.export import ExportTable, Field


def test_every_table_selects_exactly_its_fields_in_order(hall):
    day.load_areas()
    with hall.ctx.store.read() as session:
        for table, _core in export.tables():
            assert export.query_columns(session, table) == table.names, table.name


def test_a_query_that_disagrees_with_its_fields_is_refused(hall):
    swapped = ExportTable(
        name="swapped", primary_key=("id",), key_column="id",
        query="SELECT id, counter, business_day FROM cash_count WHERE business_day = :day "
              "AND id > :after ORDER BY id LIMIT :limit",
        fields=(("id", "integer", ""), ("business_day", "date", ""), ("counter", "integer", "")))
    with hall.ctx.store.read() as session, pytest.raises(ValueError, match="swapped"):
        export.check_columns(session, swapped)


def test_the_query_is_built_from_the_field_list():
    table = ExportTable(
        name="opened", primary_key=("business_day",), key_column="business_day",
        source="FROM business_day d JOIN staff o ON o.id = d.opened_by WHERE d.day = :day",
        fields=(Field("business_day", "date", "Day", "d.day"), ("state", "string", "", "d.state"),
                Field("opened_by", "string", "Who", "o.empno")))
    assert table.query == (
        "SELECT d.day AS business_day, d.state, o.empno AS opened_by FROM business_day d "
        "JOIN staff o ON o.id = d.opened_by WHERE d.day = :day AND d.day > :after "
        "ORDER BY d.day LIMIT :limit")
    assert table.names == ("business_day", "state", "opened_by")


def test_a_table_gives_its_source_or_a_query_not_both():
    with pytest.raises(ValueError):
        ExportTable(name="both", primary_key=("id",), key_column="id", fields=(("id", "integer", ""),),
                    source="FROM visit WHERE business_day = :day", query="SELECT id FROM visit")


def test_a_field_listed_twice_is_refused():
    twice = ExportTable(name="twice", primary_key=("id",), key_column="id",
                        source="FROM visit WHERE business_day = :day",
                        fields=(("id", "integer", ""), ("id", "integer", "")))
    with pytest.raises(ValueError, match="twice"):
        export.check_table(twice, core=False)


def test_the_export_format_page_is_generated_from_the_field_lists():
    from hallterm.tools import docgen

    day.load_areas()
    page = docgen.ROOT / "docs" / "reference" / "export-format.md"
    text = page.read_text(encoding="utf-8")
    assert "<!-- [[[docgen export-format]]] -->" in text
    assert docgen.render(text) == text  # not stale
    for table, _core in export.tables():
        assert f"### `{table.name}`" in text
        for field in table.out_fields():
            assert f"| `{field.name}` | {field.type} |" in text
