"""Pharmacy purchases and clinic visits, from the kiosk's store to central's colours and report
(issue 25): the kiosk's form is stored, uploaded as the sync worker sends it, acts on the
holder's colour by the holder's rule set (Hainan: a buyer of fever medicine turns yellow), and
the area's report counts it."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from central.core.admins import open_session
from central.core.db import session_scope
from central.core.deps import SESSION_COOKIE
from central.core.models import Person, SceneRecord
from central.issuance import feed
from central.reports.scenes import SCENES_COLUMNS, push_scenes
from kiosk.checkpoint.scenes import (
    CaseType,
    ClinicForm,
    MedicineCategory,
    PurchaseForm,
    Scene,
    SceneHolder,
    clinic_record,
    purchase_record,
)
from kiosk.client.enrollment import Enrollment
from kiosk.store import Store, StoreKeys
from sync.schemas import PASSAGES_PATH, UploadAck, UploadBatch
from tests.central.areas import load_sample_regions, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import declaration, declare
from tests.central.kiosks import enrolled_kiosk

HAINAN_HOME = "460108001001"


def _holder(central: Central) -> tuple[str, SceneHolder]:
    with session_scope(central.app.state.sessions) as session:
        person = session.scalars(select(Person)).one()
        return person.id, SceneHolder(
            passage_id=uuid.uuid4(),
            issuer=person.issuer,
            code_id=person.code_id,
            masked_name="张*丰",
            temperature_celsius=36.8,
        )


def _colour(central: Central, person_id: str) -> str:
    with session_scope(central.app.state.sessions) as session:
        person = session.get(Person, person_id)
        assert person is not None
        return str(person.colour)


def _upload_outbox(central: Central, kiosk: Enrollment, store: Store) -> list[str]:
    items = store.outbox.outbox_batch(100)
    body = UploadBatch(batch_id=uuid.uuid4(), records=[i.record for i in items])
    answer = central.client.post(
        PASSAGES_PATH,
        content=body.model_dump_json().encode(),
        auth=kiosk.identity.auth(clock=central.clock),
    )
    assert answer.status_code == 200, answer.text
    results = UploadAck.model_validate_json(answer.content).results
    store.outbox.settle_outbox([i.outbox_id for i in items], []).result(timeout=10)
    return [r.status.value for r in results]


def test_a_hainan_buyer_of_fever_medicine_turns_yellow_and_the_county_report_counts_it(
    central: Central, tmp_path: Path
) -> None:
    load_sample_regions(central)
    declare(central, declaration(3, residence=HAINAN_HOME, ruleset="hainan"))
    person_id, holder = _holder(central)
    assert _colour(central, person_id) == "green"
    kiosk = enrolled_kiosk(
        central, tmp_path / "pharmacy", checkpoint_type="pharmacy", region_code="610102"
    )
    with Store(tmp_path / "pharmacy.db", StoreKeys.generate()) as store:
        now = central.clock()
        other = PurchaseForm(holder).add(MedicineCategory.OTHER)
        other = other.answer(travel_history=False, fever_contact=False)
        store.scenes.record(
            purchase_record(other, record_id=uuid.uuid4(), at_utc=now, operator_id="op-1")
        ).result(timeout=10)
        assert _upload_outbox(central, kiosk, store) == ["stored"]
        assert _colour(central, person_id) == "green"  # vitamins change nothing

        fever = PurchaseForm(holder).add(MedicineCategory.FEVER).add(MedicineCategory.FEVER)
        fever = fever.answer(travel_history=False, fever_contact=False)
        fever = fever.buying_for_other(True).with_phone("13800138000")
        store.scenes.record(
            purchase_record(fever, record_id=uuid.uuid4(), at_utc=now, operator_id="op-1")
        ).result(timeout=10)
        assert _upload_outbox(central, kiosk, store) == ["stored"]
    assert _colour(central, person_id) == "yellow"
    with session_scope(central.app.state.sessions) as session:
        reasons = [e.reason for e in feed.entries_since(session, 0)]
        stored = session.scalars(select(SceneRecord.details_enc)).all()
    assert reasons == ["purchase:medicine_purchase"]
    assert all(b"13800138000" not in blob for blob in stored)  # sealed at rest

    xian = region_admin(central, central.admin_headers, "xian", "610100")
    baoji = region_admin(central, central.admin_headers, "baoji", "610300")
    day = (central.clock() + timedelta(hours=8)).date().isoformat()
    report = central.client.get(f"/api/v1/reports/scenes?day={day}", headers=xian.headers)
    assert report.status_code == 200, report.text
    assert report.json() == [
        {
            "region_code": "610102",
            "purchases": 2,
            "watched_purchases": 1,
            "clinic_registrations": 0,
            "observation_visits": 0,
            "confirmed_or_suspected": 0,
            "fever_purchases": 1,
            "cough_purchases": 0,
            "antiviral_purchases": 0,
            "other_purchases": 1,
        }
    ]
    other_area = central.client.get(f"/api/v1/reports/scenes?day={day}", headers=baoji.headers)
    assert other_area.json() == []
    # The day's push for the upper platform carries the same counts (notice 001).
    with session_scope(central.app.state.sessions) as session:
        pushed, count = push_scenes(session, date.fromisoformat(day), tmp_path / "push")
    lines = pushed.read_bytes().decode("utf-8-sig").splitlines()
    assert count == 1 and lines[0].split(",") == list(SCENES_COLUMNS)
    assert lines[1] == f"{day},610102,2,1,0,0,1,0,0,0"
    # The same counts as a page, reached from the reports page, in both languages.
    central.client.cookies.set(SESSION_COOKIE, _web_token(central, xian.account_id))
    try:
        reports = central.client.get(f"/admin/reports?day={day}").text
        assert f'href="/admin/reports/scenes?day={day}" id="scene-counts"' in reports
        page = central.client.get(f"/admin/reports/scenes?day={day}")
        assert page.status_code == 200, page.text
        row = page.text.split('id="scene-610102"')[1].split("</tr>")[0]
        assert [int(n) for n in re.findall(r'class="num">(\d+)<', row)] == [2, 1, 0, 0, 1, 0, 0, 0]
        assert "新城区" in row and "退烧药" in page.text
        english = central.client.get(f"/admin/reports/scenes?day={day}&lang=en").text
        assert "Fever medicine" in english and "Xincheng District" in english
    finally:
        central.client.cookies.clear()


def _web_token(central: Central, account_id: str) -> str:
    with session_scope(central.app.state.sessions) as session:
        token, _ = open_session(session, account_id, central.clock(), timedelta(days=1))
    return token


def test_a_clinic_registration_and_a_suspected_case_follow_the_colour_rules(
    central: Central, tmp_path: Path
) -> None:
    declare(central, declaration(4, residence=HAINAN_HOME, ruleset="hainan"))
    person_id, holder = _holder(central)
    kiosk = enrolled_kiosk(
        central, tmp_path / "clinic", checkpoint_type="clinic", region_code="610102"
    )
    with Store(tmp_path / "clinic.db", StoreKeys.generate()) as store:
        registration = ClinicForm(
            holder,
            Scene.REGISTRATION,
            temperature_text="38.3",
            residence="海口市美兰区",
            travel_history=False,
            fever_contact=True,
        )
        store.scenes.record(
            clinic_record(
                registration, record_id=uuid.uuid4(), at_utc=central.clock(), operator_id="nurse-1"
            )
        ).result(timeout=10)
        assert _upload_outbox(central, kiosk, store) == ["stored"]
        assert _colour(central, person_id) == "yellow"
        central.clock.advance(days=1)
        observation = ClinicForm(
            holder,
            Scene.OBSERVATION,
            temperature_text="38.0",
            case_number="HK-2020-0012",
            case_type=CaseType.SUSPECTED,
            dry_cough=True,
        )
        record = clinic_record(
            observation, record_id=uuid.uuid4(), at_utc=central.clock(), operator_id="nurse-1"
        )
        store.scenes.record(record).result(timeout=10)
        assert _upload_outbox(central, kiosk, store) == ["stored"]
        # sent again (the answer was lost): acknowledged, and the colour rules act once
        again = UploadBatch(
            batch_id=uuid.uuid4(),
            records=[store.scenes.upload_records([str(record.record_id)])[str(record.record_id)]],
        )
        answer = central.client.post(
            PASSAGES_PATH,
            content=again.model_dump_json().encode(),
            auth=kiosk.identity.auth(clock=central.clock),
        )
        assert [r.status.value for r in UploadAck.model_validate_json(answer.content).results] == [
            "duplicate"
        ]
    assert _colour(central, person_id) == "red"
    with session_scope(central.app.state.sessions) as session:
        reasons = [e.reason for e in feed.entries_since(session, 0)]
    assert reasons == ["clinic_visit:fever_clinic", "clinic_visit:suspected"]
