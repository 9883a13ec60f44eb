"""Who may open what: an operator's PIN checked against the staff roster's argon2id hash, and a
lockout after repeated failures.

Pure and synchronous: time is passed in, nothing is read or written here. The lockout state is a
JSON string that the kiosk keeps in the store's meta table (`ACCESS_META_KEY`), so pulling the
plug does not clear a lockout. Failures count twice: against the operator tried and against the
pad as a whole, so guessing across several operators is stopped too. Each lockout in a row lasts
longer than the one before; a right PIN, or a quiet day, forgives.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ACCESS_META_KEY = "access_lockout"
PAD = "*pad*"  # the counter of every failure on this kiosk, whoever was tried
# A PIN set now has 6 digits at least (issue 27: a leaked roster is guessed per PIN; 10^4 PINs
# fall in minutes). Shorter PINs set before still sign in until re-set, as central does for its
# operators, so the pad takes PIN_MIN_DIGITS.
PIN_MIN_DIGITS = 4
NEW_PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 12
SUPERVISOR_ROLES = frozenset({"supervisor"})
STATE_VERSION = 1


class AccessStateError(ValueError):
    """A stored lockout state that cannot be read."""


class RosterEntry(Protocol):
    """What access needs of a roster entry (`kiosk.store.Operator` has it)."""

    @property
    def operator_id(self) -> str: ...

    @property
    def pin_hash(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def active(self) -> bool: ...


@dataclass(frozen=True)
class LockoutPolicy:
    """`max_failures` wrong PINs within `window` lock for `first_lock`; each further lockout
    (before a right PIN or a quiet `forgive_after`) lasts `escalation` times longer, at most
    `longest_lock`."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=10)
    first_lock: timedelta = timedelta(minutes=5)
    escalation: int = 2
    longest_lock: timedelta = timedelta(hours=1)
    forgive_after: timedelta = timedelta(hours=24)

    def lock_for(self, level: int) -> timedelta:
        """How long the `level`-th lockout in a row lasts (level 1 is the first)."""
        factor: int = self.escalation ** max(level - 1, 0)
        return min(self.first_lock * factor, self.longest_lock)


class Denial(StrEnum):
    WRONG_PIN = "wrong_pin"  # also an unknown or inactive operator: a guesser learns nothing
    LOCKED = "locked"
    NOT_ALLOWED = "not_allowed"  # the PIN was right, the role may not open this


@dataclass(frozen=True)
class AccessResult:
    operator_id: str
    granted: bool
    denial: Denial | None = None
    locked_until: datetime | None = None
    attempts_left: int | None = None  # before a lockout, after a wrong PIN

    def remaining(self, now: datetime) -> timedelta:
        if self.locked_until is None or self.locked_until <= now:
            return timedelta(0)
        return self.locked_until - now


