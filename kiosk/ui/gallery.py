"""Every screen of the kiosk in every state it can show, built from the real kiosk: the demo
world, a real store with a roster and a passage log, the real window and its views. Not
started (no devices, no sync): each `Shot` puts the window in one state by the calls the
flow, the bridge and the staff views make.

`kiosk screens` (kiosk/ui/gallery_run.py) takes a picture of each shot at each panel size and
language and checks it with kiosk/ui/fit_check.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop

from kiosk.app import samples
from kiosk.app.demo import prepare_demo
from kiosk.app.startup import KioskSetup
from kiosk.app.viewstate import ProgressView, PromptView, ResultView, Step, StepState, StepView
from kiosk.checkpoint.events import Prompt
from kiosk.checkpoint.policy import CheckpointType, PassageField, default_policy
from kiosk.store import Operator
from kiosk.ui.app import Kiosk
from kiosk.ui.gallery_records import person_trail_shots
from kiosk.ui.gallery_scenes import scene_shots
from kiosk.ui.gallery_technician import technician_shots
from kiosk.ui.i18n import Language

_NOT_A_HASH = "not-a-pin-hash"  # the gallery checks no PIN: the views are opened directly
ROSTER = (
    Operator("op-1", "王小明", _NOT_A_HASH, "operator", True),
    Operator("op-2", "欧阳娜娜", _NOT_A_HASH, "operator", True),
    Operator("sup-1", "李主管", _NOT_A_HASH, "supervisor", True),
    Operator("tech-1", "赵技术", _NOT_A_HASH, "technician", True),
)
# The checkpoint type whose scan screen has the most fields: faults and prompts are shown on it.
WIDEST = CheckpointType.ROAD_JUNCTION
# A road checkpoint keeping the Hainan record (004, 关口信息): the name and phone button too.
HAINAN_FIELDS = default_policy(WIDEST).passage_fields | {PassageField.FULL_NAME, PassageField.PHONE}
_CODE_READ = StepView(Step.CODE, StepState.DONE)
_PROGRESS = {  # the strip for each prompt, the longest words it says, 17 s left
    Prompt.MEASURE: ProgressView(
        (
            _CODE_READ,
            StepView(Step.TEMPERATURE, StepState.AWAITED),
            StepView(Step.ID_CARD, StepState.PENDING),
        ),
        17,
    ),
    Prompt.READ_CARD: ProgressView(
        (
            _CODE_READ,
            StepView(Step.TEMPERATURE, StepState.DONE, 36.6),
            StepView(Step.ID_CARD, StepState.AWAITED),
        ),
        17,
    ),
    Prompt.REMEASURE: ProgressView(
        (
            _CODE_READ,
            StepView(Step.TEMPERATURE, StepState.AWAITED, 38.6),
            StepView(Step.ID_CARD, StepState.PENDING),
        ),
        17,
    ),
}
_NAMES_PAGE, _PIN_PAGE, _LOG_PAGE = 0, 1, 2  # kiosk/ui/supervisor.py's pages


@dataclass(frozen=True)
class Shot:
    name: str  # the picture's file name, without .png
    gate: bool  # a screen used at the gate: every touch target must suit gloves
    show: Callable[[], None]


def settle(until: Callable[[], bool] = lambda: True, timeout_s: float = 20.0) -> None:
    """Let Qt deliver what is pending (layouts, queued results) until `until()` holds."""
    deadline = time.monotonic() + timeout_s
    for _ in range(2):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
        # Widgets replaced with deleteLater() go now, as the running kiosk's event loop does.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk's screens did not get ready")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


class Gallery:
    """The kiosk and its shots. `close()` it before its folder goes away."""

    def __init__(self, folder: Path, *, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        world = prepare_demo(folder / "world", now)
        setup = KioskSetup(
            data_dir=folder / "data",
            policy=default_policy(CheckpointType.ENTERPRISE_GATE),
            trust_list=world.trust_list,
            feed=world.feed,
            binding_keys=world.binding_keys,
            demo=True,
        )
        self.kiosk = kiosk = Kiosk(setup)
        self.window = kiosk.window
        store = kiosk.store
        store.copies.replace_roster(list(ROSTER)).result(timeout=20)
        for record in samples.log_records(now):
            store.passages.record(record).result(timeout=20)
        loaded: list[bool] = []
        kiosk.gate.roster_loaded.connect(lambda: loaded.append(True))
        kiosk.gate.load()
        settle(lambda: bool(loaded))
        self._results = samples.results()
        self._now = now
        self._open_supervisor_log()
        self._open_technician()

    def close(self) -> None:
        self.window.hide()
        self.kiosk.stop()

    def set_language(self, language: Language) -> None:
        self.kiosk.languages.set_language(language)

    # ------------------------------------------------------------------ the shots

    def shots(self) -> list[Shot]:
        shots = [self._scan(kind, ()) for kind in CheckpointType]
        shots += [self._scan(kind, samples.FAULTS) for kind in CheckpointType]
        shots += [self._scan(WIDEST, (fault,)) for fault in samples.FAULTS]
        shots += [self._prompt(prompt) for prompt in Prompt]
        shots.append(self._prompt(Prompt.SCAN, checking_online=True))
        shots += [self._override_last(faults) for faults in ((), samples.FAULTS)]
        shots += [self._result(name, view) for name, view in self._results.items()]
        shots += self._manual_entry() + self._override() + self._plate() + self._passer()
        shots += (
            self._sign_in()
            + self._supervisor()
            + technician_shots(self.kiosk.provisioning, self.window, Shot)
        )
        shots += scene_shots(self.window, self._results["yellow-code-manual-check"], Shot)
        logs, records = self.kiosk.supervisor.log_page, self.kiosk.records
        shots += person_trail_shots(self.window, records, logs, self._results, self._now, Shot)
        return shots

    def _scan(self, kind: CheckpointType, faults: tuple[str, ...]) -> Shot:
        def show() -> None:
            window = self.window
            window.configure_fields(default_policy(kind).passage_fields)
            window.show_status(samples.health_items(faults))
            window.show_operator(None)
            window.show_prompt(PromptView(Prompt.SCAN))
            window.show_progress(None)
            window.scan.show_override_last(None, needs_sign_in=True)
            window.show_screen("scan")

        if not faults:
            name = f"scan-{kind.value}"
        elif len(faults) > 1:
            name = f"scan-{kind.value}-all-faults"
        else:
            name = f"scan-fault-{faults[0].replace('_', '-')}"
        return Shot(name, True, show)

    def _prompt(self, prompt: Prompt, *, checking_online: bool = False) -> Shot:
        """A prompt with the person's strip; or, `checking_online`, the wait for a national
        code's online check."""
        missing = (Prompt.MEASURE, Prompt.READ_CARD) if prompt is Prompt.MEASURE else ()

        def show() -> None:
            window = self.window
            window.configure_fields(default_policy(WIDEST).passage_fields)
            window.show_status(samples.health_items())
            window.show_operator("王小明")
            window.show_prompt(PromptView(prompt, missing, checking_online=checking_online))
            window.show_progress(_PROGRESS.get(prompt))  # the person in progress, its strip
            window.show_screen("scan")

        if checking_online:
            return Shot("prompt-national-checking-online", True, show)
        return Shot(f"prompt-{prompt.value.replace('_', '-')}", True, show)

    def _override_last(self, faults: tuple[str, ...]) -> Shot:
        """After a result closed: 改判上一位 on the scan screen, the sign-in said first."""

        def show() -> None:
            window = self.window
            window.configure_fields(default_policy(WIDEST).passage_fields)
            window.show_status(samples.health_items(faults))
            window.show_operator(None)
            window.show_prompt(PromptView(Prompt.SCAN))
            window.show_progress(None)
            window.scan.show_override_last(self._results["deny-red"], needs_sign_in=True)
            window.show_screen("scan")

        return Shot("scan-override-last" + ("-all-faults" if faults else ""), True, show)

    def _result(self, name: str, view: ResultView) -> Shot:
        def show() -> None:
            self.window.show_operator(None)  # 改判 says the sign-in comes first: the longer text
            self.window.show_result(view)
            self.window.show_screen("result")

        return Shot(f"result-{name}", True, show)

    def _manual_entry(self) -> list[Shot]:
        manual = self.window.manual
        typed = {0: (manual.id_keypad, "11010519491231002X"), 2: (manual.temperature_keypad, "")}
        names = {0: "manual-id-number", 1: "manual-code-text", 2: "manual-temperature"}

        def tab(index: int) -> Callable[[], None]:
            def show() -> None:
                manual.reset()
                if index in typed:
                    keypad, keys = typed[index]
                    for key in keys:
                        keypad.key_buttons[key].click()
                manual.tabs.setCurrentIndex(index)
                self.window.show_screen("manual")

            return show

        return [Shot(names[i], True, tab(i)) for i in range(manual.tabs.count())]

    def _override(self) -> list[Shot]:
        panel = self.window.override

        def empty() -> None:
            panel.reset()
            self.window.show_screen("override")

        def chosen() -> None:
            panel.reset()
            next(iter(panel.reason_buttons.values())).click()
            panel._buttons[next(iter(panel._buttons))].click()
            self.window.show_screen("override")

        return [Shot("override", True, empty), Shot("override-chosen", True, chosen)]

    def _plate(self) -> list[Shot]:
        """The plate page: the provinces, a new-energy plate (eight), an unusual one marked."""

        def typed(plate: str) -> Callable[[], None]:
            def show() -> None:
                self.window.configure_fields(default_policy(WIDEST).passage_fields)
                self.window.plate.open(plate)
                self.window.show_screen("plate")

            return show

        shown = {"plate": "", "plate-new-energy": "粤BD12345", "plate-unusual": "A12345"}
        return [Shot(name, True, typed(plate)) for name, plate in shown.items()]

    def _passer(self) -> list[Shot]:
        """The Hainan record: the scan screen with its name and phone button (and every fault),
        the passer's page with the name's keys, then the phone's, both typed."""

        def scan(faults: tuple[str, ...]) -> Callable[[], None]:
            def show() -> None:
                window = self.window
                window.configure_fields(HAINAN_FIELDS)
                window.show_status(samples.health_items(faults))
                window.show_operator("王小明")
                window.show_prompt(PromptView(Prompt.READ_CARD))
                window.show_progress(_PROGRESS[Prompt.READ_CARD])
                window.show_screen("scan")

            return show

        def page(phone: bool) -> Callable[[], None]:
            def show() -> None:
                passer = self.window.passer
                passer.open()
                passer.keyboard.type_text("OUYANG NANA")
                passer.keypad.type_text("13800138000")
                passer.edit_phone() if phone else passer.edit_name()
                self.window.show_screen("passer")

            return show

        return [
            Shot("scan-hainan-record", True, scan(())),
            Shot("scan-hainan-record-all-faults", True, scan(samples.FAULTS)),
            Shot("passer-name", True, page(False)),
            Shot("passer-phone", True, page(True)),
        ]

    def _sign_in(self) -> list[Shot]:
        view = self.kiosk.signin

        def names() -> None:
            view._back_to_names()
            view._show_names()
            self.window.show_screen("signin")

        def pin() -> None:
            view._pick("op-2")
            self.window.show_screen("signin")

        return [Shot("signin-names", True, names), Shot("signin-pin", True, pin)]

    # ------------------------------------------------------------------ staff

    def _open_supervisor_log(self) -> None:
        view = self.kiosk.supervisor
        view._on_granted("sup-1")
        settle(lambda: view.log_page.model.rowCount() > 0 and not view.loading)

    def _supervisor(self) -> list[Shot]:
        view, window = self.kiosk.supervisor, self.window

        def page(index: int, *, exporting: bool = False) -> Callable[[], None]:
            def show() -> None:
                view.log_page.export_bar.setVisible(exporting)  # as left by the last export
                if index == _PIN_PAGE:
                    view._unlock.pick("sup-1")
                view.pages.setCurrentIndex(index)
                window.show_screen("supervisor")

            return show

        def settings() -> None:
            view.open_settings()
            window.show_screen("supervisor")

        def exporting() -> None:
            view.log_page.export_started()
            view.log_page.export_progressed(9, 16)
            page(_LOG_PAGE, exporting=True)()

        def trail() -> None:
            model = view.log_page.model
            view.trail_page.show_rows([model.entry_at(i) for i in range(min(4, model.rowCount()))])
            view.trail_page.show_area(samples.area_trail(self._now))
            page(_LOG_PAGE + 1)()

        def exported() -> None:
            folder = Path("/media/usb/healthcode-exports/passages-20260101-0800.xlsx")
            view.log_page.export_ended("done", 16, folder)
            page(_LOG_PAGE, exporting=True)()

        return [
            Shot("supervisor-unlock", False, page(_NAMES_PAGE)),
            Shot("supervisor-pin", False, page(_PIN_PAGE)),
            Shot("supervisor-log", False, page(_LOG_PAGE)),
            Shot("supervisor-trail-area", False, trail),
            Shot("supervisor-settings", False, settings),
            Shot("supervisor-export-running", False, exporting),
            Shot("supervisor-export-done", False, exported),
        ]

    def _open_technician(self) -> None:
        view = self.kiosk.provisioning
        done: list[str] = []
        view.devices.test_finished.connect(done.append)
        view.devices.refresh()
        view.enrollment.show_current()
        view.staff.load(default_policy(WIDEST).passage_fields)
        settle(lambda: "discovery" in done)
