"""The sound player: the right assets per outcome and prompt, silence when muted, no audio device
never raises; and the committed WAV files are what the kiosk expects."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import logging
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk.checkpoint.events import Prompt
from kiosk.checkpoint.outcome import Outcome
from kiosk.ui.sound import SOUNDS, SoundPlayer, outcome_assets, prompt_assets

# A box without speakers makes QtMultimedia say so; that is the case under test, not a failure.
pytestmark = pytest.mark.qt_log_ignore(
    r"PulseAudioService", r"Couldn't (load|resolve)", r"Using Qt multimedia", r".*audio.*"
)

ALL_ASSETS = sorted(
    {name for o in Outcome for name in outcome_assets(o)}
    | {name for p in Prompt for name in prompt_assets(p)}
)


def no_output() -> bool:
    return False


@pytest.fixture
def player(qapp: object) -> SoundPlayer:
    return SoundPlayer(has_audio_output=no_output)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_each_outcome_plays_its_tone_then_its_voice(player: SoundPlayer, outcome: Outcome) -> None:
    player.play_outcome(outcome)
    assert player.last_played == [f"tone_{outcome.value}", f"voice_{outcome.value}"]


def test_prompts_speak_and_a_remeasure_chimes_first(player: SoundPlayer) -> None:
    player.play_prompt(Prompt.SCAN)
    player.play_prompt(Prompt.REMEASURE)
    assert player.last_played == ["voice_scan", "tone_remeasure", "voice_remeasure"]


def test_voice_off_keeps_the_tones(player: SoundPlayer) -> None:
    player.set_voice(False)
    player.play_outcome(Outcome.DENY)
    player.play_prompt(Prompt.MEASURE)
    player.play_prompt(Prompt.REMEASURE)
    assert player.last_played == ["tone_deny", "tone_remeasure"]


def test_muted_plays_nothing(player: SoundPlayer) -> None:
    player.set_muted(True)
    player.play_outcome(Outcome.PASS)
    player.play_prompt(Prompt.REMEASURE)
    assert player.last_played == []
    player.set_muted(False)
    player.play_outcome(Outcome.REFER)
    assert player.last_played == ["tone_refer", "voice_refer"]


def test_no_audio_device_is_silent_with_one_log_line(
    player: SoundPlayer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.sound"):
        for outcome in Outcome:
            player.play_outcome(outcome)
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
        player.play_outcome(Outcome.PASS)
    assert player.last_played == ["tone_pass", "voice_pass"]
    assert player.playing is None


def test_with_an_output_the_voice_waits_behind_the_tone(qapp: object) -> None:
    # Whether this machine has speakers or not, playing is asynchronous and must not raise.
    player = SoundPlayer(has_audio_output=lambda: True)
    player.play_outcome(Outcome.MANUAL_CHECK)
    assert player.playing == "tone_manual_check"
    assert player.pending == ["voice_manual_check"]
    player.play_outcome(Outcome.PASS)  # the next person cuts the last one short
    assert (player.playing, player.pending) == ("tone_pass", ["voice_pass"])
    player.stop()
    assert (player.playing, player.pending) == (None, [])


def test_a_missing_file_is_skipped_and_logged_once(
    qapp: object, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "tone_pass.wav").write_bytes((SOUNDS / "tone_pass.wav").read_bytes())
    player = SoundPlayer(sounds_dir=tmp_path, has_audio_output=no_output)
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.sound"):
        player.play_outcome(Outcome.PASS)
        player.play_outcome(Outcome.PASS)
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
    assert 0.2 < seconds < limit
    assert int(np.max(np.abs(samples))) > 16000  # loud enough
    assert abs(int(samples[0])) < 200 and abs(int(samples[-1])) < 200  # faded: no click


def test_the_tones_are_distinct_and_the_sounds_small() -> None:
    tones = {(SOUNDS / f"tone_{o.value}.wav").read_bytes() for o in Outcome}
    assert len(tones) == len(Outcome)
    total = sum(p.stat().st_size for p in SOUNDS.glob("*.wav"))
    assert total < 700 * 1024
    assert {p.stem for p in SOUNDS.glob("*.wav")} == set(ALL_ASSETS)
