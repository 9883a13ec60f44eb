"""What the screens show, as plain data: the bridge builds it from the flow's effects and the
devices' events; widgets only render it. Qt-free, so every word is tested without a screen."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from drivers.serialio.events import DeviceState, DeviceStateEvent
from healthcode.claims import Colour
from healthcode.text import LocalText
from kiosk.checkpoint.decision import Decision, Reason
from kiosk.checkpoint.events import Prompt, ShowResult
from kiosk.checkpoint.flow import PersonProgress
from kiosk.checkpoint.outcome import Outcome, ReasonCode


class Tint(StrEnum):
    """The colour the result fills the screen with: the outcome's, or the code's own yellow
    when the yellow code decided (with the verdict the checkpoint's policy gives it)."""

    PASS = "pass"  # noqa: S105 - a colour, not a password
    DENY = "deny"
    REFER = "refer"
    MANUAL_CHECK = "manual_check"
    YELLOW_CODE = "yellow_code"


@dataclass(frozen=True)
class ResultView:
    outcome: Outcome
    word: LocalText
    masked_name: str | None
    temperature_celsius: float | None
    fever: bool
    colour: Colour | None
    reasons: tuple[LocalText, ...]  # every reason, as recorded
    repeat_minutes: int | None
    deciding_reason: LocalText | None = None  # the one line shown large under the verdict
    other_reasons: tuple[LocalText, ...] = ()  # at most two, smaller, none said twice
    repeat_warning: LocalText | None = None  # a repeat, or a screenshot shared: one strip
    tint: Tint = Tint.PASS
    record_id: uuid.UUID | None = None  # the passage an override from this result applies to


MAX_OTHER_REASONS = 2


def reason_text(reason: Reason) -> LocalText:
    if reason.detail is None:
        return reason.code.text
    return LocalText(
        f"{reason.code.text.zh}：{reason.detail.zh}", f"{reason.code.text.en}: {reason.detail.en}"
    )


# Shown elsewhere on the result already (the temperature in large figures, the repeat strip).
_SHOWN_APART = frozenset({ReasonCode.TEMPERATURE_NORMAL, ReasonCode.REPEAT})
# Steps nobody completed in time: said in one line, not one line each.
_MISSING_STEPS = (ReasonCode.NO_CODE, ReasonCode.TEMPERATURE_MISSING, ReasonCode.ID_NOT_READ)


def reason_line(reason: Reason) -> LocalText:
    """One reason as a line of the result screen: what the person or staff should know."""
    detail = reason.detail
    if reason.code in (ReasonCode.CODE_REJECTED, ReasonCode.FOREIGN_RULE) and detail:
        return detail  # the verification's own words say it all ("健康码已过期，请刷新")
    if reason.code is ReasonCode.FEVER:
        return reason.code.text  # the reading itself is shown in large figures
    if reason.code is ReasonCode.FEED_TOO_OLD and detail:
        return LocalText(f"本机状态数据过旧（{detail.zh}）", f"Status data too old ({detail.en})")
    return reason_text(reason)


def _missing_line(reasons: list[Reason]) -> LocalText:
    english = [r.code.text.en for r in reasons]
    english[1:] = [text[:1].lower() + text[1:] for text in english[1:]]
    return LocalText("、".join(r.code.text.zh for r in reasons), "; ".join(english))


def repeat_words(minutes: int) -> LocalText:
    if minutes <= 0:
        return LocalText("刚刚已在此处通行", "Passed here just now")
    unit = "minute" if minutes == 1 else "minutes"
    return LocalText(f"{minutes} 分钟前已在此处通行", f"Passed here {minutes} {unit} ago")


def _tint(decision: Decision, deciding: Reason | None) -> Tint:
    yellow = deciding is not None and deciding.code is ReasonCode.COLOUR_YELLOW
    if yellow and decision.outcome in (Outcome.DENY, Outcome.MANUAL_CHECK):
        return Tint.YELLOW_CODE
    return Tint(decision.outcome.value)


def result_view(effect: ShowResult) -> ResultView:
    decision, record = effect.decision, effect.record
    repeat = effect.repeat_since
    minutes = int(repeat.total_seconds() // 60) if repeat is not None else None
    ranked = list(decision.deciding_reasons)
    first = ranked[0] if ranked else None
    deciding: LocalText | None = reason_line(first) if first is not None else None
    used = {first} if first is not None else set()
    if first is not None and first.code in _MISSING_STEPS:
        missing = [r for r in decision.reasons if r.code in _MISSING_STEPS]
        deciding, used = _missing_line(missing), set(missing)
    lines: list[LocalText] = [deciding] if deciding is not None else []
    for reason in decision.reasons:
        if reason in used or reason.code in _SHOWN_APART:
            continue
        line = reason_line(reason)
        if line not in lines:
            lines.append(line)
    return ResultView(
        outcome=decision.outcome,
        word=decision.outcome.label,
        masked_name=record.masked_name or record.id_number_masked,
        temperature_celsius=record.temperature_celsius,
        fever=record.fever,
        colour=decision.colour_applied,
        reasons=tuple(reason_text(r) for r in decision.reasons),
        repeat_minutes=minutes,
        deciding_reason=deciding,
        other_reasons=tuple(lines[1 : 1 + MAX_OTHER_REASONS]),
        repeat_warning=repeat_words(minutes) if minutes is not None else None,
        tint=_tint(decision, first),
        record_id=record.record_id,
    )


CHECKING_NATIONAL_ONLINE = LocalText("正在联网核验国家码…", "Checking the national code online…")


@dataclass(frozen=True)
class PromptView:
    """The prompt of the scan screen; while a national code's online check is pending
    (`checking_online`), the waiting words stand for it (the prompt returns after the answer)."""

    prompt: Prompt
    missing: tuple[Prompt, ...] = ()
    checking_online: bool = False

    @property
    def text(self) -> LocalText:
        if self.checking_online:
            return CHECKING_NATIONAL_ONLINE
        zh, en = self.prompt.text
        return LocalText(zh, en)


class Step(StrEnum):
    """The steps of one person at the kiosk, in the order the progress strip shows them."""

    CODE = "code"
    TEMPERATURE = "temperature"
    ID_CARD = "id_card"

    @property
    def label(self) -> LocalText:
        return _STEP_LABELS[self]


_STEP_LABELS = {
    Step.CODE: LocalText("健康码", "Health code"),
    Step.TEMPERATURE: LocalText("体温", "Temperature"),
    Step.ID_CARD: LocalText("身份证", "ID card"),
}
_STEP_PROMPTS = {
    Step.CODE: (Prompt.SCAN,),
    Step.TEMPERATURE: (Prompt.MEASURE, Prompt.REMEASURE),
    Step.ID_CARD: (Prompt.READ_CARD,),
}


class StepState(StrEnum):
    DONE = "done"  # ✓
    AWAITED = "awaited"  # what the prompt asks for now, with the countdown
    PENDING = "pending"  # still needed, after the awaited one
    AGAIN = "again"  # a high reading: to be measured again


@dataclass(frozen=True)
class StepView:
    step: Step
    state: StepState
    celsius: float | None = None  # the temperature step's live reading


@dataclass(frozen=True)
class ProgressView:
    """One person in progress: each step as it comes, and the seconds left before the person
    is decided without what is awaited (the flow's arrival window)."""

    steps: tuple[StepView, ...]
    seconds_left: int

    @property
    def awaited(self) -> Step | None:
        return next((s.step for s in self.steps if s.state is StepState.AWAITED), None)


def progress_view(
    progress: PersonProgress | None, now: datetime, *, temperature: bool, id_card: bool
) -> ProgressView | None:
    """The strip for the person in progress (None: nobody); `temperature` and `id_card` say
    whether the checkpoint asks for them (a step that came anyway is shown too)."""
    if progress is None:
        return None
    first = progress.awaited[0] if progress.awaited else None
    done = {
        Step.CODE: progress.code_read,
        Step.TEMPERATURE: progress.reading_celsius is not None and not progress.remeasure,
        Step.ID_CARD: progress.card_read,
    }
    wanted = {Step.CODE: True, Step.TEMPERATURE: temperature, Step.ID_CARD: id_card}
    steps: list[StepView] = []
    for step in Step:
        prompts = _STEP_PROMPTS[step]
        missing = any(p in progress.awaited for p in prompts)
        if not (wanted[step] or done[step] or missing):
            continue
        if first in prompts:
            state = StepState.AWAITED
        elif missing:
            state = (
                StepState.AGAIN
                if Prompt.REMEASURE in prompts and progress.remeasure
                else (StepState.PENDING)
            )
        else:
            state = StepState.DONE if done[step] else StepState.PENDING
        celsius = progress.reading_celsius if step is Step.TEMPERATURE else None
        steps.append(StepView(step, state, celsius))
    left = math.ceil((progress.deadline - now).total_seconds())
    return ProgressView(tuple(steps), max(0, left))


# An override of the last result stays possible from the scan screen this long after it closed.
OVERRIDE_LAST_FOR = timedelta(seconds=30)


class ScreenLayout(StrEnum):
    """How the gate screens arrange themselves ([kiosk] layout): chosen from the window's size
    unless the setting forces one."""

    AUTO = "auto"
    LANDSCAPE = "landscape"  # 1280x800, 1920x1080: rows under a wide preview
    COMPACT = "compact"  # 1024x600: smaller type, the prompt beside the progress
    PORTRAIT = "portrait"  # 800x1280, 1080x1920: rows, the preview tall


def choose_layout(
    width: int, height: int, setting: ScreenLayout = ScreenLayout.AUTO
) -> ScreenLayout:
    if setting is not ScreenLayout.AUTO:
        return setting
    if height > width:
        return ScreenLayout.PORTRAIT
    if height < 720 or width < 1200:
        return ScreenLayout.COMPACT
    return ScreenLayout.LANDSCAPE


class Health(StrEnum):
    OK = "ok"
    WARN = "warn"
    BAD = "bad"
    OFF = "off"

    @property
    def glyph(self) -> str:
        return {"ok": "●", "warn": "▲", "bad": "✖", "off": "○"}[self.value]


class StatusKind(StrEnum):
    CAMERA = "camera"
    THERMOMETER = "thermometer"
    ID_READER = "id_reader"
    SCANNER = "scanner"
    NETWORK = "network"
    SYNC = "sync"
    BACKLOG = "backlog"
    FEED = "feed"
    CLOCK = "clock"
    DISK = "disk"
    DOWNLOAD = "download"

    @property
    def label(self) -> LocalText:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    StatusKind.CAMERA: LocalText("摄像头", "Camera"),
    StatusKind.THERMOMETER: LocalText("测温仪", "Thermometer"),
    StatusKind.ID_READER: LocalText("读卡器", "ID reader"),
    StatusKind.SCANNER: LocalText("扫码枪", "Scanner"),
    StatusKind.NETWORK: LocalText("网络", "Network"),
    StatusKind.SYNC: LocalText("同步", "Last sync"),
    StatusKind.BACKLOG: LocalText("待上传", "To upload"),
    StatusKind.FEED: LocalText("状态数据", "Status data"),
    StatusKind.CLOCK: LocalText("时间", "Clock"),
    StatusKind.DISK: LocalText("存储", "Disk"),
    StatusKind.DOWNLOAD: LocalText("下载", "Download"),
}


@dataclass(frozen=True)
class StatusItem:
    kind: StatusKind
    health: Health
    word: LocalText  # the plain word shown beside the colour: meaning never by colour alone
    action: LocalText | None = None  # what staff must do about it, for the banner; None: nothing


# Records waiting this long to upload need staff: the network has been gone for hours.
UPLOAD_OVERDUE_AFTER = timedelta(hours=3)
LARGE_BACKLOG = 100

# Which banner shows when several need staff at once: the first in this order.
BANNER_PRIORITY = (StatusKind.CAMERA, StatusKind.FEED, StatusKind.CLOCK, StatusKind.BACKLOG)


def banner(items: tuple[StatusItem, ...]) -> StatusItem | None:
    """The one thing staff must act on now, in plain words; None when nothing needs them."""
    acting = {item.kind: item for item in items if item.action is not None}
    return next((acting[kind] for kind in BANNER_PRIORITY if kind in acting), None)


_CAMERA_ACTIONS = {
    DeviceState.DISCONNECTED: LocalText(
        "摄像头已断开，请检查连接", "Camera disconnected: check its cable"
    ),
    DeviceState.ERROR: LocalText(
        "摄像头无法使用，请检查连接", "Camera not working: check its cable"
    ),
}


def device_item(kind: StatusKind, event: DeviceStateEvent | None, configured: bool) -> StatusItem:
    if not configured:
        return StatusItem(kind, Health.OFF, LocalText("未配置", "not configured"))
    if event is None:
        return StatusItem(kind, Health.WARN, LocalText("连接中", "connecting"))
    if event.state is DeviceState.CONNECTED:
        return StatusItem(kind, Health.OK, LocalText("正常", "working"))
    # Without a camera no code is read: staff must act. Other devices have a manual way around.
    action = _CAMERA_ACTIONS.get(event.state) if kind is StatusKind.CAMERA else None
    if event.state is DeviceState.DISCONNECTED:
        return StatusItem(kind, Health.BAD, LocalText("已断开", "unplugged"), action)
    return StatusItem(kind, Health.BAD, LocalText("故障", "fault"), action)


def span_words(age: timedelta) -> LocalText:
    """How long, in the largest whole unit that reads naturally ("3 天", "30 hours")."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return LocalText(f"{minutes} 分钟", f"{minutes} min")
    hours = minutes // 60
    if hours < 48:
        return LocalText(f"{hours} 小时", f"{hours} h")
    return LocalText(f"{hours // 24} 天", f"{hours // 24} days")


def age_words(age: timedelta) -> LocalText:
    span = span_words(age)
    return LocalText(f"{span.zh}前", f"{span.en} ago")


def age_health(age: timedelta, limit: timedelta) -> Health:
    """Green while well inside the limit, amber in its second half, red beyond it."""
    if age < limit / 2:
        return Health.OK
    return Health.WARN if age <= limit else Health.BAD


_EVERY_GREEN = LocalText(
    "所有绿码需人工核验；请联网", "every green code needs a manual check. Connect to the network"
)


def feed_item(age: timedelta | None, max_age: timedelta) -> StatusItem:
    """The status-feed copy's age against the policy's limit, past which the decision sends
    every green code to a manual check (kiosk.checkpoint.decision): staff must know why."""
    if age is None:
        action = LocalText(
            f"没有健康码状态数据，{_EVERY_GREEN.zh}",
            f"No health-code status data: {_EVERY_GREEN.en}",
        )
        return StatusItem(StatusKind.FEED, Health.BAD, LocalText("无", "none"), action)
    health = age_health(age, max_age)
    if health is not Health.BAD:
        return StatusItem(StatusKind.FEED, health, age_words(age))
    span = span_words(age)
    action = LocalText(
        f"健康码状态数据已 {span.zh}未更新，{_EVERY_GREEN.zh}",
        f"Health-code status data not updated for {_long_span(age)}: {_EVERY_GREEN.en}",
    )
    return StatusItem(StatusKind.FEED, health, age_words(age), action)


def _long_span(age: timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    if hours < 48:
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{hours // 24} days"


def clock_item(trusted: bool) -> StatusItem:
    if trusted:
        return StatusItem(StatusKind.CLOCK, Health.OK, LocalText("准确", "correct"))
    action = LocalText(
        "本机时间不准，请联网校时", "This kiosk's clock is wrong: connect to the network to set it"
    )
    return StatusItem(StatusKind.CLOCK, Health.BAD, LocalText("不准", "wrong"), action)


def backlog_item(count: int, overdue: int = 0) -> StatusItem:
    """Records not yet uploaded; `overdue` of them have waited past UPLOAD_OVERDUE_AFTER."""
    word = LocalText(f"{count} 条", f"{count}")
    if overdue > 0:
        records = "1 record" if overdue == 1 else f"{overdue} records"
        action = LocalText(
            f"有 {overdue} 条记录数小时未上传，请联网",
            f"{records} not uploaded for hours: connect to the network",
        )
        return StatusItem(StatusKind.BACKLOG, Health.WARN, word, action)
    health = Health.OK if count < LARGE_BACKLOG else Health.WARN
    return StatusItem(StatusKind.BACKLOG, health, word)


def network_item(enrolled: bool, online: bool | None) -> StatusItem:
    if not enrolled:
        return StatusItem(StatusKind.NETWORK, Health.OFF, LocalText("未注册", "not enrolled"))
    if online:
        return StatusItem(StatusKind.NETWORK, Health.OK, LocalText("在线", "online"))
    return StatusItem(StatusKind.NETWORK, Health.WARN, LocalText("离线", "offline"))


def sync_item(age: timedelta | None, max_age: timedelta) -> StatusItem:
    """The last sync's age, coloured against the feed's limit: the feed comes with a sync."""
    if age is None:
        return StatusItem(StatusKind.SYNC, Health.OFF, LocalText("从未", "never"))
    return StatusItem(StatusKind.SYNC, age_health(age, max_age), age_words(age))


def disk_item(free_bytes: int, low: bool) -> StatusItem:
    """Shown only when space runs low: the kiosk keeps recording, staff should call support."""
    megabytes = free_bytes // (1024 * 1024)
    health = Health.BAD if low else Health.OK
    return StatusItem(
        StatusKind.DISK, health, LocalText(f"剩余 {megabytes} MB", f"{megabytes} MB free")
    )


def refused_item(text: LocalText) -> StatusItem:
    """A download that failed verification: the old copy is in use; the reason is shown."""
    return StatusItem(StatusKind.DOWNLOAD, Health.BAD, text)
