"""A recognised foreign certificate (EU DCC) at the checkpoint: staff check it by default, a
stricter policy may deny, and the record keeps no more than our own codes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from healthcode.dcc import TEST_DETECTED
from healthcode.results import ForeignCertificate, ForeignCertificateType, VerifiedCode
from kiosk.checkpoint.events import CodeScanned, ShowResult, TemperatureRead
from kiosk.checkpoint.flow import PassageFlow
from kiosk.checkpoint.foreign import ForeignPolicy, ForeignVerdict, decide_foreign
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.checkpoint.policy import CheckpointType, default_policy
from tests.kiosk.checkpoint_support import T0, id_factory
from tests.unit.test_dcc import NOW, TEST, VACCINATION, Signer, verify

GATE = default_policy(CheckpointType.ENTERPRISE_GATE)


def certificate(**changes: object) -> VerifiedCode:
    base = ForeignCertificate(
        certificate_type=ForeignCertificateType.TEST,
        issuing_country="AT",
        holder_name="Gabriele Musterfrau",
        date_of_birth="1998-02-26",
        masked_name="G*e",
        code_id=b"\x07" * 16,
        issued_at_utc=T0 - timedelta(days=1),
        expires_at_utc=T0 + timedelta(days=30),
        test_sampled_at_utc=T0 - timedelta(hours=20),
        test_detected=False,
        vaccination_date=None,
    )
    return VerifiedCode(scheme="HC1", kid=b"k" * 8, foreign=replace(base, **changes))


def decide_for(code: VerifiedCode, policy=GATE) -> ShowResult:  # type: ignore[no-untyped-def]
    flow = PassageFlow(policy, new_id=id_factory())
    effects = flow.handle(CodeScanned(code, feed_age=timedelta(hours=1)), T0)
    effects += flow.handle(TemperatureRead(36.5, T0), T0)
    return next(e for e in effects if isinstance(e, ShowResult))


def test_a_valid_foreign_certificate_asks_staff_for_a_manual_check() -> None:
    shown = decide_for(certificate())
    assert shown.decision.outcome is Outcome.MANUAL_CHECK
    assert ReasonCode.FOREIGN_CERTIFICATE in shown.decision.reason_codes
    summary = shown.decision.reasons[0].text("en")
    assert "Test certificate (AT)" in summary and "Gabriele Musterfrau" in summary


def test_the_record_keeps_no_more_than_our_own_codes() -> None:
    record = decide_for(certificate()).record
    assert (record.scheme, record.issuer, record.masked_name) == ("HC1", "AT", "G*e")
    assert record.code_id == b"\x07" * 16
    assert "Musterfrau" not in repr(record) and "1998" not in str(vars(record))


def test_a_stricter_policy_turns_a_positive_test_away_at_once() -> None:
    strict = replace(GATE, foreign=ForeignPolicy(deny_detected_tests=True))
    flow = PassageFlow(strict, new_id=id_factory())
    effects = flow.handle(CodeScanned(certificate(test_detected=True)), T0)
    shown = next(e for e in effects if isinstance(e, ShowResult))
    assert shown.decision.outcome is Outcome.DENY


def test_a_vaccination_certificate_shows_its_date() -> None:
    code = certificate(
        certificate_type=ForeignCertificateType.VACCINATION,
        test_sampled_at_utc=None,
        test_detected=None,
        vaccination_date=date(2026, 9, 1),
        dose_number=2,
        total_doses=2,
    )
    assert "2026-09-01" in decide_for(code).decision.reasons[0].text("zh")


# --- the decision alone, on certificates signed and verified through the whole HC1 scheme --------


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


def test_by_default_every_foreign_certificate_goes_to_a_manual_check(signer: Signer) -> None:
    for payload in (VACCINATION, TEST):
        result = verify(signer.code(payload), signer.trust())
        assert isinstance(result, VerifiedCode) and result.foreign is not None
        decision = decide_foreign(result.foreign, NOW)
        assert decision.verdict is ForeignVerdict.MANUAL_CHECK
        assert decision.reasons == ()


def test_a_positive_test_is_pointed_out_to_staff_and_denied_by_a_stricter_policy(
    signer: Signer,
) -> None:
    positive = {**TEST, "t": [{**TEST["t"][0], "tr": TEST_DETECTED}]}
    result = verify(signer.code(positive), signer.trust())
    assert isinstance(result, VerifiedCode) and result.foreign is not None
    default = decide_foreign(result.foreign, NOW)
    assert default.verdict is ForeignVerdict.MANUAL_CHECK
    assert [note.en for note in default.notes] == ["Test result: detected"]
    strict = decide_foreign(result.foreign, NOW, ForeignPolicy(deny_detected_tests=True))
    assert strict.verdict is ForeignVerdict.DENY


def test_a_policy_with_rules_passes_only_what_keeps_them_all(signer: Signer) -> None:
    policy = ForeignPolicy(
        test_max_age=timedelta(hours=48),
        deny_detected_tests=True,
        vaccination_complete_series=True,
        vaccination_max_age=timedelta(days=270),
        pass_when_rules_hold=True,
    )
    for payload, now, verdict in (
        (TEST, NOW, ForeignVerdict.PASS),
        (TEST, NOW + timedelta(days=3), ForeignVerdict.DENY),
        (VACCINATION, NOW, ForeignVerdict.PASS),
    ):
        result = verify(signer.code(payload), signer.trust(), NOW)
        assert isinstance(result, VerifiedCode) and result.foreign is not None
        assert decide_foreign(result.foreign, now, policy).verdict is verdict
    incomplete = {**VACCINATION, "v": [{**VACCINATION["v"][0], "dn": 1}]}
    result = verify(signer.code(incomplete), signer.trust())
    assert isinstance(result, VerifiedCode) and result.foreign is not None
    assert decide_foreign(result.foreign, NOW, policy).verdict is ForeignVerdict.DENY


def test_a_type_the_checkpoint_does_not_accept_is_denied(signer: Signer) -> None:
    result = verify(signer.code(TEST), signer.trust())
    assert isinstance(result, VerifiedCode) and result.foreign is not None
    policy = ForeignPolicy(accepted_types=frozenset({ForeignCertificateType.VACCINATION}))
    assert decide_foreign(result.foreign, NOW, policy).verdict is ForeignVerdict.DENY
