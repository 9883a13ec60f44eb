"""'My health code' on a new phone (issue 24): one's own code again by ID number, the phone
given when declaring and that phone's SMS code, with nothing told to anyone else."""

from __future__ import annotations

from typing import Any

from tests.central.conftest import Central
from tests.central.issuance_world import API, declaration, declare, holder, id_number, sms_of


def _sms_code(central: Central, phone: str) -> str:
    central.clock.advance(seconds=61)  # one code a minute per phone
    asked = central.client.post(f"{API}/sms-codes", json={"phone": phone})
    assert asked.status_code == 202, asked.text
    return sms_of(central).last_code(phone)


def _look_up(central: Central, serial: int, phone: str, **changes: Any) -> Any:
    body = {
        "id_type": "resident_id",
        "id_number": id_number(serial),
        "phone": phone,
        "sms_code": _sms_code(central, phone),
    } | changes
    return central.client.post(f"{API}/code/look-up", json=body)


def test_a_holder_finds_their_code_again_and_the_old_page_stops_refreshing(
    central: Central,
) -> None:
    first = declare(central, declaration(7))
    old_token = first["holder_token"]
    found = _look_up(central, 7, declaration(7)["phone"])
    assert found.status_code == 200, found.text
    again = found.json()
    assert again["code"]["colour"] == first["code"]["colour"] == "green"
    assert again["code"]["masked_name"] == first["code"]["masked_name"]
    assert again["holder_token"] != old_token
    refreshed = central.client.post(f"{API}/code/refresh", headers=holder(again["holder_token"]))
    assert refreshed.status_code == 200
    stale = central.client.post(f"{API}/code/refresh", headers=holder(old_token))
    assert stale.status_code == 401


def test_a_wrong_code_another_persons_id_and_an_unknown_id_answer_alike(
    central: Central,
) -> None:
    declare(central, declaration(7))
    declare(central, declaration(8))
    phone = declaration(7)["phone"]
    wrong_code = _look_up(central, 7, phone, sms_code="000000")
    someone_else = _look_up(central, 8, phone)  # 8's ID with 7's phone
    nobody = _look_up(central, 9, phone)
    answers = [wrong_code, someone_else, nobody]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert len({a.json()["detail"] for a in answers}) == 1


def test_a_used_sms_code_does_not_open_the_code_twice(central: Central) -> None:
    declare(central, declaration(7))
    phone = declaration(7)["phone"]
    code = _sms_code(central, phone)
    body = {"id_number": id_number(7), "phone": phone, "sms_code": code}
    assert central.client.post(f"{API}/code/look-up", json=body).status_code == 200
    assert central.client.post(f"{API}/code/look-up", json=body).status_code == 401


def test_a_malformed_phone_is_refused_naming_the_field(central: Central) -> None:
    body = {"id_number": id_number(7), "phone": "12345", "sms_code": "123456"}
    answer = central.client.post(f"{API}/code/look-up", json=body)
    assert answer.status_code == 400 and answer.json()["detail"].startswith("phone:")
