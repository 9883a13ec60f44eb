"""Sounds: plays the utterances the flow's speech plan hands it, one after the other.

What is said and in which order is decided Qt-free (kiosk/app/speech.py); this player only plays
each utterance's assets (`tone_<name>.wav`, `voice_<name>.wav` in assets/sounds, made by
build/make_sounds.py), in order. A later utterance waits for the one playing; what still waits
when a new one comes is decided by `kiosk.app.speech.admit`: a stale prompt is dropped (or cut
short while playing), a new verdict drops older verdicts not yet said, and only a few wait.
Playing never blocks and never raises: a box without speakers (or an offscreen test) gets one
log line and silence.
`last_played` keeps what was asked for, by asset name, whether or not a loudspeaker was there to
hear it (muted plays, and records, nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.app.speech import Utterance, admit
from kiosk.ui.i18n import ASSETS

log = logging.getLogger(__name__)

SOUNDS = ASSETS / "sounds"


class AudioBackend(Protocol):
    """Plays one WAV file and calls `done` once when it ended, failed or was stopped."""

    def play(self, path: Path, done: Callable[[], None]) -> None: ...
    def stop(self, path: Path) -> None: ...


class QtAudio:
    """QSoundEffect per file, kept loaded: the default backend."""

    def __init__(self, parent: QObject, volume: float = 1.0) -> None:
        self._parent = parent
        self._volume = volume
        self._effects: dict[Path, QSoundEffect] = {}
        self._done: dict[Path, Callable[[], None]] = {}
        self._failed_logged: set[Path] = set()

    def play(self, path: Path, done: Callable[[], None]) -> None:
        self._done[path] = done
        self._effect(path).play()  # plays once loaded when still loading

    def stop(self, path: Path) -> None:
        self._done.pop(path, None)
        effect = self._effects.get(path)
        if effect is not None:
            effect.stop()

    def _effect(self, path: Path) -> QSoundEffect:
        effect = self._effects.get(path)
        if effect is None:
            effect = QSoundEffect(self._parent)
            effect.setVolume(self._volume)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.playingChanged.connect(lambda: self._on_playing_changed(path))
            effect.statusChanged.connect(lambda: self._on_status_changed(path))
            self._effects[path] = effect
        return effect

    def _finish(self, path: Path) -> None:
        done = self._done.pop(path, None)
        if done is not None:
            done()

    def _on_playing_changed(self, path: Path) -> None:
        if not self._effects[path].isPlaying():
            self._finish(path)

    def _on_status_changed(self, path: Path) -> None:
        if self._effects[path].status() is QSoundEffect.Status.Error:
            if path not in self._failed_logged:
                log.warning("cannot play sound %s", path.name)
                self._failed_logged.add(path)
            self._finish(path)


def _has_audio_output() -> bool:
    return bool(QMediaDevices.audioOutputs())


class SoundPlayer(QObject):
    """Plays utterances in order: a later one waits for the current one, a stale prompt (one a
    later utterance superseded) is dropped from the queue or cut short while it plays, and a
    new verdict drops the older ones still waiting (`kiosk.app.speech.admit`)."""

    finished = Signal()  # the queue played to its end (not emitted when silent or stopped)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        sounds_dir: Path = SOUNDS,
        volume: float = 1.0,
        has_audio_output: Callable[[], bool] = _has_audio_output,
        backend: AudioBackend | None = None,
    ) -> None:
        super().__init__(parent)
        self._dir = sounds_dir
        self._has_output = has_audio_output
        self._backend: AudioBackend = backend or QtAudio(self, volume)
        self._queue: list[tuple[Utterance, list[str]]] = []
        self._current: Utterance | None = None
        self._rest: list[str] = []  # assets of the current utterance still to play
        self._asset: str | None = None
        self._played = 0  # a number per asset started, so a late end of a cut one is ignored
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
        """Spoken words on or off; the tones stay."""
        self.voice = voice

    # -- playing -------------------------------------------------------------------------------
    def say(self, utterance: Utterance) -> None:
        """Play `utterance` after what is playing; what it makes stale is dropped."""
        if self.muted:
            return
        wanted = utterance.assets if self.voice else utterance.tones
        names = [name for name in wanted if self._exists(name)]
        if not names:
            return
        self.last_played.extend(names)
        if not self._audible():
            return
        admission = admit([queued for queued, _ in self._queue], self._current, utterance)
        self._queue = [self._queue[index] for index in admission.keep]
        if admission.cut_playing:
            self._cut()
        self._queue.append((utterance, names))
        if self._asset is None:
            self._next()

    def stop(self) -> None:
        self._queue.clear()
        self._cut()

    @property
    def playing(self) -> str | None:
        """The asset playing now (None when quiet or silent)."""
        return self._asset

    @property
    def pending(self) -> list[str]:
        """Assets waiting behind the one playing, in the order they will play."""
        return self._rest + [name for _, names in self._queue for name in names]

    @property
    def pending_utterances(self) -> list[Utterance]:
        """Utterances waiting behind the one playing."""
        return [utterance for utterance, _ in self._queue]

    def _cut(self) -> None:
        asset, self._asset = self._asset, None
        self._current, self._rest = None, []
        self._played += 1
        if asset is not None:
            self._backend.stop(self._dir / f"{asset}.wav")

    def _audible(self) -> bool:
        try:
            audible = self._has_output()
        except Exception:  # a sound backend that fails must not stop a passage
            log.exception("cannot list audio outputs")
            audible = False
        if not audible and not self._told_silent:
            log.warning("no audio output: the kiosk plays no sounds")
            self._told_silent = True
        return audible

    def _exists(self, name: str) -> bool:
        if (self._dir / f"{name}.wav").is_file():
            return True
        if name not in self._missing_logged:
            log.warning("sound %s.wav is missing in %s", name, self._dir)
            self._missing_logged.add(name)
        return False

    def _next(self) -> None:
        if not self._rest:
            if not self._queue:
                was_playing, self._asset, self._current = self._asset is not None, None, None
                if was_playing:
                    self.finished.emit()
                return
            self._current, names = self._queue.pop(0)
            self._rest = list(names)
        name = self._rest.pop(0)
        self._asset = name
        self._played += 1
        turn = self._played
        self._backend.play(self._dir / f"{name}.wav", lambda: self._ended(turn))

    def _ended(self, turn: int) -> None:
        if turn == self._played and self._asset is not None:
            self._next()
