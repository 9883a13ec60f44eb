"""The national list of risk areas: a traveller from Wuhan, whom a Shaanxi administrator cannot
mark (403), turns the colour Shaanxi's rules give once the signed national list says Wuhan is
high risk; inside Shaanxi the province's own settings win; a list signed by another key, damaged
or not newer changes nothing; the file command and the URL poll import it. On SQLite and
PostgreSQL (the `database_url` fixture)."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from central.core.db import session_scope
from central.core.models import Person, PersonArea, RecomputeJob, insert_people
from central.issuance import changes, feed
from central.issuance.national_cli import poll, run_national_risk_command
from central.issuance.national_risk import (
    NationalListError,
    NationalRiskDocument,
    effective_levels,
    import_list,
)
from central.issuance.rules import Facts, RiskLevel, Stop
from healthcode.keys import SigningKey
from tests.central.areas import load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import (
    API,
    assert_colour_counters_agree,
    declaration,
    declare,
    holder,
    holder_row,
)

WUHAN = "420100"
PUBLISHER = SigningKey.generate()


def signed(sequence: int, areas: dict[str, str], issued_at: datetime) -> bytes:
    levels = {code: RiskLevel(level) for code, level in areas.items()}
    return NationalRiskDocument(sequence, issued_at, levels).sign(PUBLISHER)


def _flipped(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def take(central: Central, data: bytes, work: bool = True) -> str | None:
    sessions = central.app.state.sessions
    result = import_list(
        sessions, data, PUBLISHER.public, "610000", central.clock(), source="test.cose"
    )
    if work and result.job_id is not None:
        changes.run_job(sessions, result.job_id, central.clock)
    return result.job_id


def colour_of(central: Central, token: str) -> str:
    code = central.client.post(f"{API}/code/refresh", headers=holder(token))
    assert code.status_code == 200, code.text
    return str(code.json()["colour"])


def traveller(central: Central, serial: int, area: str) -> str:
    today = central.clock().date().isoformat()
    issued = declare(central, declaration(serial, travel=[{"area": area, "last_day": today}]))
    return str(issued["holder_token"])


def test_a_traveller_from_an_area_on_the_national_list_turns_the_colour_shaanxis_rules_give(
    central: Central,
) -> None:
    load_sample_regions(central)
    from_wuhan = traveller(central, 1, "420102")  # a district of Wuhan
    from_beijing = traveller(central, 2, "110101")
    assert colour_of(central, from_wuhan) == "green"
    refused = central.post(f"{API}/area-risks", {"area_code": WUHAN, "level": "high"})
    assert refused.status_code == 403

    job_id = take(central, signed(1, {WUHAN: "high", "110000": "medium"}, central.clock()))
    assert colour_of(central, from_wuhan) == "red"
    assert colour_of(central, from_beijing) == "yellow"
    with session_scope(central.app.state.sessions) as session:
        job = session.get(RecomputeJob, job_id)
        assert job is not None and (job.status, job.changed) == ("done", 2)

    take(central, signed(2, {WUHAN: "low"}, central.clock()))  # Beijing dropped, Wuhan low
    assert colour_of(central, from_wuhan) == "green"
    assert colour_of(central, from_beijing) == "green"


def test_inside_the_province_its_own_settings_win(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    set_low = central.client.post(
        f"{API}/area-risks", json={"area_code": "610113", "level": "low"}, headers=xian.headers
    )
    assert set_low.status_code == 202, set_low.text
    take(central, signed(1, {"610113": "high", "610102": "high", WUHAN: "high"}, central.clock()))
    with session_scope(central.app.state.sessions) as session:
        levels = effective_levels(session)
    assert levels["610113"] is RiskLevel.LOW  # the province set it: its word
    assert levels["610102"] is RiskLevel.HIGH  # no setting of the province covers it
    assert levels[WUHAN] is RiskLevel.HIGH


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (
            lambda now: NationalRiskDocument(1, now, {WUHAN: RiskLevel.HIGH}).sign(
                SigningKey.generate()
            ),
            "another key",
        ),
        (lambda now: _flipped(signed(1, {WUHAN: "high"}, now)), "signature"),
        (lambda now: signed(1, {"42": "high"}, now), "damaged"),
    ],
    ids=["another publisher", "a changed byte", "not a region code"],
)
def test_a_list_that_cannot_be_trusted_changes_nothing(central: Central, make, why: str) -> None:
    token = traveller(central, 3, "420102")
    with pytest.raises(NationalListError, match=why):
        take(central, make(central.clock()))
    assert colour_of(central, token) == "green"


def test_an_older_or_the_same_list_is_refused(central: Central) -> None:
    take(central, signed(5, {WUHAN: "high"}, central.clock()))
    for sequence in (5, 4):
        with pytest.raises(NationalListError, match="not newer"):
            take(central, signed(sequence, {}, central.clock()))


def test_a_list_of_many_areas_is_worked_in_batches_across_them(central: Central) -> None:
    tokens = [
        traveller(central, 10 + i, area)
        for i, area in enumerate(["110101", "120101", "420102", "440103", "510402"])
    ]
    areas = {f"{p}0000": "high" for p in ("11", "12", "42", "44", "51")}
    job_id = take(central, signed(1, areas, central.clock()), work=False)
    assert job_id is not None
    sessions = central.app.state.sessions
    batches = 0
    while changes.run_batch(sessions, job_id, "worker", central.clock, batch_size=2):
        batches += 1
    assert batches >= 3
    assert {colour_of(central, token) for token in tokens} == {"red"}
    with session_scope(sessions) as session:
        job = session.get(RecomputeJob, job_id)
        assert job is not None and (job.status, job.changed) == ("done", 5)


def _travellers_from(central: Central, areas: list[str]) -> list[str]:
    """One Xi'an resident back today from each area, straight into the tables."""
    today = central.clock().date()
    people, keys = [], []
    for area in areas:
        stop = Stop(area, False, today)
        person = holder_row(central, "610113001001", Facts("610113001001", travel=(stop,)))
        people.append(person)
        keys += [
            {"area_code": "610113001001", "person_id": person["id"]},
            {"area_code": area, "person_id": person["id"]},
        ]
    with session_scope(central.app.state.sessions) as session:
        insert_people(session, people)
        session.execute(insert(PersonArea), keys)
    return [str(person["id"]) for person in people]


