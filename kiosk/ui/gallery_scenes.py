"""The gallery's shots of the pharmacy's and clinic's forms (issue 25): empty, filled with the
most text they show, and each keypad page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.scenes import (
    CaseType,
    ClinicForm,
    MedicineCategory,
    PurchaseForm,
    Scene,
    SceneHolder,
    Symptom,
)
from kiosk.store.scenes import EarlierVisit

if TYPE_CHECKING:
    from kiosk.ui.gallery import Shot

HOLDER = SceneHolder(
    passage_id=uuid.UUID(int=25),
    issuer="460000",
    code_id=b"\x25" * 16,
    masked_name="欧阳*娜",
    temperature_celsius=37.1,
)

SHOWN_AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def scene_shots(window, view: ResultView, shot: type[Shot]) -> list[Shot]:  # type: ignore[no-untyped-def]
    purchase, clinic = window.screens["purchase"], window.screens["clinic"]
    today = clinic._today()

    def show_purchase(form: PurchaseForm, keypad: bool = False) -> Callable[[], None]:
        def show() -> None:
            purchase.open(form, view)
            if keypad:
                purchase.phone_button.click()
            window.show_screen("purchase")

        return show

    def show_clinic(
        form: ClinicForm,
        keypad: int | None = None,
        *,
        details: bool = False,
        guardian: bool = False,
    ) -> Callable[[], None]:
        def show() -> None:
            visits = [
                EarlierVisit(SHOWN_AT - timedelta(days=d), "clinic_visit", 38.0 + d / 10, {})
                for d in (1, 2, 3)
            ]
            clinic.open(form, view, visits)
            if keypad is not None:
                clinic._open_keypad(keypad)
            if details:
                clinic.details_button.click()
            if guardian:
                clinic._edit_guardian()
            window.show_screen("clinic")

        return show

    filled = PurchaseForm(HOLDER)
    for category in MedicineCategory:
        filled = filled.add(category).add(category)
    filled = filled.answer(travel_history=False, fever_contact=True)
    filled = filled.buying_for_other(True).with_phone("13800138000")
    observation = ClinicForm(
        HOLDER,
        Scene.OBSERVATION,
        temperature_text="38.4",
        case_number="20201234",
        case_type=CaseType.CLOSE_CONTACT,
        onset_date=today - timedelta(days=3),
        observation_start=today,
        dry_cough=True,
        symptoms=frozenset(Symptom),
    )
    registration = ClinicForm(
        HOLDER,
        Scene.REGISTRATION,
        temperature_text="38.4",
        travel_history=True,
        child=True,
        guardian_name="OUYANG XIAOMING",
    )
    child_by_id = ClinicForm(replace(HOLDER, age=9), Scene.REGISTRATION, temperature_text="37.2")
    return [
        shot("purchase", True, show_purchase(PurchaseForm(HOLDER))),
        shot("purchase-filled", True, show_purchase(filled)),
        shot("purchase-phone", True, show_purchase(filled, keypad=True)),
        shot("clinic-registration", True, show_clinic(registration)),
        shot("clinic-observation", True, show_clinic(observation)),
        shot("clinic-temperature", True, show_clinic(observation, keypad=0)),
        shot("clinic-case-number", True, show_clinic(observation, keypad=1)),
        shot("clinic-details", True, show_clinic(observation, details=True)),
        shot("clinic-guardian", True, show_clinic(registration, guardian=True)),
        # The ID number said nine years old: the guardian is asked, the toggle shows why.
        shot("clinic-registration-child-by-id", True, show_clinic(child_by_id)),
    ]
