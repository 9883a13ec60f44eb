"""Generate the kiosk's sounds into assets/sounds/: a tone per outcome and spoken Mandarin prompts.

Tones (`tone_<name>.wav`) are synthesised with numpy, one distinct pattern each so staff can tell
outcomes apart without looking: pass a bright rising two-tone, deny a low buzz, refer an
alternating siren, manual_check two neutral beeps, remeasure a bell-like chime.
Voices (`voice_<name>.wav`) are the Chinese words of each outcome (`Outcome.label`) and prompt
(`Prompt.text`), and the words a fever is read out with (`kiosk.app.speech.number_words`:
体温, the digits, 十, 点, 度), spoken by espeak-ng's Mandarin voice, trimmed, normalised and
faded. The voice is `cmn-latn-pinyin`: with plain `cmn`, espeak-ng 1.51 (Debian 12) turns the
characters into pinyin and then reads that pinyin as English ("tong two"); the script refuses
any text whose phonemes switch to English.
All files: 16-bit mono PCM WAV, 22050 Hz, faded edges (no clicks), under a second for tones.

espeak-ng is a generation-time tool only; the kiosk plays the committed WAV files. To regenerate
(after changing a word or a tone), on Debian/Ubuntu:

    apt-get install espeak-ng
    .venv/bin/python build/make_sounds.py          # writes assets/sounds/*.wav
    git add assets/sounds && git commit

`--tones-only` skips the voices (no espeak-ng needed). The output is deterministic: running it
twice gives the same bytes, so a diff shows only real changes.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.app.speech import number_words  # noqa: E402 - after the path set-up above
from kiosk.checkpoint.events import Prompt  # noqa: E402
from kiosk.checkpoint.outcome import Outcome  # noqa: E402

SOUNDS = ROOT / "assets" / "sounds"
RATE = 22050
FADE_S = 0.008
Signal = npt.NDArray[np.float64]


def _time(seconds: float) -> Signal:
    return np.arange(round(seconds * RATE)) / RATE


def _fade(signal: Signal, seconds: float = FADE_S) -> Signal:
    """Raised-cosine fade in and out: a hard edge clicks in a loudspeaker."""
    n = min(round(seconds * RATE), len(signal) // 2)
    if n:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))
        signal = signal.copy()
        signal[:n] *= ramp
        signal[-n:] *= ramp[::-1]
    return signal


def _note(freq_hz: float, seconds: float, *, harmonics: Sequence[float] = (1.0,)) -> Signal:
    t = _time(seconds)
    wave_ = sum(a * np.sin(2 * np.pi * freq_hz * (i + 1) * t) for i, a in enumerate(harmonics))
    return _fade(np.asarray(wave_, dtype=np.float64) / sum(harmonics))


def _silence(seconds: float) -> Signal:
    return np.zeros(round(seconds * RATE))


def tone_pass() -> Signal:
    """Bright, rising: C6 then G6, short."""
    bright = (1.0, 0.35, 0.15)
    return np.concatenate(
        [
            _note(1046.5, 0.12, harmonics=bright),
            _silence(0.03),
            _note(1568.0, 0.2, harmonics=bright),
        ]
    )


def tone_deny() -> Signal:
    """Low buzz: a 150 Hz square-ish wave with a slight throb, half a second."""
    t = _time(0.5)
    odd = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in (1, 3, 5, 7, 9))
    throb = 0.8 + 0.2 * np.sin(2 * np.pi * 12 * t)
    return _fade(np.asarray(odd * throb, dtype=np.float64) / 1.2, 0.015)


def tone_refer() -> Signal:
    """Siren-like: two pitches alternating four times, hard to miss."""
    parts = [_note(f, 0.11, harmonics=(1.0, 0.3)) for f in (740.0, 988.0) * 4]
    return np.concatenate(parts)


def tone_manual_check() -> Signal:
    """Two neutral beeps at the same middle pitch."""
    beep = _note(660.0, 0.11, harmonics=(1.0, 0.1))
    return np.concatenate([beep, _silence(0.09), beep])


def tone_remeasure() -> Signal:
    """A chime: bell-like partials with an exponential decay."""
    t = _time(0.7)
    partials = ((1318.5, 1.0), (1975.5, 0.5), (2637.0, 0.25), (3951.0, 0.1))
    bell = sum(
        a * np.sin(2 * np.pi * f * t) * np.exp(-t * (4 + 3 * i))
        for i, (f, a) in enumerate(partials)
    )
    return _fade(np.asarray(bell, dtype=np.float64) / 1.85, 0.004)


TONES = {
    "pass": tone_pass,
    "deny": tone_deny,
    "refer": tone_refer,
    "manual_check": tone_manual_check,
    "remeasure": tone_remeasure,
}


def voice_texts() -> dict[str, str]:
    """What is spoken, by asset name: the screens' own Chinese words, so sound and screen agree."""
    texts = {outcome.value: outcome.label.zh for outcome in Outcome}
    texts.update({prompt.value: prompt.text[0] for prompt in Prompt})
    texts.update(number_words())  # a fever read out: 体温 三 十 八 点 六 度
    return texts