@dataclass
class _Counter:
    failures: list[datetime] = field(default_factory=list)
    level: int = 0
    locked_until: datetime | None = None
    last_failure: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def forgive_if_quiet(self, now: datetime, policy: LockoutPolicy) -> None:
        if self.last_failure is not None and now - self.last_failure >= policy.forgive_after:
            self.level = 0
            self.failures.clear()

    def fail(self, now: datetime, policy: LockoutPolicy) -> bool:
        """Count a failure; True when it starts a lockout."""
        self.forgive_if_quiet(now, policy)
        self.last_failure = now
        self.failures = [f for f in self.failures if abs(now - f) < policy.window] + [now]
        if len(self.failures) < policy.max_failures:
            return False
        self.level += 1
        self.locked_until = now + policy.lock_for(self.level)
        self.failures.clear()
        return True

    def left(self, policy: LockoutPolicy) -> int:
        return policy.max_failures - len(self.failures)

    def to_json(self) -> dict[str, Any]:
        return {
            "failures": [f.isoformat() for f in self.failures],
            "level": self.level,
            "locked_until": None if self.locked_until is None else self.locked_until.isoformat(),
            "last_failure": None if self.last_failure is None else self.last_failure.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> _Counter:
        def moment(value: object) -> datetime | None:
            if value is None:
                return None
            parsed = datetime.fromisoformat(str(value))
            if parsed.tzinfo is None:
                raise AccessStateError("a lockout time without a time zone")
            return parsed

        failures = [moment(f) for f in data.get("failures", [])]
        return cls(
            failures=[f for f in failures if f is not None],
            level=int(data.get("level", 0)),
            locked_until=moment(data.get("locked_until")),
            last_failure=moment(data.get("last_failure")),
        )


def pin_is_well_formed(pin: str) -> bool:
    """A PIN that may be tried at sign-in (older, shorter PINs included)."""
    return PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS and pin.isascii() and pin.isdigit()


def pin_may_be_set(pin: str) -> bool:
    """A PIN that may be chosen now: NEW_PIN_MIN_DIGITS to PIN_MAX_DIGITS digits."""
    return NEW_PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS and pin.isascii() and pin.isdigit()


def verify_pin(pin_hash: str, pin: str, hasher: PasswordHasher | None = None) -> bool:
    """True when `pin` matches an argon2id `pin_hash`; any other hash type is refused."""
    if not pin_hash.startswith("$argon2id$"):
        return False
    try:
        return (hasher or PasswordHasher()).verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


class AccessControl:
    """PIN checks and lockouts for one kiosk. Not thread-safe: one caller at a time."""

    def __init__(
        self,
        roster: Iterable[RosterEntry] = (),
        policy: LockoutPolicy | None = None,
        *,
        state: str | None = None,
    ) -> None:
        self.policy = policy or LockoutPolicy()
        self._roster: dict[str, RosterEntry] = {}
        self._counters: dict[str, _Counter] = {}
        self._hasher = PasswordHasher()
        self.replace_roster(roster)
        if state:
            self.restore(state)

    # ------------------------------------------------------------ roster

    def replace_roster(self, roster: Iterable[RosterEntry]) -> None:
        self._roster = {entry.operator_id: entry for entry in roster}

    def operator(self, operator_id: str) -> RosterEntry | None:
        return self._roster.get(operator_id)

    # ------------------------------------------------------------ checks

    def locked_until(self, operator_id: str | None, now: datetime) -> datetime | None:
        """When the pad (and this operator, if given) may be tried again; None if now."""
        keys = [PAD] if operator_id is None else [PAD, operator_id]
        ends = [
            c.locked_until
            for key in keys
            if (c := self._counters.get(key)) is not None and c.locked(now)
        ]
        return max((e for e in ends if e is not None), default=None)

    def remaining(self, operator_id: str | None, now: datetime) -> timedelta:
        until = self.locked_until(operator_id, now)
        return timedelta(0) if until is None else until - now

    def check(
        self,
        operator_id: str,
        pin: str,
        now: datetime,
        *,
        roles: Collection[str] | None = None,
    ) -> AccessResult:
        """Check a PIN at `now`. A locked pad or operator is refused before any hashing and the
        attempt is not counted. `roles`, if given, are the roles allowed in."""
        refused = self.refusal(operator_id, now)
        if refused is not None:
            return refused
        return self.conclude(operator_id, self.matches(operator_id, pin), now, roles=roles)

    # The three steps of `check`, for a caller that hashes on another thread: `refusal` and
    # `conclude` read and change the state (one thread); `matches` is slow and changes nothing.

    def refusal(self, operator_id: str, now: datetime) -> AccessResult | None:
        until = self.locked_until(operator_id, now)
        if until is None:
            return None
        return AccessResult(operator_id, False, Denial.LOCKED, locked_until=until)

    def matches(self, operator_id: str, pin: str) -> bool:
        """Whether the PIN is this active operator's (argon2id: tens of milliseconds)."""
        entry = self._roster.get(operator_id)
        return (
            entry is not None
            and entry.active
            and pin_is_well_formed(pin)
            and verify_pin(entry.pin_hash, pin, self._hasher)
        )

    def conclude(
        self,
        operator_id: str,
        right: bool,
        now: datetime,
        *,
        roles: Collection[str] | None = None,
    ) -> AccessResult:
        """Count the outcome of `matches` at `now`."""
        entry = self._roster.get(operator_id)
        if not right or entry is None:
            return self._fail(operator_id, now, known=entry is not None)
        self._counters.pop(operator_id, None)
        self._counters.pop(PAD, None)
        if roles is not None and entry.role not in roles:
            return AccessResult(operator_id, False, Denial.NOT_ALLOWED)
        return AccessResult(operator_id, True)

    def _fail(self, operator_id: str, now: datetime, *, known: bool) -> AccessResult:
        pad = self._counters.setdefault(PAD, _Counter())
        pad.fail(now, self.policy)
        left = pad.left(self.policy)
        if known:
            mine = self._counters.setdefault(operator_id, _Counter())
            if mine.fail(now, self.policy) and not pad.locked(now):
                # The operator's lockout locks the pad as well, for as long.
                pad.locked_until = mine.locked_until
            left = min(left, mine.left(self.policy))
        until = self.locked_until(operator_id, now)
        if until is not None:
            return AccessResult(operator_id, False, Denial.LOCKED, locked_until=until)
        return AccessResult(operator_id, False, Denial.WRONG_PIN, attempts_left=left)

    # ------------------------------------------------------------ persistence

    def dumps(self) -> str:
        """The lockout state as JSON (no PINs, no hashes): keep it across restarts."""
        counters = {key: counter.to_json() for key, counter in sorted(self._counters.items())}
        return json.dumps({"version": STATE_VERSION, "counters": counters}, sort_keys=True)

    def restore(self, state: str) -> None:
        try:
            data = json.loads(state)
            if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
                raise AccessStateError("unknown lockout state version")
            counters = {
                str(key): _Counter.from_json(value) for key, value in data["counters"].items()
            }
        except AccessStateError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise AccessStateError(f"unreadable lockout state: {error}") from error
        self._counters = counters
