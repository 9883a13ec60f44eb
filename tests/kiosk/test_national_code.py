"""The national health code (GB/T 38962): where the deployment names how its texts begin, it is
recognised and left to staff with the words "国家码：请人工核验"; a text no scheme of ours knows
is left to staff too. Neither is ever shown as invalid or forged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from healthcode import jkm
from healthcode.feed import FeedCopy
from healthcode.results import Rejection, RejectReason
from healthcode.schemes import VerifyContext
from healthcode.trust import TrustList
from kiosk.app.scanning import CodeChecker
from kiosk.app.trust import TrustKeeper, TrustState
from kiosk.app.viewstate import reason_line
from kiosk.checkpoint.decision import DecisionInputs, IdMatch, decide
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.checkpoint.policy import (
    CheckpointType,
    PolicyError,
    default_policy,
    policy_from_central,
)

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
GATE = default_policy(CheckpointType.ENTERPRISE_GATE)
NATIONAL_PREFIX = "https://national.example/hc/"  # a deployment's own, from its integration
NATIONAL_TEXT = NATIONAL_PREFIX + "Q2hpbmEgbmF0aW9uYWwgY29kZQ"
EMPTY_TRUST = TrustList(1, NOW - timedelta(days=1), (), ())


def decision_for(text: str, prefixes: tuple[str, ...] = ()):
    policy = policy_from_central(
        2, "enterprise_gate", {"national_code_prefixes": list(prefixes)} if prefixes else {}
    )
    feed = FeedCopy()
    feed.as_of_utc = NOW
    keeper = TrustKeeper(TrustState(trust_list=EMPTY_TRUST, feed=feed), GATE)
    keeper.swap_policy(policy)
    scanned = CodeChecker(jkm.default_registry(), keeper).check(text, NOW)
    inputs = DecisionInputs(
        code=scanned.result,
        colour_applied=None,
        colour_changed_by_feed=False,
        feed_age=scanned.feed_age,
        temperature_celsius=36.5,
        fever_confirmed=False,
        id_match=IdMatch.NOT_READ,
    )
    return scanned.result, decide(inputs, keeper.policy)


def test_a_national_code_the_deployment_names_is_a_manual_check_in_its_own_words() -> None:
    result, decision = decision_for(NATIONAL_TEXT, (NATIONAL_PREFIX,))
    assert isinstance(result, Rejection) and result.reason is RejectReason.NATIONAL_CODE
    assert result.scheme == "GB/T 38962"
    assert decision.outcome is Outcome.MANUAL_CHECK
    deciding = decision.deciding_reasons[0]
    assert deciding.code is ReasonCode.NATIONAL_CODE
    assert reason_line(deciding).zh == "国家码：请人工核验"
    assert reason_line(deciding).en == "National health code: manual check"
    assert result.message() == "国家码：请人工核验"


def test_an_unrecognised_text_is_left_to_staff_never_called_invalid() -> None:
    for text in (NATIONAL_TEXT, "XGJ2:unknown-scheme-text"):
        _, decision = decision_for(text)
        assert decision.outcome is Outcome.MANUAL_CHECK
        assert ReasonCode.CODE_REJECTED not in decision.reason_codes
        words = " ".join(reason_line(r).zh for r in decision.reasons)
        assert "无效" not in words and "伪造" not in words
        assert "国家码" in words


def test_a_damaged_code_of_our_own_is_still_denied() -> None:
    _, decision = decision_for("JKM1:" + "A" * 40, (NATIONAL_PREFIX,))
    assert decision.outcome is Outcome.DENY
    assert decision.deciding_reasons[0].code is ReasonCode.CODE_REJECTED


def test_the_registry_recognises_a_national_prefix_before_any_scheme() -> None:
    context = VerifyContext(trust=EMPTY_TRUST, now=NOW, national_code_prefixes=("GJM1:",))
    result = jkm.default_registry().verify("GJM1:abcdef", context)
    assert isinstance(result, Rejection) and result.reason is RejectReason.NATIONAL_CODE
    plain = VerifyContext(trust=EMPTY_TRUST, now=NOW)
    assert jkm.default_registry().verify("GJM1:abcdef", plain).reason is (
        RejectReason.UNKNOWN_SCHEME
    )


def test_national_prefixes_must_be_a_short_list_of_real_prefixes() -> None:
    with pytest.raises(PolicyError):
        policy_from_central(2, "village", {"national_code_prefixes": ["h"]})
    with pytest.raises(PolicyError):
        policy_from_central(2, "village", {"national_code_prefixes": "https://"})
    policy = policy_from_central(2, "village", {"national_code_prefixes": ["GJM1:"]})
    assert policy.national_code_prefixes == ("GJM1:",)
    assert policy.to_document()["national_code_prefixes"] == ["GJM1:"]
