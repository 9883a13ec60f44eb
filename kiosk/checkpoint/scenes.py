"""The pharmacy and fever-clinic scenes (Hainan 购药登记, 发热门诊登记, 医学观察): what staff
fill in after a scan, as immutable forms edited by touch, and who may buy.

Pure: the forms change by methods that return a new form, `problems` says what is still
missing (Chinese and English), and `record` turns a finished form into the record the store
keeps and uploads. No Qt, no I/O.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from healthcode.text import LocalText
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import CheckpointType, Policy

MAX_LINES = 8
MAX_QUANTITY = 99
GUARDIAN_AGE_LIMIT = 14  # 家长姓名一栏针对于14岁以下儿童


def age_on(birth_date: date, day: date) -> int:
    """Full years on `day` (a 29 February birthday comes on 1 March in other years)."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


_MOBILE = re.compile(r"^1\d{10}$")


class Scene(StrEnum):
    PURCHASE = "purchase"  # 购药登记
    REGISTRATION = "registration"  # 发热门诊登记
    OBSERVATION = "observation"  # 医学观察

    @property
    def label(self) -> LocalText:
        return _SCENE_LABELS[self]


_SCENE_LABELS = {
    Scene.PURCHASE: LocalText("购药登记", "Medicine purchase"),
    Scene.REGISTRATION: LocalText("发热门诊登记", "Fever clinic"),
    Scene.OBSERVATION: LocalText("医学观察", "Observation"),
}


def scenes_of(policy: Policy) -> tuple[Scene, ...]:
    """The forms a checkpoint's staff may open after a scan."""
    if policy.record_purchase:
        return (Scene.PURCHASE,)
    if policy.checkpoint_type is CheckpointType.CLINIC:
        return (Scene.REGISTRATION, Scene.OBSERVATION)
    return ()


def may_buy(outcome: Outcome) -> bool:
    """The pharmacy's policy decides who may buy: whoever its colour rules do not turn away (a
    yellow code the seller has checked buys, and the purchase is recorded)."""
    return outcome in {Outcome.PASS, Outcome.MANUAL_CHECK}


class MedicineCategory(StrEnum):
    FEVER = "fever"
    COUGH = "cough"
    ANTIVIRAL = "antiviral"
    OTHER = "other"

    @property
    def label(self) -> LocalText:
        return _CATEGORY_LABELS[self]

    @property
    def watched(self) -> bool:
        """Medicine of this kind makes its buyer someone to watch (the notice: 止咳、退烧)."""
        return self is not MedicineCategory.OTHER


_CATEGORY_LABELS = {
    MedicineCategory.FEVER: LocalText("退烧药", "Fever"),
    MedicineCategory.COUGH: LocalText("止咳药", "Cough"),
    MedicineCategory.ANTIVIRAL: LocalText("抗病毒药", "Antiviral"),
    MedicineCategory.OTHER: LocalText("其他药品", "Other"),
}


class CaseType(StrEnum):
    CONFIRMED = "confirmed"
    SUSPECTED = "suspected"
    ASYMPTOMATIC = "asymptomatic"
    CLOSE_CONTACT = "close_contact"
    OTHER = "other"

    @property
    def label(self) -> LocalText:
        return _CASE_LABELS[self]


_CASE_LABELS = {
    CaseType.CONFIRMED: LocalText("确诊", "Confirmed"),
    CaseType.SUSPECTED: LocalText("疑似", "Suspected"),
    CaseType.ASYMPTOMATIC: LocalText("无症状", "Asymptomatic"),
    CaseType.CLOSE_CONTACT: LocalText("密接", "Close contact"),
    CaseType.OTHER: LocalText("其他", "Other"),
}


class Symptom(StrEnum):
    FATIGUE = "fatigue"
    SORE_THROAT = "sore_throat"
    DIARRHOEA = "diarrhoea"
    SHORT_BREATH = "short_breath"

    @property
    def label(self) -> LocalText:
        return _SYMPTOM_LABELS[self]


_SYMPTOM_LABELS = {
    Symptom.FATIGUE: LocalText("乏力", "Fatigue"),
    Symptom.SORE_THROAT: LocalText("咽痛", "Sore throat"),
    Symptom.DIARRHOEA: LocalText("腹泻", "Diarrhoea"),
    Symptom.SHORT_BREATH: LocalText("气促", "Short of breath"),
}


@dataclass(frozen=True)
class SceneHolder:
    """Whom the form is about: what the scan told (the passage it follows, the code)."""

    passage_id: uuid.UUID | None
    issuer: str | None
    code_id: bytes | None = field(repr=False)
    masked_name: str | None = field(repr=False)
    residence: str | None = field(default=None, repr=False)
    temperature_celsius: float | None = None
    age: int | None = None  # from the ID card when one was read


@dataclass(frozen=True)
class PurchaseLine:
    category: MedicineCategory
    quantity: int = 1


