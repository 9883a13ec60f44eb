"""The scenes of issue 25, each against its goal.

    python bench/scenes.py [--seconds S] [--rate N] [--database-url URL]

`SCENES` lists each scene's function: it takes the parsed options and returns its `Goal`s; the
runner prints every figure, then the goal lines (`goal <name>: <measured> <unit> (target <op>
<value>) met|missed`). A scene kept in a file of its own is added to `SCENES` by importing its
function (bench/ is on the path when this file runs).

Tip-off (notice 004, 疫情线索举报): residents post tip-offs at `--rate` a second (open loop:
each post leaves on its own schedule, whether earlier answers came back or not) for `--seconds`
through the app's ASGI interface (httpx over the app, the app's own thread pool), each through
the real form with its CSRF token, to the communities of the shipped region file, each of which
has a grid worker with a phone. The SMS sender records when each tip-off's notice reaches it
(and then takes 50 ms, as a provider's answer would). Measured: from the post leaving to its
notice reaching the sender, p95. Goal: <= 1 s. On SQLite, and on PostgreSQL with
CENTRAL_TEST_POSTGRES_URL or --database-url (a throwaway database; without, not measured).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from _postgres import throwaway_database
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.administration.accounts import NewAccount, provision_account, seal_liaison_phone
from central.app import create_app
from central.core.bootstrap import prepare
from central.core.cipher import record_cipher
from central.core.db import make_engine, make_sessions, session_scope
from central.core.models import Region
from central.core.regions import SAMPLE_FILE, load_region_file
from central.core.scope import Role
from central.core.settings import Settings
from central.web import csrf
from central.web.tip_off_pages import BINDING, PURPOSE
from healthcode.console import say, survives_closed_stdout

TIP_OFF_TARGET_S = 1.0
PROVIDER_DELAY_S = 0.05
NUMBER = re.compile(r'<strong id="number" class="mono">(\d+)</strong>')


@dataclass(frozen=True)
class Goal:
    name: str
    measured: float | None  # None: not measured (said in `note`)
    unit: str
    op: str  # "<=" or ">="
    target: float
    note: str = ""

    @property
    def met(self) -> bool:
        if self.measured is None:
            return False
        return self.measured <= self.target if self.op == "<=" else self.measured >= self.target

    def line(self) -> str:
        """The goal line; it ends with met or missed (bench/run.py counts by that)."""
        target = f"(target {self.op} {self.target:g})"
        verdict = "met" if self.met else "missed"
        if self.measured is None:
            return f"goal {self.name}: not measured ({self.note}) {target} {verdict}"
        return f"goal {self.name}: {self.measured:.3g} {self.unit} {target} {verdict}"


class TimedSender:
    """The SMS sender: notes when each tip-off's notice arrives, then answers like a provider."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self._lock = threading.Lock()

    def send_code(self, phone: str, code: str) -> None:  # the resident codes: not in this scene
        del phone, code

    def send_notice(self, phone: str, params: Mapping[str, str]) -> None:
        del phone
        with self._lock:
            self.arrived[params["number"]] = time.perf_counter()
        time.sleep(PROVIDER_DELAY_S)


def _liaisons(settings: Settings, now: datetime) -> list[str]:
    """A grid worker with a phone in every community of the region file: their areas."""
    prepare(settings, now, first_admin="admin")
    cipher = record_cipher(settings.resolved_keys_dir)
    with session_scope_of(settings) as session:
        load_region_file(session, SAMPLE_FILE)
        areas = list(session.scalars(select(Region.code).where(Region.level == 5)))
        for index, area in enumerate(areas):
            new = NewAccount(f"grid{index}", Role.GRID_WORKER, area, phone=f"139{index:08d}")
            admin, _ = provision_account(session, new, now, timedelta(days=1))
            seal_liaison_phone(admin, new.phone, cipher)
    return areas


