"""What the kiosk says, in order, for each scenario: the passage flow driven with events, its
effects turned into utterances by the speech plan (as the FlowDriver does), the words collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.app.demo import DemoWorld
from kiosk.app.flow import FlowListener
from kiosk.app.speech import (
    SpeechPlan,
    Utterance,
    admit,
    number_assets,
    number_words,
    prompt_utterance,
    verdict_utterance,
)
from kiosk.checkpoint.events import (
    CancelRequested,
    CodeScanned,
    Event,
    IdCardRead,
    Prompt,
    ReadyForNext,
    TemperatureRead,
    Tick,
)
from kiosk.checkpoint.flow import FlowState, PassageFlow
from kiosk.checkpoint.outcome import Outcome
from kiosk.checkpoint.policy import CheckpointType, Policy, default_policy
from tests.kiosk.app.app_support import AppHarness
from tests.kiosk.checkpoint_support import (
    BINDING_KEY,
    ID_NUMBER,
    ISSUER,
    OTHER_ID_NUMBER,
    T0,
    id_factory,
    verified,
)

GATE = default_policy(CheckpointType.ENTERPRISE_GATE)
ROAD = default_policy(CheckpointType.ROAD_JUNCTION)  # temperature and ID card
FRESH = timedelta(hours=1)


class Kiosk:
    """The flow and the speech plan, with a clock that moves a second per event."""

    def __init__(self, policy: Policy = ROAD, *, greeting: bool = False) -> None:
        self.flow = PassageFlow(policy, binding_keys={ISSUER: [BINDING_KEY]}, new_id=id_factory())
        self.speech = SpeechPlan(greeting=greeting)
        self.now = T0
        self.said: list[Utterance] = []

    def __call__(self, *events: Event) -> list[str]:
        """Handle `events` in turn; the Chinese words said meanwhile."""
        start = len(self.said)
        for event in events:
            self.now += timedelta(seconds=1)
            for effect in self.flow.handle(event, self.now):
                self.said += self.speech.utterances(effect)
                if isinstance(effect, ReadyForNext):
                    self.said += self.speech.idle()  # what the FlowDriver does on ReadyForNext
        return [utterance.text.zh for utterance in self.said[start:]]

    def reading(self, celsius: float) -> TemperatureRead:
        return TemperatureRead(celsius, self.now + timedelta(seconds=1))

    def close_result(self) -> list[str]:
        self.now += self.flow.policy.arrival_window
        return self(Tick())


def scan(**extra: object) -> CodeScanned:
    return CodeScanned(result=verified(), feed_age=FRESH, **extra)  # type: ignore[arg-type]


def test_pass_says_each_awaited_step_once_then_the_verdict() -> None:
    kiosk = Kiosk()
    assert kiosk(scan()) == ["请测量体温"]
    assert kiosk(kiosk.reading(36.5)) == ["请刷身份证"]
    assert kiosk(IdCardRead(ID_NUMBER)) == ["通行"]
    assert kiosk.said[-1].assets == ("tone_pass", "voice_pass")


def test_the_awaited_step_is_not_said_again_while_it_stays_awaited() -> None:
    kiosk = Kiosk()
    assert kiosk(IdCardRead(ID_NUMBER)) == ["请出示健康码"]  # the card came first
    assert kiosk(scan()) == ["请测量体温"]
    assert kiosk(kiosk.reading(36.5)) == ["通行"]


def test_a_fever_then_a_normal_remeasure_asks_again_and_passes_without_refer() -> None:
    kiosk = Kiosk(GATE)
    assert kiosk(scan()) == ["请测量体温"]
    # The first high reading: only the re-measure prompt, no 请留观 before measuring again.
    assert kiosk(kiosk.reading(38.6)) == ["体温偏高，请复测"]
    assert kiosk.said[-1].assets == ("tone_remeasure", "voice_remeasure")
    assert kiosk(kiosk.reading(36.6)) == ["通行"]


def test_a_fever_twice_is_read_out_with_the_verdict_after_the_second_reading() -> None:
    kiosk = Kiosk()
    assert kiosk(scan(), kiosk.reading(38.4)) == ["请测量体温", "体温偏高，请复测"]
    assert kiosk(kiosk.reading(38.6)) == ["请刷身份证"]  # the card is still awaited
    assert kiosk(IdCardRead(ID_NUMBER)) == ["体温 38.6 度，请留观"]
    verdict = kiosk.said[-1]
    assert verdict.text.en == "Temperature 38.6 degrees, please wait for observation"
    assert verdict.assets == (
        "tone_refer",
        "voice_temperature",
        *("voice_number_38", "voice_point_6"),  # 三十八 点六: two phrases, not five syllables
        "voice_degrees",
        "voice_refer",
    )


def test_an_id_mismatch_says_the_card_prompt_then_the_denial() -> None:
    kiosk = Kiosk()
    assert kiosk(scan(), kiosk.reading(36.5)) == ["请测量体温", "请刷身份证"]
    assert kiosk(IdCardRead(OTHER_ID_NUMBER)) == ["禁止通行"]


def test_a_repeat_is_said_once_with_its_verdict() -> None:
    kiosk = Kiosk(GATE)
    assert kiosk(scan(repeat_since=timedelta(minutes=12)), kiosk.reading(36.5)) == [
        "请测量体温",
        Outcome.PASS.label.zh,
    ]


def test_a_stale_feed_asks_for_the_temperature_then_for_a_manual_check() -> None:
    kiosk = Kiosk(GATE)
    stale = CodeScanned(result=verified(), feed_age=GATE.max_feed_age + timedelta(hours=48))
    assert kiosk(stale, kiosk.reading(36.5)) == ["请测量体温", "请人工核验"]


def test_the_next_person_hears_the_prompts_again() -> None:
    kiosk = Kiosk(GATE)
    kiosk(scan(), kiosk.reading(36.5))
    assert kiosk.close_result() == []  # no greeting unless the kiosk wants one
    assert kiosk(scan(), kiosk.reading(36.5)) == ["请测量体温", "通行"]


def test_a_greeting_when_the_kiosk_wants_one() -> None:
    kiosk = Kiosk(GATE, greeting=True)
    kiosk(scan(), kiosk.reading(36.5))
    assert kiosk.close_result() == ["请出示健康码"]
    assert kiosk(CancelRequested()) == ["请出示健康码"]


def test_a_window_that_ends_says_the_verdict_without_the_missing_prompt_again() -> None:
    kiosk = Kiosk(GATE)
    assert kiosk(scan()) == ["请测量体温"]
    assert kiosk.close_result() == [Outcome.MANUAL_CHECK.label.zh]


@pytest.mark.parametrize(
    ("figures", "words"),
    [
        ("38.6", "三十八点六"),
        ("40.0", "四十点零"),
        ("10.5", "十点五"),
        ("33.5", "三十三点五"),
        ("99.9", "九十九点九"),
        ("7", "七"),
        ("0", "零"),
    ],
)
def test_numbers_are_said_as_mandarin_says_them(figures: str, words: str) -> None:
    names = {f"voice_{name}": said for name, said in number_words().items()}
    assert "".join(names[name] for name in number_assets(figures)) == words


def test_a_body_temperature_is_said_in_two_phrases_not_syllable_by_syllable() -> None:
    for tenths in range(340, 430):
        whole, point = number_assets(f"{tenths / 10:.1f}")
        assert (whole, point) == (f"voice_number_{tenths // 10}", f"voice_point_{tenths % 10}")


@pytest.mark.parametrize("celsius", [-1.0, 99.96, 120.0])
def test_a_reading_that_cannot_be_said_leaves_the_verdict_alone(celsius: float) -> None:
    assert verdict_utterance(Outcome.REFER, celsius).assets == ("tone_refer", "voice_refer")


def test_a_verdict_without_a_temperature_is_its_tone_and_word() -> None:
    assert verdict_utterance(Outcome.DENY).assets == ("tone_deny", "voice_deny")
    assert not verdict_utterance(Outcome.DENY).prompt


@dataclass
class Heard(FlowListener):
    said: list[Utterance] = field(default_factory=list)

    def sound_requested(self, utterance: Utterance) -> None:
        self.said.append(utterance)


def test_the_flow_driver_says_a_fever_in_order_after_the_passage_is_stored(
    tmp_path: Path, world: DemoWorld
) -> None:
    harness = AppHarness(tmp_path, world)
    heard = Heard()
    harness.app.driver.listeners.append(heard)
    try:
        harness.app.driver.submit_code_text(world.case("green").text)
        harness.app.driver.submit_manual_temperature(38.6)
        harness.app.driver.submit_manual_temperature(38.6)
        assert harness.run_until(lambda: bool(harness.screens.results))
        assert harness.run_until(lambda: len(heard.said) >= 3)
    finally:
        harness.stop()
    assert [utterance.text.zh for utterance in heard.said] == [
        "请测量体温",
        "体温偏高，请复测",
        "体温 38.6 度，请留观",
    ]


@pytest.mark.parametrize(
    ("config", "greeted"), [("", []), ("[kiosk]\ngreeting = true\n", ["请出示健康码"])]
)
def test_the_scan_prompt_is_said_when_the_kiosk_waits_only_with_a_greeting(
    tmp_path: Path, world: DemoWorld, config: str, greeted: list[str]
) -> None:
    harness = AppHarness(tmp_path, world, config_text=config, start=False)
    heard = Heard()
    harness.app.driver.listeners.append(heard)
    try:
        harness.app.start()
        assert [utterance.text.zh for utterance in heard.said] == greeted
        harness.app.driver.submit_code_text(world.case("green").text)
        harness.app.driver.submit_manual_temperature(36.5)
        assert harness.run_until(lambda: bool(harness.screens.results))
        assert harness.run_until(lambda: harness.app.flow.state is FlowState.IDLE)  # closed
    finally:
        harness.stop()
    assert [utterance.text.zh for utterance in heard.said] == [
        *greeted,
        "请测量体温",
        "通行",
        *greeted,
    ]


MEASURE = prompt_utterance(Prompt.MEASURE)
CARD = prompt_utterance(Prompt.READ_CARD)
PASS = verdict_utterance(Outcome.PASS)
DENY = verdict_utterance(Outcome.DENY)


def test_a_newer_utterance_cuts_a_playing_prompt_but_never_a_verdict() -> None:
    assert admit([], MEASURE, PASS).cut_playing
    assert admit([], MEASURE, CARD).cut_playing
    assert not admit([], PASS, MEASURE).cut_playing
    assert not admit([], PASS, DENY).cut_playing
    assert not admit([], None, PASS).cut_playing


def test_a_waiting_prompt_goes_stale_and_a_waiting_verdict_waits_for_no_newer_verdict() -> None:
    assert admit([PASS, MEASURE], DENY, CARD).keep == (0,)  # the verdict still to be said
    assert admit([PASS, MEASURE], DENY, DENY).keep == ()  # a later person's verdict: only it


def test_no_more_than_the_limit_waits() -> None:
    assert admit([PASS, DENY, PASS], None, CARD, limit=2).keep == (2,)
    assert admit([PASS], None, CARD, limit=1).keep == ()
