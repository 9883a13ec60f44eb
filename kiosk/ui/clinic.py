"""The fever clinic's forms for gloved hands (发热门诊登记, 医学观察): the nurse switches between
registration and observation, types the temperature and the case number on keypad pages, picks
the residence on its own page (kiosk.ui.residence: it starts from the ID card's address), and
answers the rest by toggles; the onset date moves by a day with - and +. The person's earlier
visits at this kiosk are listed under the title (an observation is kept over several visits).
The page's frame, keypad page and yes/no questions are kiosk.ui.form_frame's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.app.keypad import KeypadKind, temperature_value
from kiosk.app.scenes import WORDS
from kiosk.app.text_keys import TextKind
from kiosk.app.viewstate import ResultView
from kiosk.checkpoint.residence import Gazetteer, choice_from
from kiosk.checkpoint.scenes import CaseType, ClinicForm, Scene, Symptom
from kiosk.store.scenes import EarlierVisit
from kiosk.ui import style
from kiosk.ui.form_frame import (
    FormPage,
    KeypadPage,
    WrappingButton,
    YesNo,
    form_button,
    heading_text,
    step_button,
)
from kiosk.ui.i18n import Language
from kiosk.ui.provisioning_entry import Entry, FieldEditor, TouchOpens
from kiosk.ui.residence import ResidencePage
from kiosk.ui.toggle import ToggleButton

MAIN, KEYPAD, DETAILS, GUARDIAN, RESIDENCE = range(5)  # the panel's pages


class ClinicPanel(QWidget):
    saved = Signal(object)  # ClinicForm
    cancelled = Signal()

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"background: {style.SURFACE}; color: {style.TEXT};")
        self._today = today
        self.form: ClinicForm | None = None
        self.view: ResultView | None = None
        self.visits: list[EarlierVisit] = []
        self.gazetteer = Gazetteer()
        self._language = Language.ZH
        self.page = page = FormPage()
        self.title, self.message = page.title, page.message
        self.save, self.cancel = page.save, page.cancel
        self.earlier = QLabel()
        self.earlier.setFont(style.font(style.BODY_PT - 2))
        self.earlier.setWordWrap(True)
        page.lines.addWidget(self.earlier)
        # left: which form, the typed values, the onset date
        left = QVBoxLayout()
        left.setSpacing(8)
        self.scene_buttons = {
            scene: ToggleButton() for scene in (Scene.REGISTRATION, Scene.OBSERVATION)
        }
        scenes = QHBoxLayout()
        group = QButtonGroup(self)
        for scene, button in self.scene_buttons.items():
            group.addButton(button)
            scenes.addWidget(button)
            button.clicked.connect(
                lambda _=False, s=scene: self._update(replace(self._form, scene=s))
            )
        page.heading.addLayout(scenes)  # beside the title: the form keeps the height
        self.temperature_button = form_button()
        self.case_number_button = form_button()
        # the residence (picked on a page of its own): the rest of the column, for a long address
        self.residence_button = WrappingButton()
        self.residence_button.setMaximumHeight(3 * style.GLOVE_TARGET_PX)
        left.addWidget(self.temperature_button)
        left.addWidget(self.residence_button, 1)
        self.temperature_button.clicked.connect(lambda: self._open_keypad(0))
        self.case_number_button.clicked.connect(lambda: self._open_keypad(1))
        self.residence_button.clicked.connect(self._open_residence)
        onset = QHBoxLayout()
        self.onset_minus, self.onset_plus = step_button("−"), step_button("+")
        self.onset_label = QLabel()
        self.onset_label.setFont(style.font(style.BODY_PT, bold=True))
        self.onset_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.onset_minus.clicked.connect(lambda: self._move_onset(-1))
        self.onset_plus.clicked.connect(lambda: self._move_onset(+1))
        onset.addWidget(self.onset_minus)
        onset.addWidget(self.onset_label, 1)
        onset.addWidget(self.onset_plus)
        self.onset_row = QWidget()
        self.onset_row.setLayout(onset)
        onset.setContentsMargins(0, 0, 0, 0)
        # right: the questions (registration) or the case and its symptoms (observation)
        right = QVBoxLayout()
        right.setSpacing(8)
        self.travel, self.contact = YesNo(), YesNo()
        self.travel.answered.connect(lambda a: self._update(replace(self._form, travel_history=a)))
        self.contact.answered.connect(lambda a: self._update(replace(self._form, fever_contact=a)))
        right.addWidget(self.travel)
        right.addWidget(self.contact)
        # a child's guardian: the name typed on the on-screen keys (pinyin, as on a passport)
        self.child = ToggleButton()
        self.child.clicked.connect(lambda on: self._update(replace(self._form, child=on)))
        self.guardian = QLineEdit()
        self.guardian.setReadOnly(True)  # typed on the editor page, never a system keyboard
        self.guardian.setFont(style.font(style.BODY_PT))
        self.guardian.setMinimumHeight(style.GLOVE_TARGET_PX)
        TouchOpens(self.guardian, self._edit_guardian)
        guardian_row = QHBoxLayout()
        guardian_row.addWidget(self.child)
        guardian_row.addWidget(self.guardian, 1)
        self.guardian_row = QWidget()
        self.guardian_row.setLayout(guardian_row)
        guardian_row.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.guardian_row)
        self.case_buttons = {case: ToggleButton() for case in CaseType}
        cases = QButtonGroup(self)
        for case, button in self.case_buttons.items():
            cases.addButton(button)
            button.clicked.connect(
                lambda _=False, c=case: self._update(replace(self._form, case_type=c))
            )
        self.cough = ToggleButton()
        self.cough.clicked.connect(lambda on: self._update(replace(self._form, dry_cough=on)))
        self.symptom_buttons = {symptom: ToggleButton() for symptom in Symptom}
        for symptom, button in self.symptom_buttons.items():
            button.clicked.connect(
                lambda _=False, s=symptom: self._update(self._form.toggle_symptom(s))
            )
        # the case type, dry cough and other symptoms: a page of their own (room for gloves)
        self.details_button = form_button()
        self.details_button.clicked.connect(lambda: self.pages.setCurrentIndex(DETAILS))
        right.addWidget(self.case_number_button)
        right.addWidget(self.onset_row)
        right.addWidget(self.details_button)
        right.addStretch(1)
        self.left, self.right = left, right
        self.save.clicked.connect(self._save)
        self.cancel.clicked.connect(self.cancelled)
        # the keypad page: the temperature or the case number
        self.keypad_page = KeypadPage([KeypadKind.TEMPERATURE, KeypadKind.PHONE])
        self.keypads, self.keypad_done = self.keypad_page.keypads, self.keypad_page.done
        self.keypad_page.typed.connect(self._keypad_done)
        details_page = QWidget()
        details = QVBoxLayout(details_page)
        details.setContentsMargins(8, 8, 8, 8)
        self.details_title = QLabel()
        self.details_title.setFont(style.font(style.BODY_PT + 4, bold=True))
        self.details_grid = QGridLayout()
        self.details_grid.setSpacing(8)
        self.details_done = form_button()
        self.details_done.clicked.connect(lambda: self.pages.setCurrentIndex(MAIN))
        details.addLayout(self.details_grid)
        details.addStretch(1)
        closing = QHBoxLayout()  # the page's title beside 完成: the toggles get the height
        closing.addWidget(self.details_title, 1)
        closing.addWidget(self.details_done, 1)
        details.addLayout(closing)
        self.pages = QStackedLayout(self)
        self.pages.addWidget(page)
        self.pages.addWidget(self.keypad_page)
        self.pages.addWidget(details_page)
        self.editor = FieldEditor()
        self.editor.finished.connect(self._guardian_typed)
        self.pages.addWidget(self.editor)
        self.residence_page = ResidencePage()
        self.residence_page.finished.connect(self._residence_picked)
        self.pages.addWidget(self.residence_page)
        self.pages.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._portrait: bool | None = None
        self.arrange(portrait=False)
        self.retranslate(Language.ZH)

    @property
    def _form(self) -> ClinicForm:
        assert self.form is not None  # noqa: S101 - only touched while a form is open
        return self.form

    def open(
        self,
        form: ClinicForm,
        view: ResultView | None = None,
        visits: list[EarlierVisit] | None = None,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.view, self.visits = view, list(visits or [])
        if gazetteer is not None:
            self.gazetteer = gazetteer
        self.page.clear_problems()
        self.pages.setCurrentIndex(MAIN)
        self._update(form)

    def arrange(self, *, portrait: bool) -> None:
        if portrait is self._portrait:
            return
        self._portrait = portrait
        self.page.place(self.left, self.right, portrait=portrait)
        toggles = [*self.case_buttons.values(), self.cough, *self.symptom_buttons.values()]
        for button in toggles:
            self.details_grid.removeWidget(button)
        columns = 2 if portrait else 3
        for index, button in enumerate(toggles):
            self.details_grid.addWidget(button, *divmod(index, columns))

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.arrange(portrait=event.size().height() > event.size().width())
        super().resizeEvent(event)

    def _edit_guardian(self) -> None:
        if not self.guardian.isEnabled():
            return
        caption = WORDS["guardian"].get(self._language.value)
        self.editor.open(Entry(self.guardian, caption, TextKind.NAME))
        self.pages.setCurrentIndex(GUARDIAN)

    def _guardian_typed(self) -> None:
        self.pages.setCurrentIndex(MAIN)
        if self.form is not None:
            self._update(replace(self._form, guardian_name=self.guardian.text()))

    def _move_onset(self, days: int) -> None:
        onset = (self._form.onset_date or self._today()) + timedelta(days=days)
        self._update(replace(self._form, onset_date=min(onset, self._today())))

    def _open_residence(self) -> None:
        """The picker starts from the county and what the ID card's address names."""
        address = self._form.residence or self._form.holder.residence
        self.residence_page.open(self.gazetteer, choice_from(self.gazetteer, address))
        self.pages.setCurrentIndex(RESIDENCE)

    def _residence_picked(self, text: str | None) -> None:
        self.pages.setCurrentIndex(MAIN)
        if text is not None and self.form is not None:
            self._update(replace(self._form, residence=text))

    def _open_keypad(self, which: int) -> None:
        current = self._form.temperature_text if which == 0 else self._form.case_number
        title = WORDS["temperature" if which == 0 else "case_number"].get(self._language.value)
        self.keypad_page.open(which, title, current)
        self.pages.setCurrentIndex(KEYPAD)

    def _keypad_done(self, which: int, text: str) -> None:
        self.pages.setCurrentIndex(MAIN)
        if which == 0:
            value = temperature_value(text)
            self._update(
                replace(self._form, temperature_text="" if value is None else f"{value:.1f}")
            )
        else:
            self._update(replace(self._form, case_number=text))

    def _update(self, form: ClinicForm) -> None:
        self.form = form
        code = self._language.value
        observing = form.scene is Scene.OBSERVATION
        holder = replace(form.holder, temperature_celsius=form.temperature)
        self.title.setText(heading_text(form.scene.label, holder, self.view, code))
        for scene, button in self.scene_buttons.items():
            button.setChecked(scene is form.scene)
        self.travel.setVisible(not observing)
        self.contact.setVisible(not observing)
        self.guardian_row.setVisible(not observing)
        # With an ID number the age decides (shown, not touched); without one the nurse says.
        age_known = form.holder.age is not None
        self.child.setChecked(form.needs_guardian if age_known else form.child)
        self.child.setEnabled(not age_known)
        self.guardian.setEnabled(form.needs_guardian)
        self.guardian.setText(form.guardian_name if form.needs_guardian else "")
        self.guardian.setPlaceholderText(WORDS["guardian"].get(code) if form.needs_guardian else "")
        self.details_button.setVisible(observing)
        self.case_number_button.setVisible(observing)
        self.onset_row.setVisible(observing)
        self.travel.show_answer(form.travel_history)
        self.contact.show_answer(form.fever_contact)
        for case, button in self.case_buttons.items():
            button.setChecked(case is form.case_type)
        self.cough.setChecked(form.dry_cough)
        for symptom, button in self.symptom_buttons.items():
            button.setChecked(symptom in form.symptoms)
        celsius = (
            f"{form.temperature:.1f} °C"
            if form.temperature
            else WORDS["type_temperature"].get(code)
        )
        self.temperature_button.setText(f"{WORDS['temperature_short'].get(code)} {celsius}")
        residence = form.residence or form.holder.residence or WORDS["type_residence"].get(code)
        self.residence_button.set_wrapped_text(f"{WORDS['residence'].get(code)}: {residence}")
        number = form.case_number or WORDS["type_case_number"].get(code)
        self.case_number_button.setText(f"{WORDS['case_short'].get(code)} {number}")
        onset = form.onset_date.isoformat() if form.onset_date else "—"
        self.onset_label.setText(f"{WORDS['onset'].get(code)} {onset}")
        self.onset_plus.setEnabled(form.onset_date is not None and form.onset_date < self._today())
        self.earlier.setText(self._earlier_text(code))
        self.earlier.setVisible(observing)  # the visits an observation continues
        chosen = [form.case_type.label.get(code)] if form.case_type else []
        chosen += [WORDS["dry_cough"].get(code)] if form.dry_cough else []
        chosen += [s.label.get(code) for s in Symptom if s in form.symptoms]
        self.details_button.setText(
            f"{WORDS['case_type'].get(code)}: {len(chosen)}"
            if chosen
            else WORDS["case_type"].get(code)
        )
        if self.message.text():
            self._say_problems()

    def _earlier_text(self, code: str) -> str:
        if not self.visits:
            return WORDS["none_earlier"].get(code)
        shown = [
            f"{v.at_utc:%m-%d} {v.temperature_celsius:.1f} °C"
            if v.temperature_celsius is not None
            else f"{v.at_utc:%m-%d}"
            for v in self.visits[:4]
        ]
        return f"{WORDS['earlier'].get(code)} ({len(self.visits)}): " + ", ".join(shown)

    def _say_problems(self) -> bool:
        return self.page.say_problems(self._form.problems(), self._language)

    def _save(self) -> None:
        if self._say_problems():
            self.saved.emit(self._form)

    def retranslate(self, language: Language) -> None:
        self._language = language
        code = language.value
        for scene, button in self.scene_buttons.items():
            button.setText(scene.label.get(code))
        for case, button in self.case_buttons.items():
            button.setText(case.label.get(code))
        for symptom, button in self.symptom_buttons.items():
            button.setText(symptom.label.get(code))
        self.cough.setText(WORDS["dry_cough"].get(code))
        self.child.setText(WORDS["child"].get(code))
        self.editor.retranslate(language)
        self.travel.retranslate(WORDS["travel_history"], language)
        self.contact.retranslate(WORDS["fever_contact"], language)
        self.page.retranslate(language)
        self.keypad_page.retranslate(language)
        self.residence_page.retranslate(language)
        self.details_done.setText(WORDS["done"].get(code))
        self.details_title.setText(WORDS["case_type"].get(code))
        if self.form is not None:
            self._update(self.form)