@dataclass(frozen=True)
class PurchaseForm:
    """The seller's form: lines of medicine, the two questions, and 代购."""

    holder: SceneHolder
    lines: tuple[PurchaseLine, ...] = ()
    travel_history: bool | None = None  # 有无疫区旅居史
    fever_contact: bool | None = None  # 有无发热人员接触史
    for_other: bool = False  # 代购
    patient_phone: str = field(default="", repr=False)

    def add(self, category: MedicineCategory) -> PurchaseForm:
        """One more of a category: its line grows, or a new line is added."""
        for index, line in enumerate(self.lines):
            if line.category is category:
                return self.change(index, +1)
        if len(self.lines) >= MAX_LINES:
            return self
        return replace(self, lines=(*self.lines, PurchaseLine(category)))

    def change(self, index: int, step: int) -> PurchaseForm:
        """+1 / -1 on a line; down to zero removes it."""
        line = self.lines[index]
        quantity = min(MAX_QUANTITY, line.quantity + step)
        if quantity <= 0:
            return self.remove(index)
        lines = list(self.lines)
        lines[index] = replace(line, quantity=quantity)
        return replace(self, lines=tuple(lines))

    def remove(self, index: int) -> PurchaseForm:
        return replace(self, lines=self.lines[:index] + self.lines[index + 1 :])

    def answer(
        self, *, travel_history: bool | None = None, fever_contact: bool | None = None
    ) -> PurchaseForm:
        return replace(
            self,
            travel_history=self.travel_history if travel_history is None else travel_history,
            fever_contact=self.fever_contact if fever_contact is None else fever_contact,
        )

    def buying_for_other(self, yes: bool) -> PurchaseForm:
        return replace(self, for_other=yes, patient_phone=self.patient_phone if yes else "")

    def with_phone(self, digits: str) -> PurchaseForm:
        return replace(self, patient_phone="".join(c for c in digits if c.isdigit())[:11])

    @property
    def watched(self) -> bool:
        return any(line.category.watched for line in self.lines)

    def problems(self) -> tuple[LocalText, ...]:
        found: list[LocalText] = []
        if not self.lines:
            found.append(LocalText("请选择药品", "Choose the medicine"))
        if self.travel_history is None or self.fever_contact is None:
            found.append(LocalText("请回答两个问题", "Answer both questions"))
        if self.for_other and not _MOBILE.match(self.patient_phone):
            found.append(LocalText("请输入患者手机号", "Enter the patient's mobile number"))
        return tuple(found)


@dataclass(frozen=True)
class ClinicForm:
    """A fever-clinic registration or one observation visit, filled by the nurse."""

    holder: SceneHolder
    scene: Scene
    temperature_text: str = ""  # typed by the nurse on the keypad (e.g. "38.2")
    residence: str = field(default="", repr=False)
    guardian_name: str = field(default="", repr=False)
    travel_history: bool | None = None
    fever_contact: bool | None = None
    case_number: str = ""
    case_type: CaseType | None = None
    onset_date: date | None = None
    observation_start: date | None = None
    dry_cough: bool = False
    symptoms: frozenset[Symptom] = frozenset()
    child: bool = False  # under 14, told by the nurse when no ID card gave the age

    @property
    def needs_guardian(self) -> bool:
        age = self.holder.age
        return self.child or (age is not None and age < GUARDIAN_AGE_LIMIT)

    @property
    def temperature(self) -> float | None:
        try:
            value = float(self.temperature_text)
        except ValueError:
            return None
        return value if 34.0 <= value <= 43.0 else None

    def toggle_symptom(self, symptom: Symptom) -> ClinicForm:
        return replace(self, symptoms=self.symptoms ^ {symptom})

    def problems(self) -> tuple[LocalText, ...]:
        found: list[LocalText] = []
        if self.temperature is None:
            found.append(LocalText("请输入体温", "Enter the temperature"))
        if self.needs_guardian and not self.guardian_name.strip():
            found.append(LocalText("请填写家长姓名", "Enter the guardian's name"))
        if self.scene is Scene.REGISTRATION:
            if self.travel_history is None or self.fever_contact is None:
                found.append(LocalText("请回答两个问题", "Answer both questions"))
        else:
            if not self.case_number.strip():
                found.append(LocalText("请输入病例编号", "Enter the case number"))
            if self.case_type is None:
                found.append(LocalText("请选择病例类型", "Choose the case type"))
        return tuple(found)


@dataclass(frozen=True)
class SceneRecord:
    """A finished form as stored and uploaded (`kind`: purchase or clinic_visit)."""

    record_id: uuid.UUID
    at_utc: datetime
    operator_id: str | None
    kind: str
    holder: SceneHolder
    details: dict[str, object] = field(repr=False)


def purchase_record(
    form: PurchaseForm, *, record_id: uuid.UUID, at_utc: datetime, operator_id: str | None
) -> SceneRecord:
    if form.problems():
        raise ValueError("the purchase form is not complete")
    details: dict[str, object] = {
        "lines": [{"category": x.category.value, "quantity": x.quantity} for x in form.lines],
        "travel_history": bool(form.travel_history),
        "fever_contact": bool(form.fever_contact),
        "patient_phone": form.patient_phone if form.for_other else None,
    }
    return SceneRecord(record_id, at_utc, operator_id, "purchase", form.holder, details)


def clinic_record(
    form: ClinicForm, *, record_id: uuid.UUID, at_utc: datetime, operator_id: str | None
) -> SceneRecord:
    if form.problems():
        raise ValueError("the clinic form is not complete")
    holder = replace(
        form.holder,
        temperature_celsius=form.temperature,
        residence=form.residence.strip() or form.holder.residence,
    )
    details: dict[str, object] = {
        "visit": form.scene.value,
        "guardian_name": (form.guardian_name.strip() or None) if form.needs_guardian else None,
        "travel_history": bool(form.travel_history),
        "fever_contact": bool(form.fever_contact),
        "case_number": form.case_number.strip() or None,
        "case_type": form.case_type.value if form.case_type else None,
        "onset_date": form.onset_date.isoformat() if form.onset_date else None,
        "observation_start": (
            form.observation_start.isoformat()
            if form.observation_start and form.scene is Scene.OBSERVATION
            else None
        ),
        "dry_cough": form.dry_cough,
        "other_symptoms": sorted(s.value for s in form.symptoms),
    }
    return SceneRecord(record_id, at_utc, operator_id, "clinic_visit", holder, details)