@contextmanager
def session_scope_of(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            yield session
    finally:
        engine.dispose()


async def _post_all(
    app: object, areas: list[str], token: tuple[str, str], rate: int, seconds: float
) -> list[tuple[float, str | None]]:
    nonce, form_token = token
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    cookie = {"Cookie": f"{csrf.cookie_name(PURPOSE)}={nonce}"}

    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def one(index: int, start: float) -> tuple[float, str | None]:
            form = {
                "csrf": form_token,
                "kind": "clue",
                "clue_name": "张三",
                "area_code": areas[index % len(areas)],
                "place": f"{index}号楼",
                "situation": "symptoms",
            }
            answer = await client.post("/tip-off", data=form, headers=cookie)
            found = NUMBER.search(answer.text) if answer.status_code == 201 else None
            return start, found[1] if found else None

        tasks = []
        count = int(rate * seconds)
        begin = time.perf_counter()
        for index in range(count):
            due = begin + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(index, time.perf_counter())))
        return await asyncio.gather(*tasks)


def tip_off_scene(label: str, database_url: str | None, args: argparse.Namespace) -> Goal:
    name = f"tip_off_sms_p95_{label}"
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder),
            database_url=database_url or f"sqlite:///{Path(folder) / 'central.db'}",
            sms_provider="log",
            tip_offs_per_address_per_minute=1_000_000,  # every post comes from one address here
            _env_file=None,  # type: ignore[call-arg]
        )
        areas = _liaisons(settings, datetime.now(UTC))
        sender = TimedSender()
        app = create_app(settings, sms_sender=sender)
        token = csrf.issue(
            record_cipher(settings.resolved_keys_dir), purpose=PURPOSE, binding=BINDING
        )
        results = asyncio.run(_post_all(app, areas, token, args.rate, args.seconds))
        time.sleep(1.0)  # the last notices still on their way
        waits = [
            sender.arrived[number] - start
            for start, number in results
            if number is not None and number in sender.arrived
        ]
        lost = len(results) - len(waits)
        if not waits:
            return Goal(name, None, "s", "<=", TIP_OFF_TARGET_S, "no tip-off reached the sender")
        p95 = statistics.quantiles(waits, n=20)[-1] if len(waits) > 1 else waits[0]
        say(
            f"tip-offs ({label}): {len(results)} posted at {args.rate}/s over {args.seconds:g} s"
            f" to {len(areas)} liaisons; to the SMS sender median {statistics.median(waits):.3f} s,"
            f" p95 {p95:.3f} s, max {max(waits):.3f} s; {lost} not delivered"
        )
        return Goal(
            name,
            p95 if lost == 0 else None,
            "s",
            "<=",
            TIP_OFF_TARGET_S,
            f"{lost} not delivered" if lost else "",
        )


def tip_off_goals(args: argparse.Namespace) -> list[Goal]:
    goals = [tip_off_scene("sqlite", None, args)]
    if args.database_url:
        with throwaway_database(args.database_url, "bench_scenes") as url:
            goals.append(tip_off_scene("postgresql", url, args))
    else:
        goals.append(
            Goal(
                "tip_off_sms_p95_postgresql",
                None,
                "s",
                "<=",
                TIP_OFF_TARGET_S,
                "no PostgreSQL given",
            )
        )
    return goals


def purchase_goals(_options: argparse.Namespace) -> list[Goal]:
    """Pharmacy (notice 004, 购药登记): bench/_scene_purchase.py."""
    from _scene_purchase import TARGET_S, purchase_seconds  # bench/ is this file's folder

    seconds = purchase_seconds()
    return [Goal("pharmacy_purchase_in_county_report", seconds, "s", "<=", TARGET_S)]


# Each scene: the parsed options -> its goals.
SCENES: list[Callable[[argparse.Namespace], list[Goal]]] = [tip_off_goals, purchase_goals]


@survives_closed_stdout
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=100, help="tip-offs posted a second")
    parser.add_argument("--database-url", default=os.environ.get("CENTRAL_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    goals = [goal for scene in SCENES for goal in scene(args)]
    for goal in goals:
        say(goal.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
