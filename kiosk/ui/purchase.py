"""The pharmacy's purchase form (购药登记) for gloved hands: one row per medicine category with
- and + (a quantity of 0 is no line), the two questions as big yes/no toggles, 代购 as a toggle
whose patient's phone is typed on the keypad page, 保存 / 取消.

The form itself (`kiosk.checkpoint.scenes.PurchaseForm`) decides what a press does and what is
missing; this widget shows it and forwards presses.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from healthcode.text import LocalText
from kiosk.app.keypad import KeypadKind
from kiosk.app.scenes import WORDS
from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.scenes import MedicineCategory, PurchaseForm, SceneHolder
from kiosk.ui import style
from kiosk.ui.i18n import Language
from kiosk.ui.keypad import Keypad
from kiosk.ui.toggle import ToggleButton

STEP_STYLE = (
    f"QPushButton {{ min-height: {style.GLOVE_TARGET_PX}px; min-width: {style.GLOVE_TARGET_PX}px;"
    f" font-size: 30pt; font-weight: bold; border-radius: 10px; padding: 0px;"
    f" background: #FFFFFF; border: 2px solid #90A4AE; color: {style.TEXT}; }}"
    " QPushButton:pressed { background: #CFD8DC; }"
)


def step_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setStyleSheet(STEP_STYLE)
    button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return button


class YesNo(QWidget):
    """A question answered by two big toggles; None until one is touched."""

    answered = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.question = QLabel()
        self.question.setFont(style.font(style.BODY_PT, bold=True))
        self.question.setWordWrap(True)
        self.yes, self.no = ToggleButton(), ToggleButton()
        self._group = group = QButtonGroup(self)
        for answer, button in ((True, self.yes), (False, self.no)):
            group.addButton(button)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, a=answer: self.answered.emit(a))
        layout.addWidget(self.question, 1)
        layout.addWidget(self.yes)
        layout.addWidget(self.no)

    def show_answer(self, answer: bool | None) -> None:
        # An exclusive group keeps its checked button: the next person's form starts unanswered.
        self._group.setExclusive(False)
        for button, value in ((self.yes, True), (self.no, False)):
            button.setChecked(answer is value)
        self._group.setExclusive(True)

    def retranslate(self, question: LocalText, language: Language) -> None:
        self.question.setText(question.get(language.value))
        self.yes.setText(WORDS["yes"].get(language.value))
        self.no.setText(WORDS["no"].get(language.value))


def heading_text(
    title: LocalText, holder: SceneHolder, view: ResultView | None, language: str
) -> str:
    """The form's title, then whom it is about: masked name, colour and outcome, temperature."""
    parts = [title.get(language), holder.masked_name or ""]
    if view is not None and view.colour is not None:
        parts.append(f"{view.colour.label.get(language)}·{view.outcome.label.get(language)}")
    if holder.temperature_celsius is not None:
        parts.append(f"{holder.temperature_celsius:.1f} °C")
    return "  ".join(part for part in parts if part)


