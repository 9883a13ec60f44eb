"""What the kiosk says aloud, and in which order: the flow's effects turned into utterances.

An utterance is the list of sound assets (`tone_<name>`, `voice_<name>` WAV files in
assets/sounds, made by build/make_sounds.py) played one after the other, with its words in
Chinese and English for logs and tests. Each awaited step is said once, when it becomes the one
awaited; the verdict is said only when the flow decides (after the last measurement), and a
confirmed fever is read out before it ("体温 38.6 度，请留观"). No Qt: the sound player plays
what it is given, in order, and asks `admit` what still waits when a new utterance comes, so
that after a burst of people the voice speaks of the person at the kiosk, not of one long gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from healthcode.text import LocalText
from kiosk.checkpoint.events import Effect, PlaySound, Prompt, ShowPrompt, ShowResult
from kiosk.checkpoint.outcome import Outcome

# Prompts that start with a tone before the voice: a re-measure must catch the ear.
_PROMPT_TONES = frozenset({Prompt.REMEASURE})
_DIGITS = "零一二三四五六七八九"
# At most this many utterances wait behind the one playing: with the rules of `admit` that is a
# verdict and the next person's prompt, so the voice is at most a few seconds behind.
MAX_WAITING = 2


@dataclass(frozen=True)
class Utterance:
    """Sound assets played in order; `prompt` marks one that goes stale when superseded."""

    assets: tuple[str, ...]
    text: LocalText
    prompt: bool = False

    @property
    def tones(self) -> tuple[str, ...]:
        return tuple(name for name in self.assets if name.startswith("tone_"))


@dataclass(frozen=True)
class Admission:
    """What the player does when a new utterance comes: which waiting ones stay (indices into
    the waiting list, in order; the new one goes after them) and whether the one playing is cut.
    """

    keep: tuple[int, ...]
    cut_playing: bool


def admit(
    waiting: Sequence[Utterance],
    playing: Utterance | None,
    new: Utterance,
    limit: int = MAX_WAITING,
) -> Admission:
    """The queue's rules, so the voice never falls behind the people:

    - anything newer makes a prompt stale: a waiting prompt is dropped, a playing one cut short;
    - a verdict is never cut (a prompt waits for it), but a new verdict drops the verdicts still
      waiting: they are about people who have already gone on;
    - at most `limit` wait, the new one included; the oldest go first.
    """
    keep = [index for index, queued in enumerate(waiting) if new.prompt and not queued.prompt]
    room = max(0, limit - 1)  # the new one waits too
    keep = keep[-room:] if room else []
    return Admission(tuple(keep), cut_playing=playing is not None and playing.prompt)


def prompt_utterance(prompt: Prompt) -> Utterance:
    tone = (f"tone_{prompt.value}",) if prompt in _PROMPT_TONES else ()
    zh, en = prompt.text
    return Utterance((*tone, f"voice_{prompt.value}"), LocalText(zh, en), prompt=True)


def verdict_utterance(outcome: Outcome, celsius: float | None = None) -> Utterance:
    """The outcome's tone, an abnormal temperature read out, then the outcome's word."""
    label = outcome.label
    assets: tuple[str, ...] = (f"tone_{outcome.value}",)
    zh, en = label.zh, label.en
    if celsius is not None and 0 <= celsius < 99.95:  # what number_assets can say
        figures = f"{celsius:.1f}"
        assets += ("voice_temperature", *number_assets(figures), "voice_degrees")
        zh = f"体温 {figures} 度，{label.zh}"
        said = _SPOKEN_EN.get(outcome, label.en[:1].lower() + label.en[1:])
        en = f"Temperature {figures} degrees, {said}"
    return Utterance((*assets, f"voice_{outcome.value}"), LocalText(zh, en))


_SPOKEN_EN = {Outcome.REFER: "please wait for observation"}


# Whole numbers a body temperature starts with, each said as one phrase ("三十八"), and the
# decimal with its 点 ("点六"): a fever is read out in two natural pieces, not five syllables.
WHOLE_NUMBERS = range(34, 43)


def number_assets(figures: str) -> tuple[str, ...]:
    """A decimal number as Mandarin says it, 0-99 with decimals: "38.6" -> 三十八 点六."""
    whole, _, decimals = figures.partition(".")
    number = int(whole)
    tens, units = divmod(number, 10)
    if not 0 <= tens <= 9:
        raise ValueError(f"cannot say {figures}")
    names: list[str] = []
    if number in WHOLE_NUMBERS:
        names.append(f"voice_number_{number}")
    else:
        if tens:
            names += ([f"voice_digit_{tens}"] if tens > 1 else []) + ["voice_ten"]
        if units or not tens:
            names.append(f"voice_digit_{units}")
    if decimals:
        names += [f"voice_point_{decimals[0]}", *(f"voice_digit_{d}" for d in decimals[1:])]
    return tuple(names)


def _said(number: int) -> str:
    """0-99 in characters: 四十, 三十八, 十五, 七."""
    tens, units = divmod(number, 10)
    said = ""
    if tens:
        said = (_DIGITS[tens] if tens > 1 else "") + "十"
    if units or not tens:
        said += _DIGITS[units]
    return said


def number_words() -> dict[str, str]:
    """The spoken words of the number assets, by asset name (for build/make_sounds.py)."""
    words = {f"digit_{d}": _DIGITS[d] for d in range(10)}
    words.update({f"point_{d}": "点" + _DIGITS[d] for d in range(10)})
    words.update({f"number_{n}": _said(n) for n in WHOLE_NUMBERS})
    words.update({"ten": "十", "temperature": "体温", "degrees": "度"})
    return words


@dataclass
class SpeechPlan:
    """Follows the flow's effects and says what they call for, each awaited step once.

    `greeting`: say 请出示健康码 also when the kiosk goes back to waiting for the next person
    (off by default: at a busy gate it would be said between every two people)."""

    greeting: bool = False
    _said: set[Prompt] = field(default_factory=set)

    def utterances(self, effect: Effect) -> list[Utterance]:
        if isinstance(effect, ShowPrompt):
            return self._prompt(effect)
        if isinstance(effect, ShowResult):
            self._said.clear()
        elif isinstance(effect, PlaySound):
            return [verdict_utterance(effect.outcome, effect.celsius)]
        return []

    def idle(self) -> list[Utterance]:
        """The scan screen is back: a new person starts, greeted if the kiosk wants it."""
        self._said.clear()
        return [prompt_utterance(Prompt.SCAN)] if self.greeting else []

    def _prompt(self, effect: ShowPrompt) -> list[Utterance]:
        if effect.prompt is Prompt.SCAN and not effect.missing:
            return self.idle()  # nobody in progress: the flow is waiting again
        if effect.prompt in self._said:
            return []
        self._said.add(effect.prompt)
        return [prompt_utterance(effect.prompt)]
