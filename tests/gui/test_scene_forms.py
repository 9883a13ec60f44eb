"""The pharmacy's and clinic's forms on the running kiosk (issue 25): a scan at such a checkpoint
opens the form in place of the result, every field is filled by touch (steps, toggles, keypads),
and the saved form waits in the outbox as the upload will send it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from healthcode.identity import check_character
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.checkpoint.residence import Place
from kiosk.checkpoint.scenes import CaseType, MedicineCategory, Scene
from kiosk.ui.app import Kiosk
from sync.schemas import RecordKind, UploadRecord
from tests.gui.kiosk_support import build_kiosk, tap_keys


def _kiosk(
    tmp_path: Path, kind: CheckpointType, qtbot: QtBot, places: tuple[Place, ...] = ()
) -> Kiosk:
    policy = replace(default_policy(kind), temperature_required=False, residence_places=places)
    kiosk, _world, _ = build_kiosk(tmp_path, camera=False, thermometer=False, policy=policy)
    kiosk.world = _world  # type: ignore[attr-defined]
    qtbot.addWidget(kiosk.window)
    kiosk.window.resize(1024, 600)  # the smallest panel: every target still fits gloves
    kiosk.window.show()
    kiosk.start()
    return kiosk


def _tap(qtbot: QtBot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible() and button.isEnabled(), button.text()
    assert min(button.width(), button.height()) >= 90, button.text()  # gloves
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _outbox(kiosk: Kiosk, kind: RecordKind) -> list[UploadRecord]:
    return [i.record for i in kiosk.store.outbox.outbox_batch(50) if i.record.kind is kind]


def test_a_seller_records_a_sale_for_someone_else_by_touch_alone(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk = _kiosk(tmp_path, CheckpointType.PHARMACY, qtbot)
    window = kiosk.window
    try:
        kiosk.bridge.submit_code_text(kiosk.world.case("green").text)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: window.current_screen == "purchase", timeout=10_000)
        panel = kiosk.scenes.purchase
        _tap(qtbot, panel.save)  # nothing chosen yet: the form says what is missing
        assert panel.message.text() == "请选择药品；请回答两个问题"
        for _ in range(3):
            _tap(qtbot, panel.plus[MedicineCategory.FEVER])
        _tap(qtbot, panel.minus[MedicineCategory.FEVER])
        _tap(qtbot, panel.plus[MedicineCategory.COUGH])
        _tap(qtbot, panel.travel.no)
        _tap(qtbot, panel.contact.yes)
        _tap(qtbot, panel.for_other)
        _tap(qtbot, panel.save)
        assert panel.message.text() == "请输入患者手机号"
        _tap(qtbot, panel.phone_button)
        tap_keys(qtbot, panel.keypad, "13800138000")
        _tap(qtbot, panel.keypad_done)
        assert panel.phone_button.text() == "13800138000"
        _tap(qtbot, panel.save)
        qtbot.waitUntil(lambda: window.current_screen == "scan", timeout=10_000)
        (sent,) = _outbox(kiosk, RecordKind.PURCHASE)
        purchase = sent.purchase
        assert purchase is not None
        assert [(x.category, x.quantity) for x in purchase.lines] == [("fever", 2), ("cough", 1)]
        assert (purchase.travel_history, purchase.fever_contact) == (False, True)
        assert purchase.patient_phone == "13800138000"
        assert purchase.masked_name == "张*丰" and purchase.code_id
    finally:
        kiosk.stop()


def test_a_red_code_at_a_pharmacy_shows_the_result_and_no_form(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk = _kiosk(tmp_path, CheckpointType.PHARMACY, qtbot)
    try:
        kiosk.bridge.submit_code_text(kiosk.world.case("red").text)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: kiosk.window.current_screen == "result", timeout=10_000)
        qtbot.waitUntil(lambda: kiosk.window.current_screen == "scan", timeout=10_000)
        assert _outbox(kiosk, RecordKind.PURCHASE) == []
    finally:
        kiosk.stop()


def test_a_nurse_registers_then_observes_and_sees_the_earlier_visit(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk = _kiosk(tmp_path, CheckpointType.CLINIC, qtbot)
    window = kiosk.window
    panel = kiosk.scenes.clinic
    green = kiosk.world.case("green").text  # type: ignore[attr-defined]
    try:
        kiosk.bridge.submit_code_text(green)
        qtbot.waitUntil(lambda: window.current_screen == "clinic", timeout=10_000)
        assert panel.earlier.isHidden()  # a registration: earlier visits are the observation's
        _tap(qtbot, panel.temperature_button)
        tap_keys(qtbot, panel.keypads[0], "384")
        _tap(qtbot, panel.keypad_done)
        _tap(qtbot, panel.travel.no)
        _tap(qtbot, panel.contact.no)
        _tap(qtbot, panel.child)  # a child: the guardian's name, typed on the on-screen keys
        _tap(qtbot, panel.save)
        assert panel.message.text() == "请填写家长姓名"
        _tap(qtbot, panel.guardian)
        keyboard = panel.editor.keyboard
        assert keyboard is not None
        for key in "WANG FANG":
            keyboard.press("space" if key == " " else key)
        _tap(qtbot, panel.editor.done_button)
        assert panel.guardian.text() == "WANG FANG"
        _tap(qtbot, panel.save)
        qtbot.waitUntil(lambda: window.current_screen == "scan", timeout=10_000)

        kiosk.bridge.submit_code_text(green)
        qtbot.waitUntil(lambda: window.current_screen == "clinic", timeout=10_000)
        _tap(qtbot, panel.scene_buttons[Scene.OBSERVATION])
        assert panel.earlier.text().startswith("此前登记 (1): ")
        _tap(qtbot, panel.temperature_button)
        tap_keys(qtbot, panel.keypads[0], "376")
        _tap(qtbot, panel.keypad_done)
        _tap(qtbot, panel.case_number_button)
        tap_keys(qtbot, panel.keypads[1], "2020")
        _tap(qtbot, panel.keypad_done)
        _tap(qtbot, panel.onset_minus)
        _tap(qtbot, panel.details_button)
        _tap(qtbot, panel.case_buttons[CaseType.SUSPECTED])
        _tap(qtbot, panel.cough)
        _tap(qtbot, panel.details_done)
        _tap(qtbot, panel.save)
        qtbot.waitUntil(lambda: window.current_screen == "scan", timeout=10_000)
        visits = [r.clinic for r in _outbox(kiosk, RecordKind.CLINIC_VISIT)]
        assert [(v.visit, v.temperature_celsius) for v in visits if v] == [
            ("registration", 38.4),
            ("observation", 37.6),
        ]
        assert visits[0] is not None and visits[0].guardian_name == "WANG FANG"
        observation = visits[1]
        assert observation is not None
        assert (observation.case_number, observation.case_type) == ("2020", "suspected")
        assert observation.dry_cough and observation.onset_date is not None
    finally:
        kiosk.stop()


def _id_number_born(born: date) -> str:
    body = f"110105{born:%Y%m%d}002"
    return body + check_character(body)


def test_a_child_whose_id_number_is_typed_gets_the_guardians_field_without_a_toggle(
    tmp_path: Path, qtbot: QtBot
) -> None:
    kiosk = _kiosk(tmp_path, CheckpointType.CLINIC, qtbot)
    window = kiosk.window
    panel = kiosk.scenes.clinic
    green = kiosk.world.case("green").text  # type: ignore[attr-defined]
    today = kiosk.scenes.desk.today()  # the kiosk's own day: its clock, not the test's
    nine_years_ago = today.replace(year=today.year - 9, day=min(today.day, 28))
    try:
        kiosk.bridge.submit_manual_id(_id_number_born(nine_years_ago))
        kiosk.bridge.submit_code_text(green)
        qtbot.waitUntil(lambda: window.current_screen == "clinic", timeout=10_000)
        assert panel.form is not None and panel.form.holder.age == 9
        assert panel.child.isChecked() and not panel.child.isEnabled()  # the ID number said
        assert panel.guardian.isEnabled()
        _tap(qtbot, panel.temperature_button)
        tap_keys(qtbot, panel.keypads[0], "372")
        _tap(qtbot, panel.keypad_done)
        _tap(qtbot, panel.travel.no)
        _tap(qtbot, panel.contact.no)
        _tap(qtbot, panel.save)
        assert panel.message.text() == "请填写家长姓名"
        # The next person's form starts unanswered, whatever was touched for this one.
        assert panel.form is not None
        panel.open(replace(panel.form, travel_history=None, fever_contact=None), panel.view, [])
        answers = (panel.travel.yes, panel.travel.no, panel.contact.yes, panel.contact.no)
        assert not any(button.isChecked() for button in answers)
    finally:
        kiosk.stop()


def test_a_nurse_changes_the_residence_from_the_id_card_by_touch_alone(
    tmp_path: Path, qtbot: QtBot
) -> None:
    places = (
        Place("460108", "美兰区"),
        *(Place(f"460108{i:03d}", f"第{i}街道") for i in range(1, 12)),  # two pages of towns
        Place("460108011001", "海甸五西社区"),
    )
    kiosk = _kiosk(tmp_path, CheckpointType.CLINIC, qtbot, places)
    window = kiosk.window
    panel = kiosk.scenes.clinic
    card_address = "海南省海口市美兰区第1街道人民大道58号"
    try:
        before = kiosk.bridge.driver.last_prompt
        kiosk.bridge.driver.post_identity(
            _id_number_born(date(1980, 5, 1)), "王*", address=card_address
        )
        # the card is with the flow before the code (they would come in either order)
        qtbot.waitUntil(lambda: kiosk.bridge.driver.last_prompt is not before, timeout=10_000)
        kiosk.bridge.submit_code_text(kiosk.world.case("green").text)  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: window.current_screen == "clinic", timeout=10_000)
        assert panel.residence_button.label.text() == f"住址: {card_address}"
        _tap(qtbot, panel.residence_button)
        picker = panel.residence_page
        assert picker.shown.text() == "美兰区第1街道"  # where the card's address says
        _tap(qtbot, picker.next)  # the second page of towns
        _tap(qtbot, next(b for b in picker.place_buttons if b.text() == "第11街道"))
        _tap(qtbot, next(b for b in picker.place_buttons if b.text() == "海甸五西社区"))
        for key in ("3", "栋", "5", "0", "1", "室"):
            _tap(qtbot, picker.detail_keys[key])
        _tap(qtbot, picker.done)
        residence = "美兰区第11街道海甸五西社区3栋501室"
        assert panel.residence_button.label.text() == f"住址: {residence}"
        _tap(qtbot, panel.temperature_button)
        tap_keys(qtbot, panel.keypads[0], "385")
        _tap(qtbot, panel.keypad_done)
        _tap(qtbot, panel.travel.no)
        _tap(qtbot, panel.contact.no)
        _tap(qtbot, panel.save)
        qtbot.waitUntil(lambda: window.current_screen == "scan", timeout=10_000)
        (sent,) = _outbox(kiosk, RecordKind.CLINIC_VISIT)
        assert sent.clinic is not None and sent.clinic.residence == residence
    finally:
        kiosk.stop()
