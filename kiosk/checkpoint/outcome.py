"""Outcomes and reasons of a passage decision: stable codes, Chinese and English text."""

from __future__ import annotations

from enum import StrEnum

from healthcode.text import LocalText


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    DENY = "deny"
    REFER = "refer"  # refer for observation (留观)
    MANUAL_CHECK = "manual_check"

    @property
    def label(self) -> LocalText:
        return _OUTCOME_LABELS[self]

    @property
    def severity(self) -> int:
        """Higher is stricter: when rules disagree, the strictest outcome wins."""
        return _SEVERITY[self]


_OUTCOME_LABELS = {
    Outcome.PASS: LocalText("通行", "Pass"),
    Outcome.DENY: LocalText("禁止通行", "No entry"),
    Outcome.REFER: LocalText("请留观", "Observation"),
    Outcome.MANUAL_CHECK: LocalText("请人工核验", "Manual check"),
}
_SEVERITY = {Outcome.PASS: 0, Outcome.MANUAL_CHECK: 1, Outcome.DENY: 2, Outcome.REFER: 3}


class ReasonCode(StrEnum):
    """Why a decision came out as it did. Values are stable (stored and uploaded)."""

    COLOUR_GREEN = "colour_green"
    COLOUR_YELLOW = "colour_yellow"
    COLOUR_RED = "colour_red"
    COLOUR_CHANGED = "colour_changed"  # the status feed holds a newer colour than the code
    CODE_REJECTED = "code_rejected"
    NO_CODE = "no_code"  # an ID card or a manual entry without a code
    FEED_TOO_OLD = "feed_too_old"
    FEED_MISSING = "feed_missing"
    FEVER = "fever"
    TEMPERATURE_NORMAL = "temperature_normal"
    TEMPERATURE_MISSING = "temperature_missing"
    ID_MATCHED = "id_matched"
    ID_MISMATCHED = "id_mismatched"
    ID_NOT_READ = "id_not_read"
    ID_NOT_BOUND = "id_not_bound"  # the code carries no ID binding this kiosk can check
    REPEAT = "repeat"
    OVERRIDDEN = "overridden"
    FOREIGN_CERTIFICATE = "foreign_certificate"  # a recognised foreign certificate (EU DCC)
    FOREIGN_RULE = "foreign_rule"  # a rule of the checkpoint's foreign policy
    NATIONAL_CODE = "national_code"  # the national code (GB/T 38962): staff check it
    CODE_NOT_RECOGNISED = "code_not_recognised"  # no scheme of ours: maybe another region's
    NATIONAL_CHECKED_ONLINE = "national_checked_online"  # the service gave its colour
    NATIONAL_REFUSED_ONLINE = "national_refused_online"  # the service said: not valid

    @property
    def text(self) -> LocalText:
        return _REASON_TEXT[self]


_REASON_TEXT = {
    ReasonCode.COLOUR_GREEN: LocalText("绿码", "Green code"),
    ReasonCode.COLOUR_YELLOW: LocalText("黄码", "Yellow code"),
    ReasonCode.COLOUR_RED: LocalText("红码", "Red code"),
    ReasonCode.COLOUR_CHANGED: LocalText(
        "健康码颜色已更新", "The code's colour has changed since it was issued"
    ),
    ReasonCode.CODE_REJECTED: LocalText("健康码无效", "The code is not valid"),
    ReasonCode.NO_CODE: LocalText("未出示健康码", "No health code shown"),
    ReasonCode.FEED_TOO_OLD: LocalText(
        "本机状态数据过旧，请人工核验", "This kiosk's status data is too old to rely on"
    ),
    ReasonCode.FEED_MISSING: LocalText("本机尚无状态数据", "This kiosk has no status data yet"),
    ReasonCode.FEVER: LocalText("体温异常", "Temperature above the fever threshold"),
    ReasonCode.TEMPERATURE_NORMAL: LocalText("体温正常", "Temperature normal"),
    ReasonCode.TEMPERATURE_MISSING: LocalText("未测体温", "No temperature was taken"),
    ReasonCode.ID_MATCHED: LocalText("人证相符", "ID card matches the code"),
    ReasonCode.ID_MISMATCHED: LocalText(
        "身份证与健康码不符", "The ID card does not match the code"
    ),
    ReasonCode.ID_NOT_READ: LocalText("未读取身份证", "No ID card was read"),
    ReasonCode.ID_NOT_BOUND: LocalText(
        "此码无法核对身份证", "This code cannot be checked against an ID card"
    ),
    ReasonCode.REPEAT: LocalText("此码近期已在本处通行", "This code passed here recently"),
    ReasonCode.OVERRIDDEN: LocalText("工作人员已改判", "Decision changed by staff"),
    ReasonCode.FOREIGN_CERTIFICATE: LocalText("境外健康证明", "Foreign health certificate"),
    ReasonCode.FOREIGN_RULE: LocalText("境外证明规则", "Foreign certificate rule"),
    ReasonCode.NATIONAL_CODE: LocalText("国家码：请人工核验", "National health code: manual check"),
    ReasonCode.CODE_NOT_RECOGNISED: LocalText(
        "无法识别此码（国家码、外地码请人工核验）",
        "A code this kiosk does not recognise (check national or other codes by hand)",
    ),
    ReasonCode.NATIONAL_CHECKED_ONLINE: LocalText(
        "国家码已联网核验", "National health code checked online"
    ),
    ReasonCode.NATIONAL_REFUSED_ONLINE: LocalText(
        "国家码联网核验未通过", "National health code refused by the online check"
    ),
}
