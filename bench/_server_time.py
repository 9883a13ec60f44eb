"""What bench/web.py and bench/web_pages.py share: the server's time of each request, its
percentiles and the goal lines (the goal lines of bench/fleet.py and bench/requests_cost.py too).

`ServerTimer` wraps the app's ASGI interface: each HTTP request is timed inside the call, from
its arrival to the last byte of its answer (routing, dependencies, the queries, the page), the
server's time, without the test client's thread hops, which on a busy 2-core machine cost more
than the answer.
"""

from __future__ import annotations

import time
from typing import Any


class ServerTimer:
    """ASGI middleware: the time of each HTTP request inside the app, in ms."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.samples: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        await self.app(scope, receive, send)
        self.samples.append((time.perf_counter() - started) * 1000)


def percentile(samples: list[float], share: float) -> float:
    """The sample below which `share` of them lie (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def goal(
    name: str,
    measured: float,
    unit: str,
    op: str,
    target: float,
    note: str = "",
    *,
    fmt: str = ".2f",
) -> str:
    """`goal <name>: <measured> <unit> (target <op> <value>) met|missed`, a note after;
    `measured` written with `fmt`."""
    met = measured <= target if op == "<=" else measured >= target
    verdict = "met" if met else "missed"
    line = f"goal {name}: {measured:{fmt}} {unit} (target {op} {target:g}) {verdict}"
    return line + (f" ({note})" if note else "")
