"""Colour changes over simulated days: check-ins, clinic events, fever cases, area risks."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from central.core.db import session_scope
from central.core.models import (
    Checkpoint,
    FeverCase,
    Kiosk,
    Person,
    PersonArea,
    insert_people,
    new_id,
)
from central.issuance import changes, feed, recompute
from central.issuance.rules import (
    ClinicalStatus,
    Facts,
    Flag,
    FlagKind,
    Stop,
    china_day,
    evaluate,
    load_ruleset,
)
from tests.central.areas import load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import (
    API,
    assert_colour_counters_agree,
    declaration,
    declare,
    holder,
    holder_row,
    id_number,
    keys_of,
    long_session,
)


def feed_reasons(central: Central) -> list[tuple[str, int, str]]:
    with session_scope(central.app.state.sessions) as session:
        return [(e.colour.value, e.colour_seq, e.reason) for e in feed.entries_since(session, 0)]


def check_in(central: Central, token: str, celsius: float = 36.6, cough: bool = False) -> str:
    answer = central.client.post(
        f"{API}/check-ins",
        json={"temperature_celsius": celsius, "cough": cough},
        headers=holder(token),
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["colour"])


def test_fourteen_normal_check_in_days_turn_yellow_to_green_and_a_fever_turns_it_back(
    central: Central,
) -> None:
    issued = declare(central, declaration(symptoms=["dry_cough"]))
    token = issued["holder_token"]
    assert issued["code"]["colour"] == "yellow"
    colours = []
    for _day in range(14):
        central.clock.advance(days=1)
        colours.append(check_in(central, token))
    assert colours == ["yellow"] * 13 + ["green"]
    central.clock.advance(hours=1)
    assert check_in(central, token) == "green"  # twice a day counts once
    central.clock.advance(days=1)
    assert check_in(central, token, celsius=37.5) == "yellow"  # above 37.3 °C
    central.clock.advance(days=2)  # a missed day restarts the count
    assert check_in(central, token) == "yellow"
    assert feed_reasons(central) == [("green", 2, "check_in"), ("yellow", 3, "check_in")]
    central.clock.advance(days=1)
    assert check_in(central, token, cough=True) == "yellow"


def test_clinic_events_turn_any_colour_red_and_isolation_ends_turn_it_green(
    central: Central,
) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    baoji = region_admin(central, central.admin_headers, "baoji", "610300")
    issued = declare(central, declaration(11))
    number = id_number(11)
    xian_headers = long_session(central, xian.account_id)

    def event(name: str, headers: dict[str, str] = xian_headers, expect: int = 200) -> str:
        answer = central.client.post(
            f"{API}/clinic-events", json={"id_number": number, "event": name}, headers=headers
        )
        assert answer.status_code == expect, answer.text
        return str(answer.json().get("colour", answer.json().get("error")))

    assert event("close_contact", baoji.headers, expect=404) == "not_found"  # not its area
    assert event("close_contact") == "red"
    central.clock.advance(days=14)
    assert event("isolation_end") == "green"
    assert event("suspected") == "red"
    assert event("ruled_out") == "green"
    assert event("confirmed") == "red"
    assert event("discharged") == "red"
    central.clock.advance(days=14)
    changes.sweep_due(central.app.state.sessions, central.clock())
    assert event("followup_normal") == "yellow"
    assert event("isolation_end") == "green"
    assert event("ruled_out", expect=409) == "bad_request"
    reasons = [r for _c, _s, r in feed_reasons(central)]
    assert reasons[:3] == ["clinic:close_contact", "clinic:isolation_end", "clinic:suspected"]
    seqs = [s for _c, s, _r in feed_reasons(central)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # A refresh carries the current colour in the code itself.
    code = central.client.post(f"{API}/code/refresh", headers=holder(issued["holder_token"]))
    assert code.json()["colour"] == "green" and code.json()["colour_seq"] == seqs[-1]


def test_a_high_risk_trip_is_red_until_fourteen_days_have_passed(central: Central) -> None:
    today = central.clock().date().isoformat()
    issued = declare(central, declaration(12, travel=[{"abroad": True, "last_day": today}]))
    assert issued["code"]["colour"] == "red"
    central.clock.advance(days=13)
    assert changes.sweep_due(central.app.state.sessions, central.clock()) == 0
    central.clock.advance(days=1)
    code = central.client.post(f"{API}/code/refresh", headers=holder(issued["holder_token"]))
    assert code.json()["colour"] == "green"
    assert feed_reasons(central) == [("green", 2, "review")]


def _people(central: Central, count: int, area: str) -> None:
    """Many people at once, straight into the tables (the API path is tested above)."""
    people = [holder_row(central, area) for _ in range(count)]
    areas = [{"area_code": area, "person_id": person["id"]} for person in people]
    with session_scope(central.app.state.sessions) as session:
        insert_people(session, people)
        session.execute(insert(PersonArea), areas)


def test_an_area_risk_change_recomputes_everyone_it_affects_in_batches(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    _people(central, 1200, "610113001001")
    _people(central, 300, "610102001001")
    set_high = central.client.post(
        f"{API}/area-risks", json={"area_code": "610113", "level": "high"}, headers=xian.headers
    )
    assert set_high.status_code == 202, set_high.text
    job_id = set_high.json()["job_id"]
    jobs = central.client.get(f"{API}/recompute-jobs?job_id={job_id}", headers=xian.headers)
    job = jobs.json()[0]
    assert (job["status"], job["processed"], job["changed"], job["total"]) == (
        "done",
        1200,
        1200,
        1200,
    )
    with session_scope(central.app.state.sessions) as session:
        colours = dict(
            session.execute(
                select(Person.residence_area, Person.colour).group_by(
                    Person.residence_area, Person.colour
                )
            ).all()
        )
        head = feed.last_sequence(session)
    assert colours == {"610113001001": "red", "610102001001": "green"}
    assert head == 1200
    assert_colour_counters_agree(central)
    risks = central.client.get(f"{API}/area-risks", headers=xian.headers).json()
    assert risks == [{"area_code": "610113", "level": "high", "changed_at": risks[0]["changed_at"]}]

    # Back to low, worked by two workers sharing the job through its lease.
    sessions = central.app.state.sessions
    job_id = changes.set_area_risk(
        sessions, "610113", changes.RiskLevel.LOW, central.clock(), actor="t"
    )
    assert changes.run_batch(sessions, job_id, "worker-a", central.clock, batch_size=500)
    assert not changes.run_batch(sessions, job_id, "worker-b", central.clock, batch_size=500)
    central.clock.advance(minutes=5)  # worker-a died: its lease lapses
    changes.run_job(sessions, job_id, central.clock, owner="worker-b", batch_size=500)
    with session_scope(sessions) as session:
        assert set(session.scalars(select(Person.colour))) == {"green"}
        assert feed.last_sequence(session) == 2400
        entries = feed.entries_since(session, 1200, 5000)
    assert_colour_counters_agree(central)
    assert {e.colour_seq for e in entries} == {3}
    assert entries[0].reason == "area_risk:610113:low"


def _world(central: Central) -> dict[str, Facts]:
    """People with varied facts living in or travelling through the area about to change:
    residents, visitors, cases, flagged people, other rule sets; their facts by person id."""
    keys = keys_of(central)
    now = central.clock()
    today = china_day(now)
    choices = [
        Facts(residence="610113001001"),
        Facts(residence="610113002001"),
        Facts(residence="610102001001"),
        Facts(residence="610102001001", travel=(Stop("610113001001", False, today),)),
        Facts(
            residence="610102001001",
            travel=(Stop("610113002001", False, today - timedelta(days=20)),),
        ),
        Facts(residence="610113001001", contacts=frozenset({"fever"})),
        Facts(residence="610113001001", clinical=ClinicalStatus.CONFIRMED, clinical_at=now),
        Facts(residence="610102001001", flags=(Flag(FlagKind.ABNORMAL, now),)),
        Facts(residence="610113001001", travel=(Stop(None, True, today),)),
    ]
    world: dict[str, Facts] = {}
    with session_scope(central.app.state.sessions) as session:
        for serial in range(90):
            facts = choices[serial % len(choices)]
            person_id, code_id = new_id(), secrets.token_bytes(16)
            ruleset = ("shaanxi", "nanning", "hainan")[serial % 3]
            assessment = evaluate(load_ruleset(ruleset), facts, {}, now)
            insert_people(session, [dict(
                id=person_id, issuer=keys.issuer, id_ix=secrets.token_bytes(16),
                name_enc=b"x", id_number_enc=b"x", id_type="resident_id", holder="self",
                residence_area=facts.residence, ruleset=ruleset, facts=facts.to_json(),
                code_id=code_id, code_ix=secrets.token_bytes(16), code_kind="app",
                colour=assessment.colour.value, colour_seq=1, colour_reason="declaration",
                review_at=assessment.review_at, lock_version=0, created_at=now,
                updated_at=now,
            )])  # fmt: skip
            session.execute(
                insert(PersonArea),
                [{"area_code": a, "person_id": person_id} for a in sorted(facts.areas())],
            )
            world[person_id] = facts
    return world


def test_a_recompute_gives_everyone_the_colour_the_rules_give_them_one_by_one(
    central: Central,
) -> None:
    world = _world(central)
    sessions = central.app.state.sessions
    now = central.clock()
    job_id = changes.set_area_risk(sessions, "610113", changes.RiskLevel.HIGH, now, actor="t")
    changes.run_job(sessions, job_id, central.clock, owner="w", batch_size=7)
    levels = {"610113": changes.RiskLevel.HIGH}
    with session_scope(sessions) as session:
        people = {p.id: p for p in session.scalars(select(Person))}
        entries = feed.entries_since(session, 0, 5000)
    expected = {
        person_id: evaluate(load_ruleset(people[person_id].ruleset), facts, levels, now)
        for person_id, facts in world.items()
    }
    assert {i: p.colour for i, p in people.items()} == {
        i: e.colour.value for i, e in expected.items()
    }
    assert {i: p.review_at for i, p in people.items()} == {
        i: e.review_at for i, e in expected.items()
    }
    moved = {p.code_id: p for p in people.values() if p.colour_seq == 2}
    assert 0 < len(moved) < len(people)  # the rules moved some, not all
    assert {e.code_id: (e.colour.value, e.colour_seq) for e in entries} == {
        code_id: (p.colour, 2) for code_id, p in moved.items()
    }
    assert all(e.reason == "area_risk:610113:high" for e in entries)


def _fever_case(central: Central, code_ix: bytes | None, issuer: str) -> tuple[str, str]:
    now = central.clock()
    with session_scope(central.app.state.sessions) as session:
        checkpoint = Checkpoint(
            name="东关社区北门",
            checkpoint_type="residential_compound",
            region_code="610102",
            area_code="610102001001",
            address="西安市新城区",
            created_at=now,
        )
        session.add(checkpoint)
        session.flush()
        kiosk = Kiosk(
            checkpoint_id=checkpoint.id,
            signing_public_key=b"k" * 32,
            encryption_public_key=b"e" * 32,
            enrolled_at=now,
        )
        session.add(kiosk)
        session.flush()
        case_id = new_id()
        session.add(
            FeverCase(
                id=case_id,
                kiosk_id=kiosk.id,
                checkpoint_id=checkpoint.id,
                region_code="610102",
                at=now,
                received_at=now,
                temperature_celsius=38.2,
                issuer=issuer,
                code_ix=code_ix,
                status="open",
            )
        )
        return case_id, checkpoint.id


def test_a_fever_case_turns_the_holder_yellow_only_when_staff_confirm_it(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    baoji = region_admin(central, central.admin_headers, "baoji", "610300")
    issued = declare(central, declaration(13))
    keys = keys_of(central)
    with session_scope(central.app.state.sessions) as session:
        code_ix = session.scalars(select(Person.code_ix)).one()
    dismissed, _ = _fever_case(central, code_ix, keys.issuer)
    confirmed, _ = _fever_case(central, code_ix, keys.issuer)

    listed = central.client.get(f"{API}/fever-cases", headers=xian.headers).json()
    assert {c["case_id"] for c in listed} == {dismissed, confirmed}
    assert central.client.get(f"{API}/fever-cases", headers=baoji.headers).json() == []

    def decide(case_id: str, decision: str, headers: dict[str, str]) -> tuple[int, object]:
        answer = central.client.post(
            f"{API}/fever-cases/{case_id}/decision", json={"decision": decision}, headers=headers
        )
        return answer.status_code, answer.json().get("colour")

    assert decide(dismissed, "dismiss", baoji.headers)[0] == 404
    assert decide(dismissed, "dismiss", xian.headers) == (200, None)
    assert feed_reasons(central) == []  # one reading at one gate changes nobody's colour
    assert decide(confirmed, "confirm", xian.headers) == (200, "yellow")
    assert decide(confirmed, "confirm", xian.headers)[0] == 409
    assert feed_reasons(central) == [("yellow", 2, "fever_case")]
    for _day in range(14):
        central.clock.advance(days=1)
        colour = check_in(central, issued["holder_token"])
    assert colour == "green"


def test_someone_changed_while_a_recompute_batch_worked_gets_the_colour_of_their_new_facts(
    central: Central,
) -> None:
    sessions = central.app.state.sessions
    if sessions.kw["bind"].dialect.name == "sqlite":
        pytest.skip("on SQLite a batch holds the write lock: nobody writes between")
    _people(central, 3, "610113001001")
    now = central.clock()
    changes.set_area_risk(sessions, "610113", changes.RiskLevel.HIGH, now, actor="t")
    with session_scope(sessions) as session:
        read = [tuple(row) for row in session.execute(select(*recompute._PERSON_COLUMNS))]
    moved_away = read[0][0]
    with session_scope(sessions) as session:  # another writer, as codes.lock_person does
        colours, people = Person.colours_table, Person.people_table
        session.execute(
            update(colours)
            .where(colours.c.person_id == moved_away)
            .values(lock_version=colours.c.lock_version + 1)
        )
        session.execute(
            update(people)
            .where(people.c.id == moved_away)
            .values(residence_area="610102001001", facts=Facts(residence="610102001001").to_json())
        )
        session.execute(
            update(PersonArea)
            .where(PersonArea.person_id == moved_away)
            .values(area_code="610102001001")
        )
    with session_scope(sessions) as session:
        changed = recompute.reassess(session, read, now, "area_risk:610113:high", "t")
        # A colour written after the batch in its transaction is counted by the trigger again.
        session.execute(
            update(Person.colours_table)
            .where(Person.colours_table.c.person_id == read[1][0])
            .values(colour="yellow")
        )
    with session_scope(sessions) as session:
        colours = dict(session.execute(select(Person.id, Person.colour)).all())
        entries = feed.entries_since(session, 0, 100)
    assert changed == 2
    assert colours.pop(moved_away) == "green"
    assert sorted(colours.values()) == ["red", "yellow"]
    assert len(entries) == 2
    # The batch counted its own moves by where each lives now (the moved one re-read).
    assert_colour_counters_agree(central)
