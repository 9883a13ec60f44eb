"""The pharmacy and clinic forms (issue 25): edited by touch, refused until complete, stored
sealed with their outbox item, read back for the upload and as a person's earlier visits."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from healthcode.claims import Colour
from kiosk.app.scenes import SceneDesk
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import CheckpointType, default_policy, policy_from_central
from kiosk.checkpoint.scenes import (
    CaseType,
    ClinicForm,
    MedicineCategory,
    PurchaseForm,
    Scene,
    SceneHolder,
    age_on,
    clinic_record,
    may_buy,
    purchase_record,
    scenes_of,
)
from kiosk.store import Store, StoreKeys
from sync.schemas import RecordKind
from tests.kiosk.checkpoint_support import ISSUER, T0, passage

HOLDER = SceneHolder(
    passage_id=uuid.uuid4(),
    issuer=ISSUER,
    code_id=b"\x07" * 16,
    masked_name="张*丰",
    residence="海口市美兰区",
    temperature_celsius=36.6,
)


def finished_purchase() -> PurchaseForm:
    form = PurchaseForm(HOLDER).add(MedicineCategory.FEVER).add(MedicineCategory.COUGH)
    form = form.change(0, +1).answer(travel_history=False, fever_contact=True)
    return form.buying_for_other(True).with_phone("138-0013-8000")


def test_the_policy_loader_keeps_what_central_sends_for_pharmacies_and_clinics() -> None:
    pharmacy = policy_from_central(
        3,
        "pharmacy",
        {
            "yellow_action": "manual_check",
            "green_action": "pass",
            "red_action": "deny",
            "record_purchase": True,
            "fever_action": "refer_for_observation",
        },
    )
    clinic = policy_from_central(4, "clinic", {"fever_action": "register"})
    assert pharmacy.record_purchase and scenes_of(pharmacy) == (Scene.PURCHASE,)
    assert clinic.fever_outcome is Outcome.PASS
    assert scenes_of(clinic) == (Scene.REGISTRATION, Scene.OBSERVATION)
    assert scenes_of(default_policy(CheckpointType.VILLAGE)) == ()
    assert type(pharmacy).from_document(pharmacy.to_document()) == pharmacy


def test_a_yellow_buyer_checked_by_the_seller_may_buy_and_a_red_one_may_not() -> None:
    outcomes = default_policy(CheckpointType.PHARMACY).colour_outcomes
    assert may_buy(outcomes[Colour.GREEN]) and may_buy(outcomes[Colour.YELLOW])
    assert not may_buy(outcomes[Colour.RED])


def test_lines_grow_shrink_and_disappear_with_plus_and_minus() -> None:
    form = PurchaseForm(HOLDER).add(MedicineCategory.FEVER).add(MedicineCategory.FEVER)
    assert [(x.category, x.quantity) for x in form.lines] == [(MedicineCategory.FEVER, 2)]
    form = form.add(MedicineCategory.OTHER).change(0, -1).change(0, -1)
    assert [x.category for x in form.lines] == [MedicineCategory.OTHER]
    assert not form.watched
    assert form.remove(0).lines == ()


def test_a_purchase_is_refused_until_medicine_answers_and_the_patients_phone_are_there() -> None:
    empty = PurchaseForm(HOLDER).buying_for_other(True).with_phone("1380")
    assert [p.en for p in empty.problems()] == [
        "Choose the medicine",
        "Answer both questions",
        "Enter the patient's mobile number",
    ]
    with pytest.raises(ValueError, match="not complete"):
        purchase_record(empty, record_id=uuid.uuid4(), at_utc=T0, operator_id=None)
    assert finished_purchase().problems() == ()


def test_a_child_needs_a_guardian_and_an_observation_a_case_number_and_type() -> None:
    child = ClinicForm(HOLDER.__class__(**{**HOLDER.__dict__, "age": 9}), Scene.OBSERVATION)
    assert [p.en for p in child.problems()] == [
        "Enter the temperature",
        "Enter the guardian's name",
        "Enter the case number",
        "Choose the case type",
    ]
    done = ClinicForm(
        child.holder,
        Scene.OBSERVATION,
        temperature_text="38.4",
        guardian_name="王芳",
        case_number="HK-0012",
        case_type=CaseType.SUSPECTED,
    )
    assert done.problems() == ()


def test_records_are_stored_sealed_and_read_back_for_the_upload_and_as_earlier_visits(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as store:
        purchase = purchase_record(
            finished_purchase(), record_id=uuid.uuid4(), at_utc=T0, operator_id="op-1"
        )
        visits = [
            clinic_record(
                ClinicForm(
                    HOLDER,
                    Scene.OBSERVATION,
                    temperature_text=celsius,
                    case_number="HK-0012",
                    case_type=CaseType.SUSPECTED,
                    dry_cough=True,
                ),
                record_id=uuid.uuid4(),
                at_utc=T0 + timedelta(days=day),
                operator_id="nurse-1",
            )
            for day, celsius in ((1, "38.4"), (2, "37.6"))
        ]
        for record in (purchase, *visits):
            store.scenes.record(record).result(timeout=10)
        batch = store.outbox.outbox_batch(10)
        by_kind = {item.record.kind: item.record for item in batch}
        assert len(batch) == 3
        bought = by_kind[RecordKind.PURCHASE].purchase
        assert bought is not None and bought.patient_phone == "13800138000"
        assert [(x.category, x.quantity) for x in bought.lines] == [("fever", 2), ("cough", 1)]
        assert bought.code_id == HOLDER.code_id and bought.residence == "海口市美兰区"
        raw = (tmp_path / "kiosk.db").read_bytes()
        assert b"13800138000" not in raw and "海口".encode() not in raw
        earlier = store.scenes.earlier_visits(ISSUER, HOLDER.code_id or b"", T0 + timedelta(3))
        assert [(v.kind, v.temperature_celsius) for v in earlier] == [
            ("clinic_visit", 37.6),
            ("clinic_visit", 38.4),
            ("purchase", 36.6),
        ]


def test_acknowledged_records_are_purged_and_waiting_ones_kept(tmp_path: Path) -> None:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as store:
        for _ in range(2):
            record = purchase_record(
                finished_purchase(), record_id=uuid.uuid4(), at_utc=T0, operator_id=None
            )
            store.scenes.record(record).result(timeout=10)
        first, _second = store.outbox.outbox_batch(10)
        store.outbox.settle_outbox([first.outbox_id], []).result(timeout=10)
        assert store.scenes.purge(T0 + timedelta(days=1)).result(timeout=10) == 1
        assert [i.record.kind for i in store.outbox.outbox_batch(10)] == [RecordKind.PURCHASE]


# ------------------------------------------------------------ a child's age from the ID number


def test_age_counts_full_years_on_the_day() -> None:
    assert age_on(date(2012, 11, 24), date(2026, 11, 23)) == 13  # fourteen tomorrow
    assert age_on(date(2012, 11, 23), date(2026, 11, 23)) == 14  # fourteen today
    assert age_on(date(2012, 2, 29), date(2026, 2, 28)) == 13
    assert age_on(date(2012, 2, 29), date(2026, 3, 1)) == 14


@pytest.mark.parametrize(
    ("born", "asked"),
    [(date(2012, 11, 24), True), (date(2012, 11, 23), False), (None, False)],
    ids=["thirteen", "fourteen-today", "no-id-read"],
)
def test_a_clinic_asks_a_guardian_for_a_child_whose_id_number_says_under_14(
    tmp_path: Path, born: date | None, asked: bool
) -> None:
    clinic = default_policy(CheckpointType.CLINIC)
    late_evening = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # 23 November in Shanghai
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as store:
        desk = SceneDesk(store, lambda: clinic, lambda: late_evening)
        record = passage()
        form = desk.form_for(record, born)
    assert isinstance(form, ClinicForm)
    assert form.needs_guardian is asked
    assert form.holder.age == (None if born is None else age_on(born, date(2026, 11, 23)))
    if born is None:  # no ID read: the nurse's toggle still asks
        assert replace(form, child=True).needs_guardian
