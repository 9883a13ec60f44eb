"""Serial driver figures: parse throughput per protocol, and ID-card read latency over a pty.

Prints frames per second for each codec (deframing in 64-byte reads, then parsing), then the
time from placing a card to a parsed identity through the real driver over a pseudo-terminal
whose simulator sends at 115200 baud, as a ratio to the wire time of the 1295-byte read reply
(112 ms). Ends with one goal line per goal; always exits 0.
"""

from __future__ import annotations

import queue
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.idcard.driver import IdCardDriver
from drivers.idcard.protocol import (
    BAUDRATE,
    SW_OK,
    IdentityRead,
    SamDeframer,
    encode_read_data,
    parse_read_data,
    parse_reply,
    sam_reply,
)
from drivers.idcard.simulator import SAMPLE_RESIDENT, SimIdCardReader, SimIdCardSettings
from drivers.serialio.framing import Deframer
from drivers.serialio.simport import PtySim
from drivers.serialio.transport import open_url
from drivers.thermometer.protocol import (
    LINE_PRESETS,
    Aaa5Deframer,
    GyDeframer,
    LineDeframer,
    aaa5_measure_reply,
    gy_frame,
    parse_aaa5_measure,
    parse_ascii_line,
    parse_gy_frame,
    split_aaa5_frame,
)
from healthcode.console import say, survives_closed_stdout

READ_WIRE_TIME_S = 1295 * 10 / 115200  # 0.1124 s
CHUNK = 64
RUN_S = 0.5


def parse_rate(
    name: str, frame: bytes, make: Callable[[], Deframer], parse: Callable[[bytes], object]
) -> float:
    """Frames per second through deframer and parser, fed in CHUNK-byte reads."""
    per_batch = max(1, 65536 // len(frame))
    stream = frame * per_batch
    chunks = [stream[i : i + CHUNK] for i in range(0, len(stream), CHUNK)]
    frames = 0
    start = time.perf_counter()
    while time.perf_counter() - start < RUN_S:
        deframer = make()
        for chunk in chunks:
            for item in deframer.feed(chunk):
                if isinstance(item, bytes):
                    parse(item)
                    frames += 1
    rate = frames / (time.perf_counter() - start)
    say(f"parse {name:<14} {rate:>12,.0f} frames/s  ({len(frame)}-byte frames)")
    return rate


def card_latencies(runs: int) -> list[float]:
    """Seconds from placing a card to the identity callback, through the driver over a pty."""
    device = SimIdCardReader(SimIdCardSettings(card="none"))
    identities: queue.Queue[IdentityRead] = queue.Queue()
    latencies: list[float] = []
    rng = random.Random(4)
    with PtySim(device, baudrate=BAUDRATE) as sim:
        driver = IdCardDriver(
            open_url(sim.path, baudrate=BAUDRATE),
            on_identity=identities.put,
            on_state=lambda event: None,
            poll_interval_s=0.05,
        )
        driver.start()
        try:
            for run in range(runs):
                device.remove_card()
                # A person arrives at a random moment of the driver's poll cycle.
                time.sleep(rng.uniform(0.05, 0.15))
                card = replace(SAMPLE_RESIDENT, id_number=f"{110105194912310000 + run}")
                start = time.perf_counter()
                device.place_card(card)
                identities.get(timeout=5.0)
                latencies.append(time.perf_counter() - start)
        finally:
            driver.stop()
    return latencies


def goal(name: str, measured: float, unit: str, op: str, target: float, fmt: str) -> str:
    met = measured <= target if op == "<=" else measured >= target
    verdict = "met" if met else "missed"
    return f"goal {name}: {measured:{fmt}} {unit} (target {op} {target:g}) {verdict}"


@survives_closed_stdout
def main() -> int:
    rates = {
        "gy-mcu90614": parse_rate("gy-mcu90614", gy_frame(33.8, 25.0), GyDeframer, parse_gy_frame),
        "body-aaa5": parse_rate(
            "body-aaa5",
            aaa5_measure_reply(33.8, 25.0),
            Aaa5Deframer,
            lambda f: parse_aaa5_measure(split_aaa5_frame(f)[1]),
        ),
        "ascii-line": parse_rate(
            "ascii-line",
            b"Ambient = 25.00*C\tObject = 33.80*C\r\n",
            LineDeframer,
            lambda f: parse_ascii_line(f, LINE_PRESETS["mlx-sketch"]),
        ),
    }
    sam_rate = parse_rate(
        "sam-read-1295",
        sam_reply(SW_OK, encode_read_data(SAMPLE_RESIDENT)),
        SamDeframer,
        lambda f: parse_read_data(parse_reply(f).data),
    )
    latencies = card_latencies(12)
    median_s = statistics.median(latencies)
    say(
        f"idcard card-present -> identity over pty at 115200: median {median_s * 1000:.1f} ms, "
        f"min {min(latencies) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms "
        f"({len(latencies)} cards; read reply wire time {READ_WIRE_TIME_S * 1000:.1f} ms; "
        f"SAM read parse {sam_rate:,.0f}/s)"
    )
    slowest = min(rates.values())
    say(goal("idcard_read_latency_ratio", median_s / READ_WIRE_TIME_S, "ratio", "<=", 1.5, ".2f"))
    say(goal("thermometer_parse_rate", slowest, "frames/s", ">=", 10000, ".0f"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
