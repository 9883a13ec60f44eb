"""A roster with cheap PIN hashes, a clock the test moves, and a passage log to look at."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher

from healthcode.claims import Colour
from kiosk.checkpoint.outcome import Outcome
from kiosk.store import Operator, Store
from tests.kiosk.checkpoint_support import ID_NUMBER, T0, passage

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
OPERATOR_PIN = "1234"
SUPERVISOR_PIN = "987654"
# 23:00 in Shanghai: passages from T0 (16:00 local) on are "today".
NOW = T0 + timedelta(hours=7)
NAMES = ["张*丰", "欧**娜", "李*", "王*明", "赵*", "陈*华"]
PLATES = ["陕A12345", "桂B54321"]


def roster() -> list[Operator]:
    return [
        Operator("op-1", "王小明", FAST.hash(OPERATOR_PIN), "operator", True),
        Operator("op-2", "刘芳", FAST.hash("2222"), "operator", True),
        Operator("sup-1", "李主管", FAST.hash(SUPERVISOR_PIN), "supervisor", True),
        Operator("gone", "赵离职", FAST.hash("1111"), "operator", False),
    ]


@dataclass
class FakeClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def fill_log(store: Store) -> None:
    """Fourteen passages today (four codes, so trails have several rows), and three older."""
    for i in range(14):
        colour = [Colour.GREEN, Colour.GREEN, Colour.YELLOW, Colour.RED][i % 4]
        fever = i % 5 == 0
        outcome = {Colour.GREEN: Outcome.PASS, Colour.YELLOW: Outcome.MANUAL_CHECK}.get(
            colour, Outcome.DENY
        )
        if fever:
            outcome = Outcome.REFER
        record = passage(
            T0 + timedelta(minutes=25 * i),
            code_byte=i % 4 + 1,
            colour=colour,
            outcome=outcome,
            fever=fever,
            operator_id="op-1" if i % 2 else "op-2",
            name=NAMES[i % 4],
            reasons=(f"colour_{colour.value}", "fever" if fever else "temperature_normal"),
        )
        store.passages.record(record).result(timeout=10)
    for days in (1, 3, 20):
        store.passages.record(passage(T0 - timedelta(days=days), code_byte=1)).result(timeout=10)


def personal_strings() -> list[str]:
    """What must never reach the audit log."""
    codes = [(bytes([b]) * 16).hex() for b in range(1, 6)]
    return [*NAMES, *PLATES, ID_NUMBER, *codes, OPERATOR_PIN, SUPERVISOR_PIN]


def flush(store: Store) -> None:
    """Wait for every write queued so far (the store's writer keeps the order)."""
    store.meta.set("test_flush", "1").result(timeout=10)


def audit_text(store: Store) -> str:
    flush(store)
    return json.dumps(
        [[str(at), actor, action, detail] for at, actor, action, detail in store.audit.entries()],
        ensure_ascii=False,
    )


def audit_actions(store: Store) -> list[tuple[str, str, dict[str, Any]]]:
    """Oldest first."""
    flush(store)
    return [(actor, action, detail) for _, actor, action, detail in store.audit.entries(1000)][::-1]