def _to_pcm(signal: Signal, peak: float) -> bytes:
    scaled = signal / max(float(np.max(np.abs(signal))), 1e-9) * peak
    return np.round(scaled * 32767).astype("<i2").tobytes()


def write_wav(path: Path, signal: Signal, *, peak: float = 0.7) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(_to_pcm(signal, peak))


def read_wav(path: Path) -> Signal:
    with wave.open(str(path), "rb") as source:
        if (source.getnchannels(), source.getsampwidth()) != (1, 2):
            raise ValueError(f"{path}: expected 16-bit mono")
        rate = source.getframerate()
        data = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2") / 32768.0
    if rate != RATE:  # espeak-ng speaks at 22050 Hz; resample just in case a build differs
        positions = np.arange(round(len(data) * RATE / rate)) * rate / RATE
        data = np.interp(positions, np.arange(len(data)), data)
    return np.asarray(data, dtype=np.float64)


def trim(signal: Signal, threshold: float = 0.02, pad_s: float = 0.03) -> Signal:
    """Cut leading and trailing silence, keeping a short pad so the fade does not eat a syllable."""
    loud = np.flatnonzero(np.abs(signal) > threshold * float(np.max(np.abs(signal))))
    if not len(loud):
        return signal
    pad = round(pad_s * RATE)
    return signal[max(0, loud[0] - pad) : loud[-1] + pad]


VOICE = "cmn-latn-pinyin"


def speak(text: str, espeak: str, *, words_per_minute: int = 220) -> Signal:
    """`text` in Mandarin; RuntimeError when espeak-ng would read part of it as English."""
    phonemes = subprocess.run(  # noqa: S603 - a fixed program and our own words
        [espeak, "-v", VOICE, "-q", "-x", text], check=True, capture_output=True, text=True
    ).stdout
    if "(en)" in phonemes:
        raise RuntimeError(f"espeak-ng would read {text!r} as English: {phonemes.strip()}")
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "voice.wav"
        subprocess.run(  # noqa: S603
            [espeak, "-v", VOICE, "-s", str(words_per_minute), "-w", str(raw), text],
            check=True,
            capture_output=True,
        )
        return _fade(trim(read_wav(raw)), 0.02)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SOUNDS, help="folder (default assets/sounds)")
    parser.add_argument("--tones-only", action="store_true", help="skip the spoken prompts")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name, make in TONES.items():
        write_wav(out / f"tone_{name}.wav", make())
    if not args.tones_only:
        espeak = shutil.which("espeak-ng")
        if espeak is None:
            print("espeak-ng is not installed: apt-get install espeak-ng", file=sys.stderr)
            return 1
        for name, text in voice_texts().items():
            write_wav(out / f"voice_{name}.wav", speak(text, espeak), peak=0.9)
    total = sum(p.stat().st_size for p in out.glob("*.wav"))
    print(f"{len(list(out.glob('*.wav')))} sounds in {out}, {total / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
