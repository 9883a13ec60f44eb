"""The passage flow, driven: events in (from any thread, through the app thread), effects out.

`FlowDriver` owns the pure `PassageFlow` and carries out its effects: a passage is handed to
the store's writer and its result is shown only once the write is durable. Devices and the
camera loop call `post_*` from their own threads; the work runs on the app thread (`post`), in
order. What the screens show goes to a `FlowListener`, always on the app thread. No Qt: the
window's `FlowBridge` turns the listener calls into signals and ticks the driver with a timer.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from healthcode.results import Rejection, RejectReason
from healthcode.text import LocalText
from kiosk.app.loop import Post
from kiosk.app.scanning import CameraScan, CodeChecker
from kiosk.app.speech import SpeechPlan, Utterance
from kiosk.app.viewstate import (
    OVERRIDE_LAST_FOR,
    ProgressView,
    PromptView,
    ResultView,
    progress_view,
    result_view,
)
from kiosk.checkpoint.clock import TrustedClock
from kiosk.checkpoint.events import (
    CancelRequested,
    ClockTrustChanged,
    CodeScanned,
    Effect,
    Event,
    IdCardRead,
    OperatorSignedIn,
    OverrideRequested,
    PassageFieldsChanged,
    PassageRecord,
    Prompt,
    ReadyForNext,
    RefuseOverride,
    ReportFever,
    SaveOverride,
    SavePassage,
    ShowPrompt,
    ShowResult,
    TemperatureRead,
    Tick,
)
from kiosk.checkpoint.flow import PassageFlow
from kiosk.checkpoint.national import NationalCheck, NationalCheckFailure
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import PassageField
from kiosk.checkpoint.scenes import Scene, scenes_of
from kiosk.store import Store

log = logging.getLogger(__name__)

TICK_MS = 100

# The national code's online check (`kiosk.client.national_check`): blocking, run off this thread.
NationalCheckCall = Callable[[str], NationalCheck]


class TemperatureSource(Protocol):
    def take_fresh(
        self, now_utc: datetime, max_age_s: float, *, not_before_utc: datetime | None = None
    ) -> Any: ...


class FlowListener:
    """What the screens are told, on the app thread. Override what you show; the rest is quiet."""

    def prompt_changed(self, view: PromptView) -> None: ...
    def result_shown(self, view: ResultView) -> None: ...
    def ready_for_next(self) -> None: ...
    def override_refused(self, text: LocalText) -> None: ...
    def save_failed(self, error: str) -> None: ...
    def passage_saved(self, fever: bool) -> None: ...
    def sound_requested(self, utterance: Utterance) -> None: ...
    def progress_changed(self, view: ProgressView | None) -> None: ...
    def override_offer_changed(self, record_id: uuid.UUID | None) -> None: ...


@dataclass(eq=False)
class _PendingNational:
    """A national code's online check under way: its text and the flow's prompt it covers
    (kept up to date: a result closing meanwhile brings 请出示健康码 back after the wait)."""

    text: str
    prompt_before: PromptView


@dataclass(frozen=True)
class ScanTiming:
    """For the latency figures: when the frame was captured and how long its decoding took."""

    frame_at_s: float
    decode_ms: float


class FlowDriver:
    def __init__(
        self,
        flow: PassageFlow,
        store: Store,
        checker: CodeChecker,
        *,
        clock: TrustedClock,
        wall_clock: Callable[[], datetime],
        post: Post,
        monotonic: Callable[[], float] = time.monotonic,
        temperature: TemperatureSource | None = None,
        on_result_closed: Callable[[datetime], None] | None = None,
        speech: SpeechPlan | None = None,
        national_check: NationalCheckCall | None = None,
        online: Callable[[], bool] = lambda: True,
    ) -> None:
        self.flow = flow
        self.store = store
        self.checker = checker
        self.clock = clock
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._post = post
        self.temperature = temperature
        self._on_result_closed = on_result_closed
        self.listeners: list[FlowListener] = []
        self.speech = speech or SpeechPlan()
        self._clock_trusted: bool | None = None
        self._wants_temperature_since: datetime | None = None
        self._stopped = False
        self.last_timing: ScanTiming | None = None
        self.last_result: ResultView | None = None
        self.last_record: PassageRecord | None = None  # what a pharmacy or clinic form follows
        self.last_birth_date: date | None = None  # of the ID number with it (never stored)
        self.last_card_address: str | None = None  # the ID card's, at a clinic (never stored)
        self.last_prompt: PromptView | None = None
        self.last_progress: ProgressView | None = None
        # The closed result staff may still change from the scan screen, and until when.
        self.override_offer: uuid.UUID | None = None
        self._offer_until: datetime | None = None
        # None: no verification service configured (a national code stays a manual check).
        self.national_check = national_check
        self.online = online
        self.national_checks_running = 0
        # The one check whose answer is still wanted: another scan or 重新开始 drops it.
        self._pending_national: _PendingNational | None = None

    # ---------------------------------------------------------------- life

    def start(self) -> None:
        self._stopped = False
        self.last_prompt = PromptView(Prompt.SCAN)
        for listener in self.listeners:
            listener.prompt_changed(self.last_prompt)
        self._say(self.speech.idle())

    def stop(self) -> None:
        """Nothing posted from now on reaches the flow (the store may be closing)."""
        self._stopped = True

    def now(self) -> datetime:
        reading = self.clock.read(self._wall_clock(), self._monotonic())
        if reading.trusted != self._clock_trusted:
            self._clock_trusted = reading.trusted
            self._run(self.flow.handle(ClockTrustChanged(reading.trusted), reading.now_utc))
        return reading.now_utc

    @property
    def clock_trusted(self) -> bool:
        return bool(self._clock_trusted)

    # ---------------------------------------------------------------- from any thread

    def post_scan(self, scan: CameraScan) -> None:
        self._on_app_thread(lambda: self._handle_scan(scan))

    def post_event(self, event: Event) -> None:
        self._on_app_thread(lambda: self.handle(event, self.now()))

    def post_identity(
        self,
        id_number: str,
        masked_name: str | None,
        *,
        full_name: str | None = None,
        address: str | None = None,
    ) -> None:
        """A card read; its holder's full name is kept only where the policy asks for it, the
        address only where a form asks for the residence (a fever clinic)."""
        policy = self.flow.policy
        wanted = PassageField.FULL_NAME in policy.passage_fields
        residence = Scene.REGISTRATION in scenes_of(policy)
        self.post_event(
            IdCardRead(
                id_number,
                masked_name,
                full_name=full_name if wanted else None,
                address=address if residence else None,
            )
        )

    def _on_app_thread(self, call: Callable[[], None]) -> None:
        def run() -> None:
            if not self._stopped:
                call()

        self._post(run)

    # ---------------------------------------------------------------- app thread

    def tick(self) -> None:
        now = self.now()
        self._pull_temperature(now)
        self._run(self.flow.handle(Tick(), now))
        if self._offer_until is not None and now >= self._offer_until:
            self._offer(None, now)
        self._show_progress(now)

    def submit_code_text(self, text: str) -> None:
        """A code typed by staff: a repeat is told by the code's last passage here."""
        now = self.now()
        self.checker.verify(text, now)
        last = self.checker.last_passage_of_text(text)
        since = now - last if last is not None else None
        if since is not None and since > self.flow.policy.repeat_window:
            since = None
        self.handle(self.checker.check(text, now, since), now)

    def submit_manual_temperature(self, celsius: float) -> None:
        now = self.now()
        self.handle(TemperatureRead(celsius, now, manual=True), now)

    def submit_manual_id(self, id_number: str) -> None:
        self.handle(IdCardRead(id_number, None, manual=True), self.now())

    def request_override(
        self, outcome: Outcome, reason: str, record_id: uuid.UUID | None = None
    ) -> None:
        self.handle(OverrideRequested(outcome, reason, record_id), self.now())

    def cancel(self) -> None:
        self._drop_pending_national()
        self.handle(CancelRequested(), self.now())

    def sign_in(self, operator_id: str | None) -> None:
        self.handle(OperatorSignedIn(operator_id), self.now())

    def set_passage_fields(self, fields: PassageFieldsChanged) -> None:
        self.handle(fields, self.now())

    def handle(self, event: Event, now: datetime) -> None:
        if isinstance(event, CodeScanned):
            if self._wants_national_check(event):
                self._check_nationally(event)
                return
            self._drop_pending_national()  # someone else's code: the pending answer is stale
        self._run(self.flow.handle(event, now))
        if isinstance(event, CodeScanned):
            self._pull_temperature(now)
        self._show_progress(now)

    def _wants_national_check(self, event: CodeScanned) -> bool:
        result = event.result
        return (
            self.national_check is not None
            and event.national_check is None
            and event.text is not None
            and isinstance(result, Rejection)
            and result.reason is RejectReason.NATIONAL_CODE
        )

    @property
    def national_check_pending(self) -> bool:
        return self._pending_national is not None

    def _check_nationally(self, event: CodeScanned) -> None:
        """The national code goes to the flow once the service answered (or could not), the
        request on a thread of its own: the screens stay responsive meanwhile and say so. The
        same code read again while waiting is the same person (one request); another code
        drops the pending answer, which then never reaches the flow."""
        check, text = self.national_check, event.text
        if check is None or text is None:
            return
        pending = self._pending_national
        if pending is not None and pending.text == text:
            return
        self._drop_pending_national()
        if not self.online():
            offline = NationalCheck.failed(NationalCheckFailure.OFFLINE)
            self.handle(replace(event, national_check=offline), self.now())
            return
        before = self.last_prompt or PromptView(Prompt.SCAN)
        mine = self._pending_national = _PendingNational(text, before)

        def ask() -> None:
            try:
                answer = check(text)
            except Exception:  # a verifier's bug is a manual check, never a lost person
                log.exception("the national check failed")
                answer = NationalCheck.failed(NationalCheckFailure.SERVICE_ERROR)
            self._on_app_thread(lambda: self._national_answered(mine, event, answer))

        self.national_checks_running += 1
        self._tell_prompt(replace(before, checking_online=True))
        threading.Thread(target=ask, name="national-check", daemon=True).start()

    def _national_answered(
        self, pending: _PendingNational, event: CodeScanned, answer: NationalCheck
    ) -> None:
        self.national_checks_running -= 1
        if pending is not self._pending_national:
            log.info("a national check answered after another scan: its answer is dropped")
            return
        self._drop_pending_national()
        self.handle(replace(event, national_check=answer), self.now())

    def _drop_pending_national(self) -> None:
        """No answer is awaited any more; the scan screen says its prompt again."""
        pending, self._pending_national = self._pending_national, None
        if pending is not None:
            self._tell_prompt(pending.prompt_before)

    def _show_prompt(self, prompt: PromptView) -> None:
        """The flow's prompt; while an online check is pending its wait stays said, and the
        prompt comes back when the check ends."""
        pending = self._pending_national
        if pending is not None:
            pending.prompt_before = prompt
            prompt = replace(prompt, checking_online=True)
        self._tell_prompt(prompt)

    def _tell_prompt(self, prompt: PromptView) -> None:
        self.last_prompt = prompt
        for listener in self.listeners:
            listener.prompt_changed(prompt)

    def _show_progress(self, now: datetime) -> None:
        """The progress strip, told only when a step or the whole seconds left change."""
        policy = self.flow.policy
        view = progress_view(
            self.flow.progress(),
            now,
            temperature=policy.temperature_required,
            id_card=policy.id_match_required,
        )
        if view is not None and self.override_offer is not None:
            self._offer(None, now)  # someone new: the last result is no longer "the last"
        if view != self.last_progress:
            self.last_progress = view
            for listener in self.listeners:
                listener.progress_changed(view)

    def _offer(self, record_id: uuid.UUID | None, now: datetime) -> None:
        self._offer_until = now + OVERRIDE_LAST_FOR if record_id is not None else None
        if record_id != self.override_offer:
            self.override_offer = record_id
            for listener in self.listeners:
                listener.override_offer_changed(record_id)

    def _handle_scan(self, scan: CameraScan) -> None:
        self.last_timing = ScanTiming(scan.frame_at_s, scan.decode.ms)
        self.handle(scan.scanned, self.now())

    def _pull_temperature(self, now: datetime) -> None:
        if self.temperature is None or self._wants_temperature_since is None:
            return
        max_age = self.flow.policy.max_reading_age
        reading = self.temperature.take_fresh(
            now, max_age.total_seconds(), not_before_utc=self._wants_temperature_since
        )
        if reading is not None:
            self._run(
                self.flow.handle(
                    TemperatureRead(reading.body_celsius, reading.measured_at_utc), now
                )
            )

    # ---------------------------------------------------------------- effects

    def _run(self, effects: Sequence[Effect]) -> None:
        for index, effect in enumerate(effects):
            if isinstance(effect, SavePassage):
                future = self.store.passages.record(effect.record)
                rest = list(effects[index + 1 :])
                fever = effect.record.fever

                def saved(
                    done: Future[int], rest: list[Effect] = rest, fever: bool = fever
                ) -> None:
                    self._on_app_thread(lambda: self._after_save(done, rest, fever))

                future.add_done_callback(saved)
                return  # the rest waits for the write to be durable
            self._apply(effect)

    def _after_save(self, future: Future[int], rest: list[Effect], fever: bool) -> None:
        error = future.exception()
        if error is not None:
            log.error("a passage could not be stored: %s", type(error).__name__)
            for listener in self.listeners:
                listener.save_failed(type(error).__name__)
        else:
            for listener in self.listeners:
                listener.passage_saved(fever)
        self._run(rest)

    def _say(self, utterances: Sequence[Utterance]) -> None:
        for utterance in utterances:
            for listener in self.listeners:
                listener.sound_requested(utterance)

    def _apply(self, effect: Effect) -> None:
        self._say(self.speech.utterances(effect))
        listeners = self.listeners
        if isinstance(effect, ShowPrompt):
            self._track_temperature_wish(effect)
            self._show_prompt(PromptView(effect.prompt, effect.missing))
        elif isinstance(effect, ShowResult):
            self._wants_temperature_since = None
            self._offer(None, self.now())
            self.last_result = result = result_view(effect)
            self.last_record = effect.record
            self.last_birth_date = effect.birth_date
            self.last_card_address = effect.card_address
            for listener in listeners:
                listener.result_shown(result)
        elif isinstance(effect, ReadyForNext):
            self._wants_temperature_since = None
            now = self.now()
            if self._on_result_closed is not None:
                self._on_result_closed(now)
            if self.last_result is not None:
                self._offer(self.last_result.record_id, now)
            for listener in listeners:
                listener.ready_for_next()
            self._show_prompt(PromptView(Prompt.SCAN))
            self._say(self.speech.idle())
        elif isinstance(effect, SaveOverride):
            self.store.passages.record_override(effect)
        elif isinstance(effect, RefuseOverride):
            zh, en = effect.why
            for listener in listeners:
                listener.override_refused(LocalText(zh, en))
        elif isinstance(effect, ReportFever):
            # The fever report is queued first in the outbox with the passage itself.
            log.info("fever referred for observation; report queued for upload")

    def _track_temperature_wish(self, effect: ShowPrompt) -> None:
        wanted = {Prompt.MEASURE, Prompt.REMEASURE}
        if effect.prompt is Prompt.REMEASURE:
            # Only a reading taken after the prompt counts as the second measurement.
            self._wants_temperature_since = self.now() + timedelta(milliseconds=1)
        elif wanted & {effect.prompt, *effect.missing}:
            if self._wants_temperature_since is None:
                max_age = self.flow.policy.max_reading_age
                self._wants_temperature_since = self.now() - max_age
        else:
            self._wants_temperature_since = None