class PurchasePanel(QWidget):
    """The seller's form; `saved(form)` once it is complete, `cancelled()` otherwise."""

    saved = Signal(object)  # PurchaseForm
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")
        self.form: PurchaseForm | None = None
        self.view: ResultView | None = None  # the scan's result, said in the heading
        self._language = Language.ZH
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(8)
        self.title = QLabel()
        self.title.setFont(style.font(style.BODY_PT + 6, bold=True))
        self.title.setWordWrap(True)
        self.message = QLabel()
        self.message.setFont(style.font(style.BODY_PT, bold=True))
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {style.STATUS_BAD};")
        self.message.hide()  # shown with what is missing after 保存: no room kept for it
        outer.addWidget(self.title)
        outer.addWidget(self.message)
        self.columns = QGridLayout()
        self.columns.setSpacing(12)
        medicine = QGridLayout()
        medicine.setSpacing(8)
        self.names: dict[MedicineCategory, QLabel] = {}
        self.counts: dict[MedicineCategory, QLabel] = {}
        self.minus: dict[MedicineCategory, QPushButton] = {}
        self.plus: dict[MedicineCategory, QPushButton] = {}
        for row, category in enumerate(MedicineCategory):
            name, count = QLabel(), QLabel()
            name.setFont(style.font(style.BODY_PT + 2, bold=True))
            count.setFont(style.font(style.BODY_PT + 6, bold=True))
            count.setAlignment(Qt.AlignmentFlag.AlignCenter)
            count.setMinimumWidth(60)
            minus, plus = step_button("−"), step_button("+")
            minus.clicked.connect(lambda _=False, c=category: self._step(c, -1))
            plus.clicked.connect(lambda _=False, c=category: self._step(c, +1))
            medicine.addWidget(name, row, 0)
            medicine.addWidget(minus, row, 1)
            medicine.addWidget(count, row, 2)
            medicine.addWidget(plus, row, 3)
            self.names[category], self.counts[category] = name, count
            self.minus[category], self.plus[category] = minus, plus
        medicine.setColumnStretch(0, 1)
        self.medicine = medicine
        answers = QVBoxLayout()
        answers.setSpacing(8)
        self.travel, self.contact = YesNo(), YesNo()
        self.travel.answered.connect(lambda a: self._update(self._form.answer(travel_history=a)))
        self.contact.answered.connect(lambda a: self._update(self._form.answer(fever_contact=a)))
        self.for_other = ToggleButton()
        self.for_other.clicked.connect(
            lambda checked: self._update(self._form.buying_for_other(checked))
        )
        self.phone_button = QPushButton()
        self.phone_button.setStyleSheet(style.BUTTON_STYLE)
        self.phone_button.clicked.connect(self._open_keypad)
        answers.addWidget(self.travel)
        answers.addWidget(self.contact)
        other = QHBoxLayout()
        other.addWidget(self.for_other)
        other.addWidget(self.phone_button)
        answers.addLayout(other)
        answers.addStretch(1)
        self.answers = answers
        outer.addLayout(self.columns, 1)
        actions = QHBoxLayout()
        self.save = QPushButton()
        self.cancel = QPushButton()
        for button in (self.save, self.cancel):
            button.setStyleSheet(style.BUTTON_STYLE)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            actions.addWidget(button)
        self.save.clicked.connect(self._save)
        self.cancel.clicked.connect(self.cancelled)
        outer.addLayout(actions)
        keypad_page = QWidget()
        keypad_layout = QVBoxLayout(keypad_page)
        keypad_layout.setContentsMargins(8, 8, 8, 8)
        self.phone_title = QLabel()
        self.phone_title.setFont(style.font(style.BODY_PT + 4, bold=True))
        self.phone_shown = QLabel()
        self.phone_shown.setFont(style.font(style.BODY_PT + 12, bold=True))
        self.keypad = Keypad(KeypadKind.PHONE)
        self.keypad.changed.connect(self.phone_shown.setText)
        self.keypad_done = QPushButton()
        self.keypad_done.setStyleSheet(style.BUTTON_STYLE)
        self.keypad_done.clicked.connect(self._keypad_done)
        typed_row = QHBoxLayout()
        typed_row.addWidget(self.phone_title)
        typed_row.addWidget(self.phone_shown, 1)
        keypad_layout.addLayout(typed_row)
        keypad_layout.addWidget(self.keypad, 1)
        keypad_layout.addWidget(self.keypad_done)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(page)
        self.pages.addWidget(keypad_page)
        self.pages.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._portrait: bool | None = None
        self.arrange(portrait=False)
        self.retranslate(Language.ZH)

    # ------------------------------------------------------------ showing a form

    @property
    def _form(self) -> PurchaseForm:
        assert self.form is not None  # noqa: S101 - only touched while a form is open
        return self.form

    def open(self, form: PurchaseForm, view: ResultView | None = None) -> None:
        self.view = view
        self.message.clear()
        self.message.hide()
        self.keypad.clear()
        self.pages.setCurrentIndex(0)
        self._update(form)

    def arrange(self, *, portrait: bool) -> None:
        """Medicine beside the questions on a landscape panel, above them on a portrait one."""
        if portrait is self._portrait:
            return
        self._portrait = portrait
        for layout in (self.medicine, self.answers):
            self.columns.removeItem(layout)
        self.columns.addLayout(self.medicine, 0, 0)
        self.columns.addLayout(self.answers, *((1, 0) if portrait else (0, 1)))
        self.columns.setColumnStretch(1, 0 if portrait else 2)

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.arrange(portrait=event.size().height() > event.size().width())
        super().resizeEvent(event)

    def _step(self, category: MedicineCategory, step: int) -> None:
        form = self._form
        index = next((i for i, x in enumerate(form.lines) if x.category is category), None)
        if step > 0:
            self._update(form.add(category))
        elif index is not None:
            self._update(form.change(index, step))

    def _update(self, form: PurchaseForm) -> None:
        self.form = form
        language = self._language.value
        holder = form.holder
        self.title.setText(heading_text(WORDS["purchase_title"], holder, self.view, language))
        quantities = {line.category: line.quantity for line in form.lines}
        for category in MedicineCategory:
            self.counts[category].setText(str(quantities.get(category, 0)))
            self.minus[category].setEnabled(category in quantities)
        self.travel.show_answer(form.travel_history)
        self.contact.show_answer(form.fever_contact)
        self.for_other.setChecked(form.for_other)
        self.phone_button.setEnabled(form.for_other)
        self.phone_button.setText(
            form.patient_phone if form.patient_phone else WORDS["type_phone"].get(language)
        )
        if self.message.text():
            self._say_problems()

    def _say_problems(self) -> bool:
        problems = self._form.problems()
        self.message.setText("；".join(p.get(self._language.value) for p in problems))
        self.message.setVisible(bool(problems))
        return not problems

    def _save(self) -> None:
        if self._say_problems():
            self.saved.emit(self._form)

    def _open_keypad(self) -> None:
        self.keypad.clear()
        self.keypad.type_text(self._form.patient_phone)
        self.phone_shown.setText(self._form.patient_phone)
        self.pages.setCurrentIndex(1)

    def _keypad_done(self) -> None:
        self.pages.setCurrentIndex(0)
        self._update(self._form.with_phone(self.keypad.text()))

    def retranslate(self, language: Language) -> None:
        self._language = language
        code = language.value
        for category, label in self.names.items():
            label.setText(category.label.get(code))
        self.travel.retranslate(WORDS["travel_history"], language)
        self.contact.retranslate(WORDS["fever_contact"], language)
        self.for_other.setText(WORDS["for_other"].get(code))
        self.save.setText(WORDS["save"].get(code))
        self.cancel.setText(WORDS["cancel"].get(code))
        self.phone_title.setText(WORDS["patient_phone"].get(code))
        self.keypad_done.setText(WORDS["done"].get(code))
        self.keypad.retranslate(language)
        if self.form is not None:
            self._update(self.form)
        else:
            self.title.setText(WORDS["purchase_title"].get(code))
