"""What the result screen says, and in which order: the verdict, the one reason that decided it
(large), then at most two further lines, nothing said twice, a repeat as a warning strip."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from healthcode.claims import CodeKind, Colour
from healthcode.results import Rejection, RejectReason
from healthcode.text import LocalText
from kiosk.app.viewstate import ResultView, Tint, result_view
from kiosk.checkpoint.decision import DecisionInputs, IdMatch, Reason, decide
from kiosk.checkpoint.events import ShowResult
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from tests.kiosk.app.result_support import CLINIC, GATE, ROAD, shown
from tests.kiosk.checkpoint_support import passage, verified


def lines(view: ResultView) -> list[str]:
    deciding = [view.deciding_reason.zh] if view.deciding_reason else []
    return deciding + [r.zh for r in view.other_reasons]


def test_an_id_mismatch_is_the_deciding_reason_not_the_third_line() -> None:
    view = shown(ROAD, id_match=IdMatch.MISMATCHED)
    assert view.word.zh == "禁止通行"
    assert view.deciding_reason is not None
    assert view.deciding_reason.zh == "身份证与健康码不符"
    assert view.deciding_reason.en == "The ID card does not match the code"
    assert "体温正常" not in lines(view)  # the temperature is shown in figures instead


def test_the_colour_is_said_once_and_a_pass_is_decided_by_it() -> None:
    view = shown(ROAD, id_match=IdMatch.MATCHED)
    assert view.deciding_reason is not None and view.deciding_reason.zh == "绿码"
    assert lines(view).count("绿码") == 1
    assert len(lines(view)) == len(set(lines(view)))
    assert view.tint is Tint.PASS


def test_a_repeat_is_one_warning_strip_not_another_reason_line() -> None:
    view = shown(repeat_since=timedelta(minutes=3, seconds=20))
    assert view.repeat_warning is not None
    assert view.repeat_warning.zh == "3 分钟前已在此处通行"
    assert view.repeat_warning.en == "Passed here 3 minutes ago"
    assert not any("通行" in line for line in lines(view))
    just_now = shown(repeat_since=timedelta(seconds=10)).repeat_warning
    assert just_now is not None
    assert (just_now.zh, just_now.en) == ("刚刚已在此处通行", "Passed here just now")
    assert shown().repeat_warning is None


def test_a_timeout_says_what_is_missing_in_one_line() -> None:
    view = shown(ROAD, temperature_celsius=None, id_match=IdMatch.NOT_READ)
    assert view.word.zh == "请人工核验"
    assert view.deciding_reason is not None
    assert view.deciding_reason.zh == "未测体温、未读取身份证"
    assert len(lines(view)) <= 2
    assert not any("未测体温" in r.zh or "未读取" in r.zh for r in view.other_reasons)


def test_an_expired_paper_code_says_where_to_get_a_new_one_an_app_code_to_refresh() -> None:
    for kind in (CodeKind.PAPER, CodeKind.PROXY):
        expired = Rejection(RejectReason.EXPIRED, "test", scheme="JKM1", kind=kind)
        view = shown(code=expired, colour_applied=None)
        assert view.deciding_reason is not None
        assert view.deciding_reason.zh == "纸质码已过期，请到社区或村委会重新领取"
        assert "community office" in view.deciding_reason.en
        assert not any("刷新" in line for line in lines(view))
    app = Rejection(RejectReason.EXPIRED, "test", scheme="JKM1", kind=CodeKind.APP)
    view = shown(code=app, colour_applied=None)
    assert view.deciding_reason is not None
    assert view.deciding_reason.zh == "健康码已过期，请刷新"


def test_a_yellow_code_shows_yellow_with_the_verdict_of_the_policy() -> None:
    gate = shown(GATE, code=verified(Colour.YELLOW), colour_applied=Colour.YELLOW)
    assert (gate.tint, gate.word.zh) == (Tint.YELLOW_CODE, "禁止通行")
    assert gate.deciding_reason is not None and gate.deciding_reason.zh == "黄码"
    clinic = shown(CLINIC, code=verified(Colour.YELLOW), colour_applied=Colour.YELLOW)
    assert (clinic.tint, clinic.word.zh) == (Tint.YELLOW_CODE, "请人工核验")
    red = shown(GATE, code=verified(Colour.RED), colour_applied=Colour.RED)
    assert red.tint is Tint.DENY
    assert red.deciding_reason is not None and red.deciding_reason.zh == "红码"


def test_a_fever_is_decided_by_the_temperature_shown_in_figures() -> None:
    view = shown(temperature_celsius=38.6, fever_confirmed=True)
    assert (view.word.zh, view.tint) == ("请留观", Tint.REFER)
    assert view.deciding_reason is not None and view.deciding_reason.zh == "体温异常"
    assert not any("38.6" in line for line in lines(view))  # the figures are shown apart
    assert view.temperature_celsius == 38.6


def test_a_stale_feed_says_why_staff_check() -> None:
    view = shown(feed_age=timedelta(hours=72))
    assert view.word.zh == "请人工核验"
    assert view.deciding_reason is not None
    assert view.deciding_reason.zh == "本机状态数据过旧（72 小时前）"
    assert "绿码" in lines(view)


def test_a_forged_code_is_told_as_such_and_further_reasons_are_two_at_most() -> None:
    forged = Rejection(RejectReason.BAD_SIGNATURE, "test", scheme="JKM1")
    view = shown(ROAD, code=forged, colour_applied=None, id_match=IdMatch.MISMATCHED)
    assert view.deciding_reason is not None
    assert view.deciding_reason.zh == "身份证与健康码不符"
    assert any("伪造" in r.zh for r in view.other_reasons)
    assert len(view.other_reasons) <= 2


def test_a_decision_changed_by_staff_is_decided_by_that_change() -> None:
    decision = decide(
        DecisionInputs(
            code=verified(Colour.RED),
            colour_applied=Colour.RED,
            colour_changed_by_feed=False,
            feed_age=timedelta(hours=1),
            temperature_celsius=36.5,
            fever_confirmed=False,
            id_match=IdMatch.NOT_READ,
        ),
        GATE,
    )
    staff = Reason(ReasonCode.OVERRIDDEN, LocalText("核酸阴性证明", "negative test shown"))
    changed = replace(decision, outcome=Outcome.PASS, reasons=(*decision.reasons, staff))
    view = result_view(ShowResult(changed, passage(), None))
    assert view.deciding_reason is not None
    assert view.deciding_reason.zh == "工作人员已改判：核酸阴性证明"
    assert view.tint is Tint.PASS
    assert [r.zh for r in view.other_reasons] == ["红码"]
