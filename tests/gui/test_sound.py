"""The sound player: plays the utterances it is given in order (a later one waits, a stale prompt
is dropped), silence when muted, no audio device never raises; and the committed WAV files are
what the kiosk expects."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import logging
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from kiosk.app.speech import number_words, prompt_utterance, verdict_utterance
from kiosk.checkpoint.events import Prompt
from kiosk.checkpoint.outcome import Outcome
from kiosk.ui.sound import SOUNDS, SoundPlayer

# A box without speakers makes QtMultimedia say so; that is the case under test, not a failure.
pytestmark = pytest.mark.qt_log_ignore(
    r"PulseAudioService", r"Couldn't (load|resolve)", r"Using Qt multimedia", r".*audio.*"
)

ALL_ASSETS = sorted(
    {name for o in Outcome for name in verdict_utterance(o).assets}
    | {name for p in Prompt for name in prompt_utterance(p).assets}
    | {f"voice_{name}" for name in number_words()}
)
NUMBER_WORDS = {f"voice_{name}" for name in number_words()}


def no_output() -> bool:
    return False


class FakeAudio:
    """A backend whose files end when the test says so: no real audio, no timing."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.stopped: list[str] = []
        self._done: dict[str, Callable[[], None]] = {}

    def play(self, path: Path, done: Callable[[], None]) -> None:
        self.started.append(path.stem)
        self._done[path.stem] = done

    def stop(self, path: Path) -> None:
        self.stopped.append(path.stem)
        self._done.pop(path.stem, None)

    def end(self, name: str) -> None:
        self._done.pop(name)()


@pytest.fixture
def player(qapp: object) -> SoundPlayer:
    return SoundPlayer(has_audio_output=no_output)


@pytest.fixture
def audio() -> FakeAudio:
    return FakeAudio()


@pytest.fixture
def speaker(qapp: object, audio: FakeAudio) -> SoundPlayer:
    return SoundPlayer(has_audio_output=lambda: True, backend=audio)


def say(player: SoundPlayer, *things: Outcome | Prompt) -> None:
    for thing in things:
        if isinstance(thing, Outcome):
            player.say(verdict_utterance(thing))
        else:
            player.say(prompt_utterance(thing))


@pytest.mark.parametrize("outcome", list(Outcome))
def test_each_outcome_plays_its_tone_then_its_voice(player: SoundPlayer, outcome: Outcome) -> None:
    say(player, outcome)
    assert player.last_played == [f"tone_{outcome.value}", f"voice_{outcome.value}"]


def test_prompts_speak_and_a_remeasure_chimes_first(player: SoundPlayer) -> None:
    say(player, Prompt.SCAN, Prompt.REMEASURE)
    assert player.last_played == ["voice_scan", "tone_remeasure", "voice_remeasure"]


def test_voice_off_keeps_the_tones(player: SoundPlayer) -> None:
    player.set_voice(False)
    say(player, Outcome.DENY, Prompt.MEASURE, Prompt.REMEASURE)
    player.say(verdict_utterance(Outcome.REFER, 38.6))
    assert player.last_played == ["tone_deny", "tone_remeasure", "tone_refer"]


def test_muted_plays_nothing(player: SoundPlayer) -> None:
    player.set_muted(True)
    say(player, Outcome.PASS, Prompt.REMEASURE)
    assert player.last_played == []
    player.set_muted(False)
    say(player, Outcome.REFER)
    assert player.last_played == ["tone_refer", "voice_refer"]


