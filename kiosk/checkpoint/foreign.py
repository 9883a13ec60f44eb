"""A recognised foreign certificate (EU DCC) at the checkpoint: what the kiosk does with it.

A verified DCC is never a pass by itself. `decide_foreign` is pure and Qt-free: by default every
foreign certificate is a manual check showing type, dates and name; a checkpoint's
`ForeignPolicy` may only make the decision stricter, or let through what keeps all its rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from healthcode.results import ForeignCertificate, ForeignCertificateType
from healthcode.text import LocalText


class ForeignVerdict(StrEnum):
    """What the kiosk does with a verified foreign certificate; values are stable codes."""

    MANUAL_CHECK = "manual_check"
    PASS = "pass"  # noqa: S105  (a verdict, not a password)
    DENY = "deny"

    @property
    def label(self) -> LocalText:
        return _VERDICT_LABELS[self]


_VERDICT_LABELS = {
    ForeignVerdict.MANUAL_CHECK: LocalText("请人工核验", "Manual check"),
    ForeignVerdict.PASS: LocalText("通行", "Pass"),
    ForeignVerdict.DENY: LocalText("禁止通行", "No entry"),
}


@dataclass(frozen=True)
class ForeignPolicy:
    """A checkpoint's rules for foreign certificates. The default asks staff for every one.

    The rules only make the decision stricter: a certificate breaking a rule is denied
    automatically (with the rule's reason); one that keeps every rule is still a manual check
    unless `pass_when_rules_hold` is set. None switches a rule off."""

    accepted_types: frozenset[ForeignCertificateType] = frozenset(ForeignCertificateType)
    deny_detected_tests: bool = False
    test_max_age: timedelta | None = None
    vaccination_complete_series: bool = False
    vaccination_min_age: timedelta | None = None  # e.g. 14 days after the last dose
    vaccination_max_age: timedelta | None = None
    recovery_within_validity: bool = False
    pass_when_rules_hold: bool = False


DEFAULT_FOREIGN_POLICY = ForeignPolicy()


@dataclass(frozen=True)
class ForeignDecision:
    verdict: ForeignVerdict
    reasons: tuple[LocalText, ...]  # why an automatic verdict was reached (empty for the default)
    notes: tuple[LocalText, ...]  # what staff should look at (e.g. a positive test)


def decide_foreign(
    certificate: ForeignCertificate, now: datetime, policy: ForeignPolicy = DEFAULT_FOREIGN_POLICY
) -> ForeignDecision:
    """Pure and Qt-free: the kiosk's checkpoint calls this for a `VerifiedCode` whose `foreign`
    is set and shows `certificate.as_json()` (type, dates, name) with the verdict."""
    broken: list[LocalText] = []
    notes: list[LocalText] = []
    kind = certificate.certificate_type
    if kind not in policy.accepted_types:
        broken.append(LocalText(f"不接受{kind.label.zh}", f"{kind.label.en}s are not accepted"))
    if kind is ForeignCertificateType.TEST:
        _test_rules(certificate, now, policy, broken, notes)
    elif kind is ForeignCertificateType.VACCINATION:
        _vaccination_rules(certificate, now, policy, broken, notes)
    else:
        _recovery_rules(certificate, now, policy, broken, notes)
    if broken:
        return ForeignDecision(ForeignVerdict.DENY, tuple(broken), tuple(notes))
    verdict = ForeignVerdict.PASS if policy.pass_when_rules_hold else ForeignVerdict.MANUAL_CHECK
    return ForeignDecision(verdict, (), tuple(notes))


def _test_rules(
    certificate: ForeignCertificate,
    now: datetime,
    policy: ForeignPolicy,
    broken: list[LocalText],
    notes: list[LocalText],
) -> None:
    if certificate.test_detected is not False:
        note = (
            LocalText("检测结果：阳性", "Test result: detected")
            if certificate.test_detected
            else LocalText("检测结果不明", "Test result unknown")
        )
        notes.append(note)
        if policy.deny_detected_tests:
            broken.append(note)
    sampled = certificate.test_sampled_at_utc
    if sampled is not None and sampled > now:
        notes.append(LocalText("采样时间在未来", "Sample time is in the future"))
        if policy.test_max_age is not None:
            broken.append(LocalText("采样时间在未来", "Sample time is in the future"))
    if policy.test_max_age is not None and (sampled is None or now - sampled > policy.test_max_age):
        hours = int(policy.test_max_age.total_seconds() // 3600)
        broken.append(LocalText(f"检测超过{hours}小时", f"Test older than {hours} hours"))


def _vaccination_rules(
    certificate: ForeignCertificate,
    now: datetime,
    policy: ForeignPolicy,
    broken: list[LocalText],
    notes: list[LocalText],
) -> None:
    dose, total = certificate.dose_number, certificate.total_doses
    complete = dose is not None and total is not None and dose >= total
    if not complete:
        series = f"{dose}/{total}"
        notes.append(LocalText(f"接种未完成（{series}）", f"Incomplete series ({series})"))
        if policy.vaccination_complete_series:
            broken.append(LocalText("接种未完成", "Incomplete vaccination series"))
    when = certificate.vaccination_date
    age = now.date() - when if when is not None else None
    if policy.vaccination_min_age is not None and (age is None or age < policy.vaccination_min_age):
        days = policy.vaccination_min_age.days
        broken.append(LocalText(f"接种未满{days}天", f"Less than {days} days since the dose"))
    if policy.vaccination_max_age is not None and (age is None or age > policy.vaccination_max_age):
        days = policy.vaccination_max_age.days
        broken.append(LocalText(f"接种已超过{days}天", f"More than {days} days since the dose"))


def _recovery_rules(
    certificate: ForeignCertificate,
    now: datetime,
    policy: ForeignPolicy,
    broken: list[LocalText],
    notes: list[LocalText],
) -> None:
    start, end = certificate.recovery_valid_from, certificate.recovery_valid_until
    inside = start is not None and end is not None and start <= now.date() <= end
    if not inside:
        notes.append(LocalText("不在康复证明有效期内", "Outside the recovery certificate's dates"))
        if policy.recovery_within_validity:
            broken.append(LocalText("不在康复证明有效期内", "Outside the recovery dates"))
