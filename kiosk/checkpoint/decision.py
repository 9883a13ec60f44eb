"""The decision for one person: a pure function of what is known, the policy and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

from healthcode.claims import CodeKind, Colour
from healthcode.results import Rejection, RejectReason, VerificationResult, VerifiedCode
from healthcode.text import LocalText
from kiosk.checkpoint.foreign import ForeignDecision, ForeignVerdict
from kiosk.checkpoint.national import NationalCheck
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.checkpoint.policy import Policy

_COLOUR_REASONS = {
    Colour.GREEN: ReasonCode.COLOUR_GREEN,
    Colour.YELLOW: ReasonCode.COLOUR_YELLOW,
    Colour.RED: ReasonCode.COLOUR_RED,
}


class IdMatch(StrEnum):
    MATCHED = "matched"
    MISMATCHED = "mismatched"
    NOT_READ = "not_read"
    NOT_BOUND = "not_bound"  # the code has no binding, or no key for it is held here


class Action(StrEnum):
    """What is owed after a decision, beyond showing it."""

    OPEN_GATE = "open_gate"
    REPORT_FEVER = "report_fever"


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    detail: LocalText | None = None  # e.g. the verification's own reason, a temperature
    outcome: Outcome | None = None  # what this rule alone asked for (None: added by staff)

    def text(self, language: str = "zh") -> str:
        base = self.code.text.en if language == "en" else self.code.text.zh
        if self.detail is None:
            return base
        extra = self.detail.en if language == "en" else self.detail.zh
        return f"{base}: {extra}" if language == "en" else f"{base}：{extra}"


@dataclass(frozen=True)
class DecisionInputs:
    code: VerificationResult | None
    colour_applied: Colour | None  # the newest colour known (feed over code), None w/o code
    colour_changed_by_feed: bool
    feed_age: timedelta | None
    temperature_celsius: float | None
    fever_confirmed: bool
    id_match: IdMatch
    repeat_since: timedelta | None = None
    foreign: ForeignDecision | None = None  # for a recognised foreign certificate
    national_check: NationalCheck | None = None  # a national code's online check, if tried


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    colour_in_code: Colour | None
    colour_applied: Colour | None
    actions: frozenset[Action]

    @property
    def reason_codes(self) -> tuple[ReasonCode, ...]:
        return tuple(reason.code for reason in self.reasons)

    @property
    def deciding_reasons(self) -> tuple[Reason, ...]:
        """The reasons that produced the outcome, the most telling first: a change by staff,
        then the rule that asked for this outcome (a fever, an ID mismatch, the code itself,
        its colour, a stale feed, a missing step). Never empty when there is a reason."""
        overridden = [r for r in self.reasons if r.code is ReasonCode.OVERRIDDEN]
        if overridden:
            return (overridden[-1],)
        deciding = [r for r in self.reasons if r.outcome is self.outcome] or list(self.reasons)
        return tuple(sorted(deciding, key=lambda r: _DECIDING_ORDER.index(r.code)))


def decide(inputs: DecisionInputs, policy: Policy) -> Decision:
    """Every rule gives an outcome and a reason; the strictest outcome wins, every reason is
    kept."""
    verdicts: list[tuple[Outcome, Reason]] = []
    code = inputs.code
    own = isinstance(code, VerifiedCode) and not code.is_foreign
    colour_in_code = code.claims.colour if own and isinstance(code, VerifiedCode) else None

    if code is None:
        verdicts.append((Outcome.MANUAL_CHECK, Reason(ReasonCode.NO_CODE)))
    elif (
        isinstance(code, Rejection)
        and code.reason is RejectReason.NATIONAL_CODE
        and inputs.national_check is not None
    ):
        verdicts.extend(_national_verdicts(inputs.national_check, policy))
    elif isinstance(code, Rejection) and code.reason in _FOR_STAFF:
        # Never "invalid" or "forged": the national code is verified online only, and a text no
        # scheme of ours knows may be another region's code (DOMAIN.md: 互信互认).
        verdicts.append((Outcome.MANUAL_CHECK, Reason(_FOR_STAFF[code.reason])))
    elif isinstance(code, Rejection):
        verdicts.append((Outcome.DENY, Reason(ReasonCode.CODE_REJECTED, rejection_text(code))))
    elif code.foreign is not None:
        verdicts.extend(_foreign_verdicts(code, inputs.foreign))
    else:
        colour = inputs.colour_applied or code.claims.colour
        verdicts.append((policy.colour_outcomes[colour], Reason(_COLOUR_REASONS[colour])))
        if inputs.colour_changed_by_feed:
            verdicts.append((policy.colour_outcomes[colour], Reason(ReasonCode.COLOUR_CHANGED)))
        if colour is Colour.GREEN and policy.colour_outcomes[colour] is Outcome.PASS:
            if inputs.feed_age is None:
                verdicts.append((Outcome.MANUAL_CHECK, Reason(ReasonCode.FEED_MISSING)))
            elif inputs.feed_age > policy.max_feed_age:
                hours = inputs.feed_age.total_seconds() / 3600
                detail = LocalText(f"{hours:.0f} 小时前", f"{hours:.0f} hours old")
                verdicts.append((Outcome.MANUAL_CHECK, Reason(ReasonCode.FEED_TOO_OLD, detail)))

    if inputs.temperature_celsius is not None:
        celsius = f"{inputs.temperature_celsius:.1f} °C"
        reading = LocalText(celsius, celsius)
        if inputs.fever_confirmed:
            verdicts.append((policy.fever_outcome, Reason(ReasonCode.FEVER, reading)))
        else:
            verdicts.append((Outcome.PASS, Reason(ReasonCode.TEMPERATURE_NORMAL, reading)))
    elif policy.temperature_required and not _code_alone_denies(verdicts):
        # A code that is turned away by itself is decided at once: nothing else is missing.
        verdicts.append((Outcome.MANUAL_CHECK, Reason(ReasonCode.TEMPERATURE_MISSING)))

    if not _code_alone_denies(verdicts) or inputs.id_match is IdMatch.MISMATCHED:
        verdicts.extend(_identity_verdicts(inputs.id_match, policy, code is not None))
    if inputs.repeat_since is not None:
        minutes = int(inputs.repeat_since.total_seconds() // 60)
        detail = (
            LocalText(f"{minutes} 分钟前", f"{minutes} min ago")
            if minutes
            else LocalText("刚刚", "just now")
        )
        verdicts.append((Outcome.PASS, Reason(ReasonCode.REPEAT, detail)))

    outcome = max((o for o, _ in verdicts), key=lambda o: o.severity)
    actions: set[Action] = set()
    if inputs.fever_confirmed:
        actions.add(Action.REPORT_FEVER)
    if outcome is Outcome.PASS:
        actions.add(Action.OPEN_GATE)
    return Decision(
        outcome=outcome,
        reasons=tuple(replace(reason, outcome=outcome) for outcome, reason in verdicts),
        colour_in_code=colour_in_code,
        colour_applied=inputs.colour_applied if code is not None else None,
        actions=frozenset(actions),
    )


def _national_verdicts(check: NationalCheck, policy: Policy) -> list[tuple[Outcome, Reason]]:
    """The online check's answer, through the policy as a code's own colour would be; no
    answer (offline, a timeout, an error) keeps the manual check, saying why."""
    if not check.answered:
        detail = check.failure.text if check.failure is not None else None
        return [(Outcome.MANUAL_CHECK, Reason(ReasonCode.NATIONAL_CODE, detail))]
    if not check.valid or check.colour is None:
        return [(Outcome.DENY, Reason(ReasonCode.NATIONAL_REFUSED_ONLINE))]
    outcome = policy.colour_outcomes[check.colour]
    return [(outcome, Reason(ReasonCode.NATIONAL_CHECKED_ONLINE, check.colour.label))]


_FOR_STAFF = {
    RejectReason.NATIONAL_CODE: ReasonCode.NATIONAL_CODE,
    RejectReason.NOT_A_HEALTH_CODE: ReasonCode.CODE_NOT_RECOGNISED,
    RejectReason.UNKNOWN_SCHEME: ReasonCode.CODE_NOT_RECOGNISED,
}


_DECIDING_ORDER = (
    ReasonCode.OVERRIDDEN,
    ReasonCode.FEVER,
    ReasonCode.ID_MISMATCHED,
    ReasonCode.CODE_REJECTED,
    ReasonCode.NATIONAL_REFUSED_ONLINE,
    ReasonCode.NATIONAL_CHECKED_ONLINE,
    ReasonCode.COLOUR_RED,
    ReasonCode.COLOUR_YELLOW,
    ReasonCode.FOREIGN_CERTIFICATE,
    ReasonCode.FOREIGN_RULE,
    ReasonCode.NATIONAL_CODE,
    ReasonCode.CODE_NOT_RECOGNISED,
    ReasonCode.FEED_TOO_OLD,
    ReasonCode.FEED_MISSING,
    ReasonCode.NO_CODE,
    ReasonCode.TEMPERATURE_MISSING,
    ReasonCode.ID_NOT_READ,
    ReasonCode.ID_NOT_BOUND,
    ReasonCode.COLOUR_GREEN,
    ReasonCode.COLOUR_CHANGED,
    ReasonCode.ID_MATCHED,
    ReasonCode.TEMPERATURE_NORMAL,
    ReasonCode.REPEAT,
)


def most_telling(codes: Iterable[ReasonCode]) -> ReasonCode | None:
    """The reason among `codes` that best says why (for a stored passage, which keeps its
    reasons' codes but not what each asked for); a change by staff is said apart."""
    kept = [code for code in codes if code is not ReasonCode.OVERRIDDEN]
    return min(kept, key=_DECIDING_ORDER.index) if kept else None


_PAPER_KINDS = frozenset({CodeKind.PAPER, CodeKind.PROXY})
_PAPER_EXPIRED = LocalText(
    "纸质码已过期，请到社区或村委会重新领取",
    "Paper code expired: get a new one at your community office",
)


def rejection_text(rejection: Rejection) -> LocalText:
    """What the person should do: paper cannot be refreshed, an app code can."""
    if rejection.reason is RejectReason.EXPIRED and rejection.kind in _PAPER_KINDS:
        return _PAPER_EXPIRED
    return rejection.reason.text


_FOREIGN_OUTCOMES = {
    ForeignVerdict.MANUAL_CHECK: Outcome.MANUAL_CHECK,
    ForeignVerdict.PASS: Outcome.PASS,
    ForeignVerdict.DENY: Outcome.DENY,
}


def _foreign_verdicts(
    code: VerifiedCode, decision: ForeignDecision | None
) -> list[tuple[Outcome, Reason]]:
    certificate = code.foreign
    if certificate is None:
        return []
    kind = certificate.certificate_type.label
    # Shown to staff for the check, never stored: the record keeps only the reason code.
    when = (
        certificate.vaccination_date
        or certificate.test_sampled_at_utc
        or certificate.recovery_valid_until
        or certificate.issued_at_utc
    )
    day = when.isoformat()[:10]
    holder = certificate.holder_name
    country = certificate.issuing_country
    summary = LocalText(
        f"{kind.zh}（{country}）{holder}，{day}", f"{kind.en} ({country}) {holder}, {day}"
    )
    verdict = decision.verdict if decision is not None else ForeignVerdict.MANUAL_CHECK
    outcome = _FOREIGN_OUTCOMES[verdict]
    verdicts = [(outcome, Reason(ReasonCode.FOREIGN_CERTIFICATE, summary))]
    if decision is not None:
        for text in (*decision.reasons, *decision.notes):
            verdicts.append((outcome, Reason(ReasonCode.FOREIGN_RULE, text)))
    return verdicts


def _code_alone_denies(verdicts: list[tuple[Outcome, Reason]]) -> bool:
    return any(
        outcome is Outcome.DENY and reason.code in _CODE_REASONS for outcome, reason in verdicts
    )


_CODE_REASONS = frozenset(
    {*_COLOUR_REASONS.values(), ReasonCode.CODE_REJECTED, ReasonCode.FOREIGN_CERTIFICATE}
)


def _identity_verdicts(
    match: IdMatch, policy: Policy, has_code: bool
) -> list[tuple[Outcome, Reason]]:
    if match is IdMatch.MATCHED:
        return [(Outcome.PASS, Reason(ReasonCode.ID_MATCHED))]
    if match is IdMatch.MISMATCHED:
        # A code that belongs to someone else is never a pass, whatever the policy asks.
        return [(Outcome.DENY, Reason(ReasonCode.ID_MISMATCHED))]
    if not policy.id_match_required or not has_code:
        return []
    if match is IdMatch.NOT_BOUND:
        return [(Outcome.MANUAL_CHECK, Reason(ReasonCode.ID_NOT_BOUND))]
    return [(Outcome.MANUAL_CHECK, Reason(ReasonCode.ID_NOT_READ))]
