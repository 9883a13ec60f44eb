"""The pharmacy's purchase form (购药登记) for gloved hands: one row per medicine category with
- and + (a quantity of 0 is no line), the two questions as big yes/no toggles, 代购 as a toggle
whose patient's phone is typed on the keypad page, 保存 / 取消 (kiosk.ui.form_frame).

The form itself (`kiosk.checkpoint.scenes.PurchaseForm`) decides what a press does and what is
missing; this widget shows it and forwards presses.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.keypad import KeypadKind
from kiosk.app.scenes import WORDS
from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.scenes import MedicineCategory, PurchaseForm
from kiosk.ui import style
from kiosk.ui.form_frame import FormPage, KeypadPage, YesNo, form_button, heading_text, step_button
from kiosk.ui.i18n import Language
from kiosk.ui.toggle import ToggleButton


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
        self.page = page = FormPage()
        self.title, self.message = page.title, page.message
        self.save, self.cancel = page.save, page.cancel
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
        self.phone_button = form_button()
        self.phone_button.clicked.connect(self._open_keypad)
        answers.addWidget(self.travel)
        answers.addWidget(self.contact)
        other = QHBoxLayout()
        other.addWidget(self.for_other)
        other.addWidget(self.phone_button)
        answers.addLayout(other)
        answers.addStretch(1)
        self.answers = answers
        self.save.clicked.connect(self._save)
        self.cancel.clicked.connect(self.cancelled)
        self.keypad_page = KeypadPage([KeypadKind.PHONE])
        self.keypad = self.keypad_page.keypads[0]
        self.keypad_done = self.keypad_page.done
        self.keypad_page.typed.connect(self._keypad_done)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(page)
        self.pages.addWidget(self.keypad_page)
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
        self.page.clear_problems()
        self.keypad.clear()
        self.pages.setCurrentIndex(0)
        self._update(form)

    def arrange(self, *, portrait: bool) -> None:
        """Medicine beside the questions on a landscape panel, above them on a portrait one."""
        if portrait is self._portrait:
            return
        self._portrait = portrait
        self.page.place(self.medicine, self.answers, portrait=portrait)

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
        return self.page.say_problems(self._form.problems(), self._language)

    def _save(self) -> None:
        if self._say_problems():
            self.saved.emit(self._form)

    def _open_keypad(self) -> None:
        title = WORDS["patient_phone"].get(self._language.value)
        self.keypad_page.open(0, title, self._form.patient_phone)
        self.pages.setCurrentIndex(1)

    def _keypad_done(self, _which: int, text: str) -> None:
        self.pages.setCurrentIndex(0)
        self._update(self._form.with_phone(text))

    def retranslate(self, language: Language) -> None:
        self._language = language
        code = language.value
        for category, label in self.names.items():
            label.setText(category.label.get(code))
        self.travel.retranslate(WORDS["travel_history"], language)
        self.contact.retranslate(WORDS["fever_contact"], language)
        self.for_other.setText(WORDS["for_other"].get(code))
        self.page.retranslate(language)
        self.keypad_page.retranslate(language)
        if self.form is not None:
            self._update(self.form)
        else:
            self.title.setText(WORDS["purchase_title"].get(code))
