"""The gallery's shots of the pharmacy's and clinic's forms (issue 25): empty, filled with the
most text they show, and each keypad page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.residence import Gazetteer, Place
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
CARD_ADDRESS = "海南省海口市美兰区海甸街道海甸五西社区人民大道58号3栋501室"  # a card holds 35

# A county as central's policy sends it: more towns than one page holds, the longest names.
_TOWNS = (
    ("人民路街道", "Renminlu Subdistrict"),
    ("海甸街道", "Haidian Subdistrict"),
    ("白沙街道", "Baisha Subdistrict"),
    ("新埠街道", "Xinbu Subdistrict"),
    ("博爱街道", "Bo'ai Subdistrict"),
    ("和平南街道", "Hepingnan Subdistrict"),
    ("白龙街道", "Bailong Subdistrict"),
    ("蓝天街道", "Lantian Subdistrict"),
    ("灵山镇", "Lingshan Town"),
    ("演丰镇", "Yanfeng Town"),
    ("三江镇", "Sanjiang Town"),
    ("大致坡镇", "Dazhipo Town"),
)
GAZETTEER = Gazetteer(
    (
        Place("460108", "美兰区", "Meilan District"),
        *(Place(f"460108{i:03d}", zh, en) for i, (zh, en) in enumerate(_TOWNS, start=1)),
        *(
            Place(f"460108002{i:03d}", f"海甸{n}社区", f"Haidian {e} Community")
            for i, (n, e) in enumerate(
                (("一", "No. 1"), ("二", "No. 2"), ("三", "No. 3"), ("五西", "Wuxi")), start=1
            )
        ),
    )
)


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
        residence: str = "",
    ) -> Callable[[], None]:
        def show() -> None:
            visits = [
                EarlierVisit(SHOWN_AT - timedelta(days=d), "clinic_visit", 38.0 + d / 10, {})
                for d in (1, 2, 3)
            ]
            clinic.open(form, view, visits, GAZETTEER)
            if residence:  # "towns", "villages" or the detail's keys to press
                clinic.residence_button.click()
                page = clinic.residence_page
                if residence != "towns":
                    page.place_buttons[1].click()  # 海甸街道
                if residence not in {"towns", "villages"}:
                    page.place_buttons[3].click()  # 海甸五西社区
                    for key in ("3", "栋", "2", "单元", "5", "0", "1", "室"):
                        page.detail_keys[key].click()
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
    card_address = ClinicForm(
        replace(HOLDER, residence=CARD_ADDRESS),
        Scene.REGISTRATION,
        temperature_text="38.4",
    )
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
        # The residence: the ID card's address first, then picked and typed by touch.
        shot("clinic-residence-card", True, show_clinic(card_address)),
        shot("clinic-residence-towns", True, show_clinic(registration, residence="towns")),
        shot("clinic-residence-villages", True, show_clinic(registration, residence="villages")),
        shot("clinic-residence-detail", True, show_clinic(registration, residence="detail")),
    ]
