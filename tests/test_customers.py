"""Customers: sealed numbers and phones, keyed hashes, masks, identify, find, view, reveal."""

from __future__ import annotations

import json

import pytest
from stdnum.cn import ric

from hallterm.context import run_write
from hallterm.errors import BadInput, Forbidden, NotFound, Refused
from hallterm.services import customers
from hallterm.services.customers import Person
from hallterm.store import execute

PEPPER = b"k" * 32
NUMBER = "11010519491231002X"
PHONE = "13812341234"


def gb(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def identify(ctx, person: Person) -> int:
    """``identify`` inside a write of its own (as an order would call it)."""
    def work(uow):
        cid = customers.identify(uow, person)
        uow.audit("test.identify", entity="customer", entity_id=cid)
        return cid

    return run_write(ctx, "test.identify", work)


def audit_rows(hall, action: str) -> list:
    with hall.ctx.store.read() as session:
        return [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in execute(
            session, "SELECT payload FROM audit_log WHERE action = :a ORDER BY seq",
            {"a": action}).all()]


def test_seal_is_aes_gcm_under_the_hall_secret():
    token = customers.seal(PEPPER, NUMBER)
    assert NUMBER not in token and token != customers.seal(PEPPER, NUMBER)  # a new nonce
    assert customers.unseal(PEPPER, token) == NUMBER
    with pytest.raises(BadInput, match="cannot be opened"):
        customers.unseal(b"x" * 32, token)
    with pytest.raises(BadInput, match="cannot be opened"):
        customers.unseal(PEPPER, token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"))


def test_keyed_hashes_are_stable_distinct_and_not_the_plain_hmac_of_the_secret():
    from hallterm.services.export import keyed_hash

    key = customers.id_key(PEPPER, NUMBER)
    assert key == customers.id_key(PEPPER, NUMBER.lower()) == customers.id_key(
        PEPPER, " 110105 19491231 002x")
    assert key != customers.id_key(b"x" * 32, NUMBER)
    assert key != keyed_hash(PEPPER, NUMBER)  # a derived key, not the secret itself
    assert customers.phone_key(PEPPER, "+86 138-1234-1234") == customers.phone_key(PEPPER, PHONE)
    assert customers.phone_key(PEPPER, PHONE) != customers.id_key(PEPPER, PHONE)


def test_masks_show_the_first_3_and_last_4():
    assert customers.mask_id(NUMBER) == "110***********002X"
    assert customers.mask_phone(PHONE) == "138****1234"
    assert customers.mask_phone("+86 138 1234 1234") == "138****1234"


@pytest.mark.parametrize("phone", ["1381234123", "23812341234", "12812341234", "abc", "+8"])
def test_a_wrong_phone_is_refused(phone):
    with pytest.raises(BadInput, match="phone"):
        customers.check_phone(phone)


def test_phones_accepted():
    assert customers.check_phone("138 1234 1234") == PHONE
    assert customers.check_phone("010-6512-3456") == "01065123456"
    assert customers.check_phone("+852 9123 4567") == "+85291234567"


def test_identify_adds_then_finds_the_same_person(hall):
    clerk = hall.add("1001", "acceptance")
    cid = identify(clerk, Person("resident", NUMBER, "张三", PHONE))
    assert identify(clerk, Person(None, NUMBER.lower(), "张三")) == cid
    seen = customers.view(clerk, cid)
    assert (seen.id_masked, seen.phone_masked, seen.name, seen.doc_type) == (
        "110***********002X", "138****1234", "张三", "resident")
    assert [c.id for c in customers.find(clerk, number=NUMBER)] == [cid]
    assert [c.id for c in customers.find(clerk, phone="+86 13812341234")] == [cid]
    assert [c.id for c in customers.find(clerk, name="张")] == [cid]
    assert customers.find(clerk, name="李") == []
    assert customers.find(clerk, number=NUMBER, name="李") == []


def test_identify_refuses_another_name_for_a_known_document_and_renames_nothing(hall):
    clerk = hall.add("1001", "acceptance")
    cid = identify(clerk, Person("resident", NUMBER, "王芳", PHONE))
    with pytest.raises(Refused, match=r"does not match this document's record \(王\*\)"):
        identify(clerk, Person("resident", NUMBER, "张三", "13700000000"))
    seen = customers.view(clerk, cid)
    assert (seen.name, seen.phone_masked) == ("王芳", customers.mask_phone(PHONE))
    assert audit_rows(hall, "customer.phone") == []


def test_identify_updates_a_changed_phone_with_an_audit_row_of_masked_values(hall):
    clerk = hall.add("1001", "acceptance")
    cid = identify(clerk, Person("resident", NUMBER, "Anna Smith", PHONE))
    assert identify(clerk, Person("resident", NUMBER, "anna  SMITH", "13900001111")) == cid
    seen = customers.view(clerk, cid)
    assert (seen.name, seen.phone_masked) == ("Anna Smith", "139****1111")
    assert customers.find(clerk, phone=PHONE) == []
    assert [{k: v for k, v in r.items() if k != "_rows"}
            for r in audit_rows(hall, "customer.phone")] == [
        {"customer": cid, "from": customers.mask_phone(PHONE), "to": "139****1111"}]


def test_a_child_on_the_household_register_is_the_same_person_with_an_id_card(hall):
    clerk = hall.add("1001", "acceptance")
    child = gb("11010820150601003")
    cid = identify(clerk, Person("household", child, "小明"))
    assert identify(clerk, Person("resident", child, "小明")) == cid
    assert customers.view(clerk, cid).doc_type == "resident"


def test_identify_refuses_a_bad_document_name_or_phone_and_writes_nothing(hall):
    clerk = hall.add("1001", "acceptance")
    for person, match in ((Person("resident", NUMBER[:-1] + "1", "张三"), "check digit"),
                          (Person("resident", NUMBER, " "), "name"),
                          (Person("resident", NUMBER, "张\n三"), "line breaks"),
                          (Person("resident", NUMBER, "张三", "12345"), "phone")):
        with pytest.raises(BadInput, match=match):
            identify(clerk, person)
    with hall.ctx.store.read() as session:
        assert execute(session, "SELECT COUNT(*) FROM customer").scalar() == 0


def test_view_and_find_need_a_counter_or_manager_role(hall):
    clerk = hall.add("1001", "acceptance")
    cid = identify(clerk, Person("resident", NUMBER, "张三", PHONE))
    keeper = hall.add("1002", "warehouse")
    with pytest.raises(Forbidden):
        customers.view(keeper, cid)
    with pytest.raises(Forbidden):
        customers.find(keeper, number=NUMBER)
    with pytest.raises(NotFound):
        customers.view(clerk, cid + 1)
    with pytest.raises(BadInput, match="Give a document number"):
        customers.find(clerk)


def test_reveal_needs_the_permission_and_a_reason_and_is_audited_without_the_values(hall):
    clerk = hall.add("1001", "acceptance")
    seller = hall.add("1002", "sales")
    cid = identify(clerk, Person("resident", NUMBER, "张三", PHONE))
    with pytest.raises(Forbidden, match=r"data\.reveal"):
        customers.reveal(seller, cid, "checking")
    with pytest.raises(BadInput, match="why"):
        customers.reveal(clerk, cid, "  ")
    with pytest.raises(NotFound):
        customers.reveal(clerk, cid + 1, "checking")
    shown = customers.reveal(clerk, cid, "customer asked to confirm")
    assert (shown.number, shown.phone, shown.name) == (NUMBER, PHONE, "张三")
    with hall.ctx.store.read() as session:
        rows = execute(session, "SELECT actor, entity, entity_id, payload FROM audit_log "
                       "WHERE action = 'data.reveal'").all()
    assert len(rows) == 1
    assert (rows[0].actor, rows[0].entity, rows[0].entity_id) == ("1001", "customer", str(cid))
    assert "customer asked to confirm" in rows[0].payload
    assert NUMBER not in rows[0].payload and PHONE not in rows[0].payload


def test_find_by_name_ignores_case_and_takes_wildcards_literally(hall):
    clerk = hall.add("1001", "acceptance")
    cid = identify(clerk, Person("passport", "E12345678", "Anna_Smith"))
    identify(clerk, Person("passport", "E87654321", "AnnaXSmith"))
    assert [c.id for c in customers.find(clerk, name="anna_")] == [cid]
    assert len(customers.find(clerk, name="ANNA")) == 2
    assert customers.find(clerk, name="%") == []


@pytest.mark.sqlite_only  # the store file edited with sqlite3; test_pg_seals does PostgreSQL's
def test_a_customer_row_changed_behind_the_log_is_named_by_its_mask(hall):
    import sqlite3

    from hallterm.services.audit import verify

    clerk = hall.add("1001", "acceptance")
    identify(clerk, Person("resident", NUMBER, "张三", PHONE))
    con = sqlite3.connect(hall.path)
    con.execute("UPDATE customer SET name = '李四'")
    con.commit()
    con.close()
    result = verify(hall.manager)
    assert not result.ok and "110***********002X" in result.reason and NUMBER not in result.reason