def test_no_audio_device_is_silent_with_one_log_line(
    player: SoundPlayer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.sound"):
        say(player, *Outcome)
    assert [r.getMessage() for r in caplog.records] == [
        "no audio output: the kiosk plays no sounds"
    ]
    assert player.playing is None and player.pending == []
    assert len(player.last_played) == 2 * len(Outcome)


def test_a_failing_device_query_is_silent(qapp: object, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> bool:
        raise RuntimeError("backend gone")

    player = SoundPlayer(has_audio_output=broken)
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.sound"):
        say(player, Outcome.PASS)
    assert player.last_played == ["tone_pass", "voice_pass"]
    assert player.playing is None


def test_with_qt_audio_the_voice_waits_behind_the_tone(qapp: object) -> None:
    # The default backend, whether this machine has speakers or not: asynchronous, never raises.
    player = SoundPlayer(has_audio_output=lambda: True)
    say(player, Outcome.MANUAL_CHECK, Outcome.PASS)
    assert player.playing == "tone_manual_check"
    assert player.pending == ["voice_manual_check", "tone_pass", "voice_pass"]
    player.stop()
    assert (player.playing, player.pending) == (None, [])


def test_a_second_utterance_waits_for_the_first(speaker: SoundPlayer, audio: FakeAudio) -> None:
    say(speaker, Outcome.MANUAL_CHECK)
    assert speaker.playing == "tone_manual_check"
    say(speaker, Outcome.PASS)  # the next person's verdict does not cut this one short
    assert speaker.pending == ["voice_manual_check", "tone_pass", "voice_pass"]
    audio.end("tone_manual_check")
    audio.end("voice_manual_check")
    assert (speaker.playing, speaker.pending) == ("tone_pass", ["voice_pass"])
    assert audio.stopped == []
    speaker.stop()
    assert (speaker.playing, speaker.pending) == (None, [])


def test_a_prompt_made_stale_by_the_verdict_is_cut_short(
    speaker: SoundPlayer, audio: FakeAudio, qtbot: object
) -> None:
    say(speaker, Prompt.REMEASURE)
    say(speaker, Outcome.PASS)  # a verdict supersedes the prompt: the prompt goes stale
    assert audio.stopped == ["tone_remeasure"]
    assert speaker.playing == "tone_pass"
    audio.end("tone_pass")
    with qtbot.waitSignal(speaker.finished, timeout=1000):  # type: ignore[attr-defined]
        audio.end("voice_pass")
    assert audio.started == ["tone_remeasure", "tone_pass", "voice_pass"]


def test_a_waiting_prompt_is_dropped_when_a_later_utterance_supersedes_it(
    speaker: SoundPlayer, audio: FakeAudio
) -> None:
    say(speaker, Outcome.PASS, Prompt.MEASURE, Prompt.READ_CARD)
    # 请测量体温 went stale before it was heard: only the card prompt waits behind the verdict.
    assert speaker.pending == ["voice_pass", "voice_read_card"]
    say(speaker, Outcome.DENY)
    assert speaker.pending == ["voice_pass", "tone_deny", "voice_deny"]
    assert [u.text.zh for u in speaker.pending_utterances] == ["禁止通行"]


def test_a_late_end_of_a_cut_prompt_is_ignored(speaker: SoundPlayer, audio: FakeAudio) -> None:
    done: list[Callable[[], None]] = []
    audio.play = lambda path, end: (audio.started.append(path.stem), done.append(end))  # type: ignore[method-assign,func-returns-value]
    say(speaker, Prompt.MEASURE, Outcome.PASS)
    done[0]()  # the cut prompt's end arrives after the verdict began
    assert speaker.playing == "tone_pass"


def test_a_fever_is_read_out_between_the_tone_and_the_word(
    qapp: object, tmp_path: Path, audio: FakeAudio
) -> None:
    utterance = verdict_utterance(Outcome.REFER, 38.6)
    for name in utterance.assets:
        (tmp_path / f"{name}.wav").touch()
    speaker = SoundPlayer(sounds_dir=tmp_path, has_audio_output=lambda: True, backend=audio)
    speaker.say(utterance)
    for name in utterance.assets:
        assert speaker.playing == name
        audio.end(name)
    assert audio.started == list(utterance.assets)
    assert speaker.playing is None


def test_muting_stops_what_plays_and_what_waits(speaker: SoundPlayer, audio: FakeAudio) -> None:
    say(speaker, Outcome.PASS, Outcome.DENY)
    speaker.set_muted(True)
    assert (speaker.playing, speaker.pending, audio.stopped) == (None, [], ["tone_pass"])


def test_a_missing_file_is_skipped_and_logged_once(
    qapp: object, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "tone_pass.wav").write_bytes((SOUNDS / "tone_pass.wav").read_bytes())
    player = SoundPlayer(sounds_dir=tmp_path, has_audio_output=no_output)
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.sound"):
        say(player, Outcome.PASS, Outcome.PASS)
    assert player.last_played == ["tone_pass", "tone_pass"]
    missing = [r.getMessage() for r in caplog.records if "missing" in r.getMessage()]
    assert missing == [f"sound voice_pass.wav is missing in {tmp_path}"]


@pytest.mark.parametrize("name", ALL_ASSETS)
def test_every_asset_is_a_short_faded_16_bit_mono_wav(name: str) -> None:
    with wave.open(str(SOUNDS / f"{name}.wav"), "rb") as sound:
        assert (sound.getnchannels(), sound.getsampwidth(), sound.getframerate()) == (1, 2, 22050)
        samples = np.frombuffer(sound.readframes(sound.getnframes()), dtype="<i2")
        seconds = sound.getnframes() / sound.getframerate()
    limit = 1.0 if name.startswith("tone_") else 2.0
    shortest = 0.12 if name in NUMBER_WORDS else 0.2  # one syllable: 三, 十, 度
    assert shortest < seconds < limit
    assert int(np.max(np.abs(samples))) > 16000  # loud enough
    assert abs(int(samples[0])) < 200 and abs(int(samples[-1])) < 200  # faded: no click


def test_the_tones_are_distinct_and_the_sounds_small() -> None:
    tones = {(SOUNDS / f"tone_{o.value}.wav").read_bytes() for o in Outcome}
    assert len(tones) == len(Outcome)
    total = sum(p.stat().st_size for p in SOUNDS.glob("*.wav"))
    assert total < 3 * 1024 * 1024  # natural speech, a fever's number in whole phrases
    assert {p.stem for p in SOUNDS.glob("*.wav")} == set(ALL_ASSETS)


def test_after_a_burst_of_people_the_voice_speaks_of_the_last_one(
    speaker: SoundPlayer, audio: FakeAudio
) -> None:
    # Thirty people in the time the first verdict takes to say: each is asked for a temperature
    # and gets a verdict, a fever read out for every third.
    for person in range(30):
        say(speaker, Prompt.MEASURE)
        fever = 37.5 + person / 10 if person % 3 == 2 else None
        outcome = Outcome.REFER if fever else Outcome.PASS
        speaker.say(verdict_utterance(outcome, fever))
    say(speaker, Prompt.SCAN)  # the next person is asked for a code
    assert speaker.playing == "tone_pass"  # the first person's verdict is said to its end
    said = [u.text.zh for u in speaker.pending_utterances]
    assert said == ["体温 40.4 度，请留观", "请出示健康码"]  # the last person, then the next
    while speaker.playing is not None:
        audio.end(speaker.playing)
    assert audio.started[-2:] == ["voice_refer", "voice_scan"]
    assert len(audio.started) < 20  # not thirty people's verdicts one after the other


def test_a_prompt_never_cuts_a_verdict(speaker: SoundPlayer, audio: FakeAudio) -> None:
    speaker.say(verdict_utterance(Outcome.REFER, 38.6))
    say(speaker, Prompt.MEASURE, Prompt.READ_CARD)
    assert audio.stopped == []
    assert speaker.playing == "tone_refer"
    assert [u.text.zh for u in speaker.pending_utterances] == ["请刷身份证"]
    while speaker.playing is not None:
        audio.end(speaker.playing)
    assert audio.started[-3:] == ["voice_degrees", "voice_refer", "voice_read_card"]
