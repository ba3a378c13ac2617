"""Identity documents: every type valid, with a wrong check digit, a wrong date, a wrong
format (issue 16); python-stdnum's birthplace table is at most a warning."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from hallterm.errors import BadInput
from hallterm.services import customers

pytestmark = pytest.mark.sqlite_only  # pure functions: nothing of the engine

ON = date(2026, 11, 30)


def gb(first17: str) -> str:
    """A GB 11643 number with its right check digit."""
    return first17 + ric.calc_check_digit(first17 + "0")


def wrong_digit(number: str) -> str:
    """The same number with another check digit."""
    return number[:-1] + ("0" if number[-1] != "0" else "1")


# A valid number of each GB 11643 type, and one with a real check digit but no real date.
GB_TYPES = {
    "resident": (gb("11010519491231002"), gb("11010519490231002")),
    "temporary": (gb("44030419850315123"), gb("44030419851315123")),
    "household": (gb("11010820150601003"), gb("11010820150631003")),
    "hmt_residence": (gb("81000019900101001"), gb("81000019900230001")),
    "foreign_pr": (gb("91234519800101001"), gb("91234519800001001")),
}


@pytest.mark.parametrize("kind", GB_TYPES)
def test_every_gb11643_type_valid_wrong_digit_and_wrong_date(kind):
    valid, bad_date = GB_TYPES[kind]
    check = customers.check_id(valid, kind, on=ON)
    assert (check.doc_type, check.number) == (kind, valid)
    assert check.birth == date(int(valid[6:10]), int(valid[10:12]), int(valid[12:14]))
    with pytest.raises(BadInput, match="Wrong check digit"):
        customers.check_id(wrong_digit(valid), kind, on=ON)
    with pytest.raises(BadInput, match="not a real date"):
        customers.check_id(bad_date, kind, on=ON)
    with pytest.raises(BadInput, match=r"17 digits|18 characters"):
        customers.check_id(valid[:-2], kind, on=ON)


def test_a_birth_date_in_the_future_or_before_1900_is_refused():
    with pytest.raises(BadInput, match="impossible"):
        customers.check_id(gb("11010520271231002"), "resident", on=ON)
    with pytest.raises(BadInput, match="impossible"):
        customers.check_id(gb("11010518991231002"), "resident", on=ON)


def test_stdnum_validate_would_refuse_these_and_the_hall_accepts_them():
    """What was measured: ric.validate rejects 830000, 810000 before 1997 and 9-prefixed
    numbers by its birthplace table; the hall checks the digit and date only."""
    for number, kind in ((gb("83000019800101001"), "hmt_residence"),
                         (gb("81000019900101001"), "hmt_residence"),
                         (gb("82000019950505002"), "hmt_residence"),
                         (gb("91234519800101001"), "foreign_pr")):
        assert not ric.is_valid(number)
        assert customers.check_id(number, kind, on=ON).number == number
        assert customers.check_id(number, on=ON).doc_type == kind  # guessed by its shape


def test_an_unknown_birthplace_is_a_warning_not_a_refusal():
    number = gb("10000019800101001")
    check = customers.check_id(number, "resident", on=ON)
    assert check.warnings and "100000" in check.warnings[0]
    assert customers.check_id(gb("11010519491231002"), "resident", on=ON).warnings == ()


def test_hmt_residence_needs_its_address_code_and_a_resident_number_its_type():
    with pytest.raises(BadInput, match="810000, 820000 or 830000"):
        customers.check_id(gb("11010519491231002"), "hmt_residence", on=ON)
    with pytest.raises(BadInput, match="choose that type"):
        customers.check_id(gb("81000019900101001"), "resident", on=ON)
    with pytest.raises(BadInput, match="choose that type"):
        customers.check_id(gb("91234519800101001"), "resident", on=ON)


def test_a_household_register_is_for_minors_only():
    child = gb("11010820150601003")
    assert customers.is_minor(customers.check_id(child, "household", on=ON), ON)
    with pytest.raises(BadInput, match="minors only"):
        customers.check_id(gb("11010519491231002"), "household", on=ON)
    # 18 today: an adult
    with pytest.raises(BadInput, match="minors only"):
        customers.check_id(gb("11010520081130003"), "household", on=ON)


def test_is_minor_counts_the_birthday():
    turning = customers.check_id(gb("11010520081201003"), "resident", on=ON)
    assert customers.is_minor(turning, ON)
    assert not customers.is_minor(turning, date(2026, 12, 1))
    assert not customers.is_minor(customers.check_id("E12345678", "passport"), ON)


def test_the_2017_foreign_card_format_and_date():
    check = customers.check_id("USA310085010101", "foreign_pr", on=ON)  # born 1985-01-01
    assert check.birth == date(1985, 1, 1)
    assert customers.check_id("usa 3100 85010101", on=ON).doc_type == "foreign_pr"
    with pytest.raises(BadInput, match="not a real date"):
        customers.check_id("USA310085130101", "foreign_pr", on=ON)
    with pytest.raises(BadInput, match="3 letters and 12 digits"):
        customers.check_id("US3100850101011", "foreign_pr", on=ON)
    with pytest.raises(BadInput, match="starts with 9"):
        customers.check_id(gb("11010519491231002"), "foreign_pr", on=ON)


@pytest.mark.parametrize(("kind", "valid", "wrong"), [
    ("hk_macao_permit", "H12345678", "H1234567"),
    ("hk_macao_permit", "M1234567890", "X12345678"),
    ("taiwan_permit", "12345678", "1234567"),
    ("taiwan_permit", "1234567890(B)", "1234567890(BB)"),
    ("passport", "E12345678", "E12"),
    ("passport", "G1234567", "ABCDEFGH"),
])
def test_format_only_documents(kind, valid, wrong):
    check = customers.check_id(valid.lower(), kind, on=ON)
    assert (check.doc_type, check.number, check.birth) == (kind, valid, None)
    with pytest.raises(BadInput):
        customers.check_id(wrong, kind, on=ON)


def test_numbers_are_normalised_and_types_guessed():
    number = gb("11010519491231002")
    spaced = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    assert customers.check_id(spaced).number == number
    assert customers.check_id("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"
    assert customers.check_id("H12345678").doc_type == "hk_macao_permit"
    assert customers.check_id("12345678").doc_type == "taiwan_permit"
    with pytest.raises(BadInput, match="give the type"):
        customers.check_id("E12345678")
    assert customers.check_id("E12345678", "PASSPORT").doc_type == "passport"


def test_an_unknown_type_or_an_empty_number_is_refused():
    with pytest.raises(BadInput, match="Unknown document type"):
        customers.check_id("E12345678", "driving_licence")
    with pytest.raises(BadInput, match="Type the document number"):
        customers.check_id("  ", "passport")
    with pytest.raises(BadInput, match="at most 24"):
        customers.check_id("E" * 30, "passport")
    assert set(customers.DOC_TYPES) == set(customers.DOC_LABELS)