def test_a_list_of_more_areas_than_a_batch_reads_at_once_reddens_exactly_their_travellers(
    central: Central,
) -> None:
    areas = [f"{11 + n // 20:02d}{n % 20 + 1:02d}01" for n in range(70)]
    ids = _travellers_from(central, areas)
    listed = {area: "high" for area in areas[::2]}  # 35 areas, read in growing groups
    job_id = take(central, signed(1, listed, central.clock()), work=False)
    assert job_id is not None
    sessions = central.app.state.sessions
    while changes.run_batch(sessions, job_id, "worker", central.clock, batch_size=7):
        pass
    with session_scope(sessions) as session:
        colours = dict(session.execute(select(Person.id, Person.colour)).all())
        job = session.get_one(RecomputeJob, job_id)
        assert (job.status, job.changed) == ("done", 35)
        assert feed.last_sequence(session) == 35
    assert [colours[person] for person in ids] == ["red", "green"] * 35
    assert_colour_counters_agree(central)


def test_the_command_imports_a_file_and_the_poll_fetches_the_url(
    central: Central, tmp_path: Path
) -> None:
    token = traveller(central, 20, "420102")
    key_file = tmp_path / "national.pub"
    from cryptography.hazmat.primitives import serialization

    key_file.write_bytes(
        PUBLISHER.public.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings = central.settings.model_copy(
        update={"national_risk_key_file": key_file, "national_risk_url": "https://gov.example/l"}
    )
    document = tmp_path / "list.cose"
    document.write_bytes(signed(1, {WUHAN: "high"}, central.clock()))
    args = argparse.Namespace(national_command="import", file=document, recompute=True)
    assert run_national_risk_command(settings, args, central.clock) == 0
    assert colour_of(central, token) == "red"

    sessions = central.app.state.sessions
    served = {"https://gov.example/l": signed(2, {WUHAN: "medium"}, central.clock())}
    assert poll(sessions, settings, served.__getitem__, central.clock()) == 2
    assert poll(sessions, settings, served.__getitem__, central.clock()) is None  # not due
    changes.run_pending(sessions, central.clock)
    assert colour_of(central, token) == "yellow"
    later = central.clock() + timedelta(hours=2)
    assert poll(sessions, settings, served.__getitem__, later) is None  # the same list
    with session_scope(sessions) as session:
        assert session.scalar(select(Person.colour)) == "yellow"
