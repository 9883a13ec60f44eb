"""Self-declaration, codes, refresh, proxy and paper codes through the real API."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from central.core.db import session_scope
from central.core.models import AuditEntry, Person, StatusFeedEntry
from central.issuance import feed
from healthcode.claims import CodeKind, Colour
from healthcode.jkm import default_registry
from healthcode.keydir import KeyDir
from healthcode.results import VerifiedCode
from healthcode.schemes import VerifyContext
from tests.central.areas import load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import API, declaration, declare, holder, id_number, sms_of


def verified(central: Central, qr_text: str) -> VerifiedCode:
    keydir = KeyDir(central.settings.resolved_keys_dir)
    context = VerifyContext(trust=keydir.trust_list(central.clock()), now=central.clock())
    result = default_registry().verify(qr_text, context)
    assert isinstance(result, VerifiedCode), result
    return result


def test_a_declaration_gives_a_signed_code_that_refreshes_with_the_same_code_id(
    central: Central,
) -> None:
    issued = declare(central, declaration())
    code = issued["code"]
    assert code["colour"] == "green" and code["colour_label"] == "绿码"
    assert code["masked_name"] == "张*丰" and code["kind"] == "app"
    assert code["svg"].startswith("<svg")
    first = verified(central, code["qr_text"]).claims
    assert first.kind is CodeKind.APP and first.colour_seq == 1
    assert first.expires_at_utc - first.issued_at_utc == timedelta(hours=24)

    central.clock.advance(hours=3)
    refreshed = central.client.post(f"{API}/code/refresh", headers=holder(issued["holder_token"]))
    assert refreshed.status_code == 200, refreshed.text
    second = verified(central, refreshed.json()["qr_text"]).claims
    assert second.code_id == first.code_id and second.colour_seq == 1
    assert refreshed.json()["qr_text"] != code["qr_text"]

    png = central.client.post(f"{API}/code.png", headers=holder(issued["holder_token"]))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = central.client.post(f"{API}/code.svg", headers=holder(issued["holder_token"]))
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    pdf = central.client.post(f"{API}/code.pdf", headers=holder(issued["holder_token"]))
    assert pdf.content.startswith(b"%PDF")
    assert central.client.post(f"{API}/code/refresh", headers=holder("nope")).status_code == 401


def test_personal_data_is_kept_encrypted_and_found_by_blind_index(central: Central) -> None:
    body = declaration(7)
    declare(central, body)
    with session_scope(central.app.state.sessions) as session:
        person = session.scalars(select(Person)).one()
        stored = b"".join(
            value if isinstance(value, bytes) else str(value).encode()
            for value in (
                person.name_enc,
                person.id_number_enc,
                person.phone_enc,
                person.workplace_enc,
                person.id_ix,
                person.phone_ix,
                person.facts,
            )
        )
    for secret in (body["full_name"], body["id_number"], body["phone"], body["workplace"]):
        assert secret.encode() not in stored


def test_a_wrong_sms_code_is_refused_and_codes_are_rate_limited(central: Central) -> None:
    body = declaration(2)
    sent = sms_of(central)
    assert central.client.post(f"{API}/sms-codes", json={"phone": body["phone"]}).status_code == 202
    again = central.client.post(f"{API}/sms-codes", json={"phone": body["phone"]})
    assert again.status_code == 429 and again.json()["error"] == "rate_limited"
    wrong = central.client.post(f"{API}/declarations", json=body | {"sms_code": "000000"})
    if sent.last_code(body["phone"]) != "000000":
        assert wrong.status_code == 401
    bad = central.client.post(f"{API}/sms-codes", json={"phone": "12345"})
    assert bad.status_code == 400
    for serial in range(20, 29):  # ten a minute per client address
        central.client.post(f"{API}/sms-codes", json={"phone": f"139{serial:08d}"})
    assert central.client.post(f"{API}/sms-codes", json={"phone": "13900000099"}).status_code == 429


def test_an_invalid_id_number_is_refused_with_the_field_named(central: Central) -> None:
    body = declaration(3, id_number="610102198001010010")  # wrong check character
    answer = declare(central, body, expect=400)
    assert answer["detail"].startswith("id_number")


def test_a_new_declaration_changes_the_colour_through_the_feed(central: Central) -> None:
    body = declaration(4, travel=[{"abroad": True, "last_day": "2026-11-22"}])
    red = declare(central, body)
    assert red["code"]["colour"] == "red"
    assert red["code"]["rule_ids"] == ["travel_abroad_or_high_risk"]
    fever = declare(central, body | {"travel": [], "temperature_celsius": 38.1})
    assert fever["code"]["colour"] == "yellow" and fever["code"]["colour_seq"] == 2
    with session_scope(central.app.state.sessions) as session:
        entries = feed.entries_since(session, 0)
    assert [(e.colour, e.colour_seq, e.reason) for e in entries] == [
        (Colour.YELLOW, 2, "declaration")
    ]
    assert entries[0].code_id == verified(central, red["code"]["qr_text"]).claims.code_id


def test_concurrent_declarations_for_one_person_make_one_code_and_a_gapless_feed(
    central: Central,
) -> None:
    from central.issuance import codes
    from central.issuance.declarations import Declaration, IdType, TravelItem
    from tests.central.issuance_world import keys_of

    keys = keys_of(central)
    sessions = central.app.state.sessions
    results: list[object] = []

    def one(index: int) -> None:
        travel = (TravelItem(None, True, central.clock().date()),) if index % 2 else ()
        item = Declaration(
            full_name="李四",
            id_type=IdType.RESIDENT_ID,
            id_number=id_number(5),
            residence="610102001001",
            phone="13900000005",
            travel=travel,
        )
        try:
            results.append(codes.declare(sessions, keys, item, central.clock()))
        except Exception as error:  # pragma: no cover - reported below
            results.append(error)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, codes.IssuedCode) for r in results), results
    with session_scope(sessions) as session:
        person = session.scalars(select(Person)).one()
        rows = session.execute(
            select(StatusFeedEntry.sequence, StatusFeedEntry.colour_seq).order_by(
                StatusFeedEntry.sequence
            )
        ).all()
    assert [r.sequence for r in rows] == list(range(1, len(rows) + 1))
    assert [r.colour_seq for r in rows] == list(range(2, len(rows) + 2))
    assert person.colour_seq == len(rows) + 1


def test_community_workers_issue_proxy_codes_and_print_them_in_batches(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    community = region_admin(central, xian.headers, "xincheng", "610102")
    other = region_admin(central, xian.headers, "yanta", "610113")
    body = declaration(6) | {"residence": "610102001001"}
    body.pop("phone")
    made = central.client.post(f"{API}/proxy-declarations", json=body, headers=community.headers)
    assert made.status_code == 201, made.text
    assert made.json()["holder_token"] is None
    claims = verified(central, made.json()["code"]["qr_text"]).claims
    assert claims.kind is CodeKind.PROXY
    assert claims.expires_at_utc - claims.issued_at_utc == timedelta(days=14)
    refused = central.client.post(f"{API}/proxy-declarations", json=body, headers=other.headers)
    assert refused.status_code == 403

    guardian = declare(central, declaration(8, full_name="王小明", holder="guardian"))
    assert guardian["code"]["kind"] == "proxy" and guardian["holder_token"]

    before = _audit_count(central)
    printed = central.client.post(
        f"{API}/paper-batch", json={"area_code": "610102001001"}, headers=community.headers
    )
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert _audit_count(central) == before + 1
    assert (
        central.client.post(
            f"{API}/paper-batch", json={"area_code": "610102001001"}, headers=other.headers
        ).status_code
        == 403
    )


def test_a_community_worker_issues_codes_for_a_list_of_people_in_one_request(
    central: Central,
) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    community = region_admin(central, xian.headers, "xincheng", "610102")
    people = [declaration(serial) | {"residence": "610102001001"} for serial in (21, 22, 23)]
    for person in people:
        person.pop("phone")
    people[1]["id_number"] = "610102198001010000"  # a wrong check character
    people.append(people[0] | {"temperature_celsius": 38.5})  # the first person again, feverish
    answer = central.client.post(
        f"{API}/proxy-declarations/batch", json={"people": people}, headers=community.headers
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert [r["index"] for r in result["refused"]] == [1]
    assert result["refused"][0]["detail"].startswith("id_number:")
    issued = {r["index"]: r["code"] for r in result["issued"]}
    assert sorted(issued) == [0, 2, 3]
    first, again = verified(central, issued[0]["qr_text"]), verified(central, issued[3]["qr_text"])
    assert first.claims.kind is CodeKind.PROXY and first.claims.colour is Colour.GREEN
    assert again.claims.code_id == first.claims.code_id  # one person, one code id
    assert again.claims.colour is Colour.YELLOW and issued[3]["svg"] is None
    with session_scope(central.app.state.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 2

    outside = [people[0] | {"residence": "610113001001"}, people[2]]
    refused = central.client.post(
        f"{API}/proxy-declarations/batch", json={"people": outside}, headers=community.headers
    )
    assert refused.status_code == 403 and "people[0]" in refused.text
    with session_scope(central.app.state.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 2  # nothing issued


def _audit_count(central: Central) -> int:
    with session_scope(central.app.state.sessions) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_the_rule_sets_and_the_page_are_public(central: Central) -> None:
    rules = central.client.get(f"{API}/rulesets").json()
    assert {r["id"] for r in rules} >= {"shaanxi", "nanning", "hainan"}
    page = central.client.get("/issuance")
    assert page.status_code == 200 and "健康码申领" in page.text
