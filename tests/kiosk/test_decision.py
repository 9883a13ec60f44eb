"""Every checkpoint rule of DOMAIN.md as a table: inputs and policy in, outcome and reasons out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from healthcode.claims import CodeKind, Colour
from healthcode.results import Rejection, RejectReason
from kiosk.checkpoint.decision import (
    _DECIDING_ORDER,
    Action,
    DecisionInputs,
    IdMatch,
    decide,
    rejection_text,
)
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.checkpoint.policy import CheckpointType, default_policy
from tests.kiosk.checkpoint_support import rejected, verified

GATE = default_policy(CheckpointType.ENTERPRISE_GATE)
CLINIC = default_policy(CheckpointType.CLINIC)
ROAD = default_policy(CheckpointType.ROAD_JUNCTION)
FRESH = timedelta(hours=1)


def inputs(**changes: object) -> DecisionInputs:
    base = DecisionInputs(
        code=verified(Colour.GREEN),
        colour_applied=Colour.GREEN,
        colour_changed_by_feed=False,
        feed_age=FRESH,
        temperature_celsius=36.5,
        fever_confirmed=False,
        id_match=IdMatch.NOT_READ,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


R = ReasonCode
CASES = [
    # (name, policy, inputs, outcome, reasons that must be present)
    (
        "green code, normal temperature passes",
        GATE,
        inputs(),
        Outcome.PASS,
        {R.COLOUR_GREEN, R.TEMPERATURE_NORMAL},
    ),
    (
        "yellow code is turned away at a factory gate",
        GATE,
        inputs(code=verified(Colour.YELLOW), colour_applied=Colour.YELLOW),
        Outcome.DENY,
        {R.COLOUR_YELLOW},
    ),
    (
        "red code is turned away",
        GATE,
        inputs(code=verified(Colour.RED), colour_applied=Colour.RED),
        Outcome.DENY,
        {R.COLOUR_RED},
    ),
    (
        "yellow code gets a manual check at a clinic",
        CLINIC,
        inputs(code=verified(Colour.YELLOW), colour_applied=Colour.YELLOW),
        Outcome.MANUAL_CHECK,
        {R.COLOUR_YELLOW},
    ),
    (
        "red code is turned away at a clinic too",
        CLINIC,
        inputs(code=verified(Colour.RED), colour_applied=Colour.RED),
        Outcome.DENY,
        {R.COLOUR_RED},
    ),
    (
        "a red feed entry newer than a green code denies it",
        GATE,
        inputs(colour_applied=Colour.RED, colour_changed_by_feed=True),
        Outcome.DENY,
        {R.COLOUR_RED, R.COLOUR_CHANGED},
    ),
    (
        "a green code with a stale status feed needs a manual check",
        GATE,
        inputs(feed_age=timedelta(hours=25)),
        Outcome.MANUAL_CHECK,
        {R.FEED_TOO_OLD},
    ),
    (
        "a green code with no status feed at all needs a manual check",
        GATE,
        inputs(feed_age=None),
        Outcome.MANUAL_CHECK,
        {R.FEED_MISSING},
    ),
    (
        "a red code with a stale feed is still denied",
        GATE,
        inputs(code=verified(Colour.RED), colour_applied=Colour.RED, feed_age=timedelta(days=9)),
        Outcome.DENY,
        {R.COLOUR_RED},
    ),
    (
        "a confirmed fever is referred for observation and reported",
        GATE,
        inputs(temperature_celsius=38.2, fever_confirmed=True),
        Outcome.REFER,
        {R.FEVER},
    ),
    (
        "a fever outranks a red code: observation, not just no entry",
        GATE,
        inputs(
            code=verified(Colour.RED),
            colour_applied=Colour.RED,
            temperature_celsius=38.0,
            fever_confirmed=True,
        ),
        Outcome.REFER,
        {R.FEVER, R.COLOUR_RED},
    ),
    (
        "no temperature where one is required needs a manual check",
        GATE,
        inputs(temperature_celsius=None),
        Outcome.MANUAL_CHECK,
        {R.TEMPERATURE_MISSING},
    ),
    (
        "no temperature is fine where none is required",
        replace(GATE, temperature_required=False),
        inputs(temperature_celsius=None),
        Outcome.PASS,
        {R.COLOUR_GREEN},
    ),
    (
        "an ID card that is not the code's holder is denied",
        GATE,
        inputs(id_match=IdMatch.MISMATCHED),
        Outcome.DENY,
        {R.ID_MISMATCHED},
    ),
    (
        "a matching ID card passes",
        ROAD,
        inputs(id_match=IdMatch.MATCHED),
        Outcome.PASS,
        {R.ID_MATCHED},
    ),
    (
        "no ID card where one is required needs a manual check",
        ROAD,
        inputs(),
        Outcome.MANUAL_CHECK,
        {R.ID_NOT_READ},
    ),
    (
        "a code that cannot be matched to a card needs a manual check there",
        ROAD,
        inputs(id_match=IdMatch.NOT_BOUND),
        Outcome.MANUAL_CHECK,
        {R.ID_NOT_BOUND},
    ),
    (
        "an expired code is denied with its reason",
        GATE,
        inputs(code=rejected(RejectReason.EXPIRED), colour_applied=None),
        Outcome.DENY,
        {R.CODE_REJECTED},
    ),
    (
        "a forged code is denied",
        GATE,
        inputs(code=rejected(RejectReason.BAD_SIGNATURE), colour_applied=None),
        Outcome.DENY,
        {R.CODE_REJECTED},
    ),
    (
        "an ID card alone gets a manual check",
        GATE,
        inputs(code=None, colour_applied=None, id_match=IdMatch.NOT_READ),
        Outcome.MANUAL_CHECK,
        {R.NO_CODE},
    ),
    (
        "a repeat is noted but still passes",
        GATE,
        inputs(repeat_since=timedelta(minutes=7)),
        Outcome.PASS,
        {R.REPEAT},
    ),
]


@pytest.mark.parametrize(
    ("policy", "given", "outcome", "reasons"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_checkpoint_rules(policy, given, outcome, reasons) -> None:  # type: ignore[no-untyped-def]
    decision = decide(given, policy)
    assert decision.outcome is outcome
    assert reasons <= set(decision.reason_codes)


def test_37_3_is_normal_and_anything_above_is_a_fever() -> None:
    assert not GATE.is_fever(37.3)
    assert GATE.is_fever(37.4)


def test_a_pass_opens_the_gate_and_a_fever_is_reported() -> None:
    assert decide(inputs(), GATE).actions == {Action.OPEN_GATE}
    fever = decide(inputs(temperature_celsius=38.0, fever_confirmed=True), GATE)
    assert fever.actions == {Action.REPORT_FEVER}


def test_the_decision_keeps_both_the_printed_and_the_applied_colour() -> None:
    decision = decide(inputs(colour_applied=Colour.RED, colour_changed_by_feed=True), GATE)
    assert decision.colour_in_code is Colour.GREEN
    assert decision.colour_applied is Colour.RED


def test_every_reason_and_outcome_reads_in_both_languages() -> None:
    decision = decide(inputs(feed_age=timedelta(hours=30), temperature_celsius=36.6), GATE)
    for reason in decision.reasons:
        assert reason.text("zh") and reason.text("en")
        assert reason.text("zh") != reason.text("en")
    for outcome in Outcome:
        assert outcome.label.zh and outcome.label.en
    assert [o.label.zh for o in Outcome] == ["通行", "禁止通行", "请留观", "请人工核验"]


def test_a_code_that_is_turned_away_by_itself_names_nothing_else_as_missing() -> None:
    decision = decide(
        inputs(code=verified(Colour.RED), colour_applied=Colour.RED, temperature_celsius=None),
        ROAD,
    )
    assert decision.outcome is Outcome.DENY
    assert decision.reason_codes == (R.COLOUR_RED,)


def test_every_reason_has_a_rank_and_each_carries_the_outcome_it_asked_for() -> None:
    assert set(_DECIDING_ORDER) == set(ReasonCode)
    decision = decide(inputs(id_match=IdMatch.MISMATCHED), ROAD)
    assert decision.deciding_reasons[0].code is ReasonCode.ID_MISMATCHED
    outcomes = {reason.code: reason.outcome for reason in decision.reasons}
    assert outcomes[ReasonCode.COLOUR_GREEN] is Outcome.PASS
    assert outcomes[ReasonCode.ID_MISMATCHED] is Outcome.DENY


def test_an_expired_paper_code_is_told_where_to_get_a_new_one() -> None:
    paper = Rejection(RejectReason.EXPIRED, "test", kind=CodeKind.PAPER)
    app = Rejection(RejectReason.EXPIRED, "test", kind=CodeKind.APP)
    assert "社区" in rejection_text(paper).zh
    assert rejection_text(app).zh == "健康码已过期，请刷新"
