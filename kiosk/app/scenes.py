"""The pharmacy's and clinic's desk (issue 25), without Qt: which form follows a scan, the form
filled from the passage it follows, a person's earlier visits, and the finished form saved.

At a pharmacy every buyer the policy lets buy gets the purchase form (the seller scanned the
code to record the sale); at a fever clinic the registration form opens, and staff may switch
to the observation form. What the screens show of a form is read from the form itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import date, datetime

from healthcode.text import LocalText
from kiosk.checkpoint.clock import local_day
from kiosk.checkpoint.events import PassageRecord
from kiosk.checkpoint.policy import Policy
from kiosk.checkpoint.residence import Gazetteer
from kiosk.checkpoint.scenes import (
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
from kiosk.store import Store
from kiosk.store.scenes import EarlierVisit

SCENE_SCREENS = ("purchase", "clinic")  # the window's names of the two forms


def holder_of(
    record: PassageRecord, *, age: int | None = None, residence: str | None = None
) -> SceneHolder:
    return SceneHolder(
        passage_id=record.record_id,
        issuer=record.issuer,
        code_id=record.code_id,
        masked_name=record.masked_name,
        temperature_celsius=record.temperature_celsius,
        age=age,
        residence=residence,
    )


def first_scene(policy: Policy, record: PassageRecord) -> Scene | None:
    """The form that follows this passage, or None (not this kind of checkpoint, no code, or
    a buyer the pharmacy's policy turns away: the result screen says why)."""
    scenes = scenes_of(policy)
    if not scenes or record.code_id is None:
        return None
    if scenes[0] is Scene.PURCHASE and not may_buy(record.outcome):
        return None
    return scenes[0]


class SceneDesk:
    def __init__(
        self, store: Store, policy: Callable[[], Policy], now: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._policy = policy
        self._now = now

    def form_for(
        self, record: PassageRecord, birth_date: date | None = None, address: str | None = None
    ) -> PurchaseForm | ClinicForm | None:
        """The form after this passage; with the birth date an ID number gave, the age on the
        day of registration decides whether a guardian is asked (no toggle by hand); a clinic's
        residence starts from the ID card's address."""
        scene = first_scene(self._policy(), record)
        if scene is None:
            return None
        age = None if birth_date is None else age_on(birth_date, self.today())
        if scene is Scene.PURCHASE:
            return PurchaseForm(holder_of(record, age=age))
        holder = holder_of(record, age=age, residence=(address or "").strip() or None)
        return ClinicForm(holder, scene, observation_start=self.today())

    def gazetteer(self) -> Gazetteer:
        """The county's towns and villages the residence picker offers (from the policy)."""
        return Gazetteer(self._policy().residence_places)

    def today(self) -> date:
        """The checkpoint's day now (its time zone), from the clock passed in."""
        return local_day(self._now(), self._store.time_zone)

    def earlier_visits(self, form: PurchaseForm | ClinicForm) -> list[EarlierVisit]:
        holder = form.holder
        if holder.issuer is None or holder.code_id is None:
            return []
        return self._store.scenes.earlier_visits(holder.issuer, holder.code_id, self._now())

    def save(self, form: PurchaseForm | ClinicForm, operator_id: str | None) -> Future[str]:
        """Store the finished form and queue it for central (ValueError when incomplete)."""
        record_id, at_utc = uuid.uuid4(), self._now()
        if isinstance(form, PurchaseForm):
            record = purchase_record(
                form, record_id=record_id, at_utc=at_utc, operator_id=operator_id
            )
        else:
            record = clinic_record(
                form, record_id=record_id, at_utc=at_utc, operator_id=operator_id
            )
        return self._store.scenes.record(record)


# What the pharmacy's and clinic's screens say (Chinese first); the categories, case types
# and symptoms carry their own labels (kiosk.checkpoint.scenes).
WORDS = {
    "purchase_title": LocalText("购药登记", "Medicine purchase"),
    "travel_history": LocalText("14天内有无疫区旅居史", "Epidemic area trip?"),
    "fever_contact": LocalText("有无发热人员接触史", "Fever patient contact?"),
    "yes": LocalText("有", "Yes"),
    "no": LocalText("无", "No"),
    "for_other": LocalText("代购", "For another"),
    "patient_phone": LocalText("患者手机号", "Patient's mobile"),
    "type_phone": LocalText("输入患者手机号", "Patient's mobile"),
    "done": LocalText("完成", "Done"),
    "save": LocalText("保存登记", "Save"),
    "cancel": LocalText("取消", "Cancel"),
    "saved": LocalText("已登记", "Recorded"),
    "quantity": LocalText("数量", "Qty"),
    "temperature": LocalText("体温 °C", "Temperature °C"),
    "type_temperature": LocalText("点击输入", "Tap to type"),
    "case_number": LocalText("病例编号", "Case number"),
    "case_short": LocalText("编号", "Case"),
    "temperature_short": LocalText("体温", "Temp."),
    "type_case_number": LocalText("点击输入", "Tap to type"),
    "case_type": LocalText("病例类型与症状", "Case and symptoms"),
    "dry_cough": LocalText("干咳", "Dry cough"),
    "symptoms": LocalText("干咳及其他症状", "Dry cough, other symptoms"),
    "onset": LocalText("发病日期", "Onset"),
    "earlier": LocalText("此前登记", "Earlier visits"),
    "child": LocalText("14岁以下儿童", "Child under 14"),
    "guardian": LocalText("家长姓名（拼音）", "Guardian's name (pinyin)"),
    "none_earlier": LocalText("无此前登记", "No earlier visits"),
    "residence": LocalText("住址", "Residence"),
    "type_residence": LocalText("点击选择住址", "Tap to choose"),
    "pick_town": LocalText("选择乡镇/街道", "Choose the town or street"),
    "pick_village": LocalText("选择村/社区", "Choose the village or community"),
    "no_village": LocalText("不选村/社区", "No village"),
    "type_detail": LocalText("门牌（号、栋、单元、室）", "House (no., building, unit, room)"),
    "no_places": LocalText(
        "本机尚未收到本县街道社区名单，只能输入门牌",
        "This kiosk has not received the county's streets yet: house number only",
    ),
    "back": LocalText("上一步", "Back"),
    "clear": LocalText("清除", "Clear"),
    "previous_page": LocalText("上一页", "Previous"),
    "next_page": LocalText("下一页", "Next"),
}


def demo_filled(form: PurchaseForm | ClinicForm) -> PurchaseForm | ClinicForm:
    """What the demo's staff fill in (`kiosk --demo`): a box of fever medicine, or a fever
    clinic's registration with the measured (or a feverish) temperature; no to both questions."""
    if isinstance(form, PurchaseForm):
        return form.add(MedicineCategory.FEVER).answer(travel_history=False, fever_contact=False)
    measured = form.holder.temperature_celsius
    return replace(
        form,
        temperature_text=f"{measured if measured is not None else 38.2:.1f}",
        travel_history=False,
        fever_contact=False,
    )
