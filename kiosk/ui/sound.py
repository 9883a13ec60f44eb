"""Sounds: a distinct tone for each outcome, then the spoken Mandarin word, so staff need not look.

The WAV files in assets/sounds are made by build/make_sounds.py (`tone_<name>.wav`,
`voice_<name>.wav`). Playing never blocks and never raises: a box without speakers (or an
offscreen test) gets one log line and silence. `last_played` keeps what was asked for, by asset
name, whether or not a loudspeaker was there to hear it (muted plays, and records, nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.checkpoint.events import Prompt
from kiosk.checkpoint.outcome import Outcome
from kiosk.ui.i18n import ASSETS

log = logging.getLogger(__name__)

SOUNDS = ASSETS / "sounds"

# Prompts that start with a tone before the voice: a re-measure must catch the ear.
_PROMPT_TONES = frozenset({Prompt.REMEASURE})


def outcome_assets(outcome: Outcome, *, voice: bool = True) -> list[str]:
    """The asset names played for an outcome, in order."""
    return [f"tone_{outcome.value}"] + ([f"voice_{outcome.value}"] if voice else [])


def prompt_assets(prompt: Prompt, *, voice: bool = True) -> list[str]:
    """The asset names played for a prompt, in order (a voice only, a chime first for some)."""
    names = [f"tone_{prompt.value}"] if prompt in _PROMPT_TONES else []
    return names + ([f"voice_{prompt.value}"] if voice else [])


def _has_audio_output() -> bool:
    return bool(QMediaDevices.audioOutputs())


class SoundPlayer(QObject):
    """Plays a tone then a voice per outcome or prompt; a new request cuts the previous one short
    (the next person's result matters more than the end of the last one's word)."""

    finished = Signal()  # a sequence played to its end (not emitted when silent or cut short)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        sounds_dir: Path = SOUNDS,
        volume: float = 1.0,
        has_audio_output: Callable[[], bool] = _has_audio_output,
    ) -> None:
        super().__init__(parent)
        self._dir = sounds_dir
        self._volume = volume
        self._has_output = has_audio_output
        self._effects: dict[str, QSoundEffect] = {}
        self._queue: list[str] = []
        self._current: str | None = None
        self._told_silent = False
        self._missing_logged: set[str] = set()
        self.muted = False
        self.voice = True
        self.last_played: list[str] = []

    # -- settings ------------------------------------------------------------------------------
    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self.stop()

    def set_voice(self, voice: bool) -> None:
        """Spoken prompts on or off; the tones stay."""
        self.voice = voice

    # -- playing -------------------------------------------------------------------------------
    def play_outcome(self, outcome: Outcome) -> None:
        self._play(outcome_assets(outcome, voice=self.voice))

    def play_prompt(self, prompt: Prompt) -> None:
        self._play(prompt_assets(prompt, voice=self.voice))

    def stop(self) -> None:
        self._queue.clear()
        current, self._current = self._current, None
        if current is not None and current in self._effects:
            self._effects[current].stop()

    @property
    def playing(self) -> str | None:
        """The asset playing now (None when quiet or silent)."""
        return self._current

    @property
    def pending(self) -> list[str]:
        """Assets waiting behind the one playing."""
        return list(self._queue)

    def _play(self, names: list[str]) -> None:
        if self.muted or not names:
            return
        self.stop()
        names = [name for name in names if self._exists(name)]
        self.last_played.extend(names)
        try:
            audible = self._has_output()
        except Exception:  # a sound backend that fails must not stop a passage
            log.exception("cannot list audio outputs")
            audible = False
        if not audible:
            if not self._told_silent:
                log.warning("no audio output: the kiosk plays no sounds")
                self._told_silent = True
            return
        self._queue = names
        self._next()

    def _exists(self, name: str) -> bool:
        if (self._dir / f"{name}.wav").is_file():
            return True
        if name not in self._missing_logged:
            log.warning("sound %s.wav is missing in %s", name, self._dir)
            self._missing_logged.add(name)
        return False

    def _effect(self, name: str) -> QSoundEffect:
        effect = self._effects.get(name)
        if effect is None:
            effect = QSoundEffect(self)
            effect.setVolume(self._volume)
            effect.setSource(QUrl.fromLocalFile(str(self._dir / f"{name}.wav")))
            effect.playingChanged.connect(lambda: self._on_playing_changed(name))
            effect.statusChanged.connect(lambda: self._on_status_changed(name))
            self._effects[name] = effect
        return effect

    def _next(self) -> None:
        if not self._queue:
            if self._current is not None:
                self._current = None
                self.finished.emit()
            return
        name = self._queue.pop(0)
        self._current = name
        self._effect(name).play()  # plays once loaded when still loading

    def _on_playing_changed(self, name: str) -> None:
        if name == self._current and not self._effects[name].isPlaying():
            self._next()

    def _on_status_changed(self, name: str) -> None:
        if self._effects[name].status() is QSoundEffect.Status.Error:
            if name not in self._missing_logged:
                log.warning("cannot play sound %s", name)
                self._missing_logged.add(name)
            if name == self._current:
                self._next()
