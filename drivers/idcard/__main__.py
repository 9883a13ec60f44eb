"""Technicians' CLI: `python -m drivers.idcard PORT_URL [--show-full]`.

Prints each identity read (name and ID number masked unless --show-full; the photo only as
its size) and each reader state change as a JSON line. Exit codes: 0 done (--count reached,
Ctrl-C, or the reader closed the output: `| head`), 2 wrong port or options, 3 the reader
stayed silent.
"""

from __future__ import annotations

import argparse
import queue
import sys
from collections.abc import Sequence

from drivers.idcard import open_id_reader
from drivers.idcard.protocol import BAUDRATE, IdentityRead
from drivers.serialio.cli import (
    EXIT_OK,
    EXIT_SILENT,
    EXIT_USAGE,
    fail,
    print_json,
    state_record,
    survives_closed_stdout,
)
from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m drivers.idcard",
        description="Read ID cards from a SAM reader and print JSON lines.",
    )
    parser.add_argument("port", help="port URL: /dev/ttyUSB0, /dev/rfcomm0, simidcard://...")
    parser.add_argument("--show-full", action="store_true", help="print full names and numbers")
    parser.add_argument("--baud", type=int, default=BAUDRATE)
    parser.add_argument("--count", type=int, default=0, help="stop after N cards (0: never)")
    parser.add_argument("--silent-timeout", type=float, default=2.0, metavar="S")
    return parser


def masked_name(name: str) -> str:
    """张三丰 -> 张*丰, 张三 -> 张*: the kiosk's masking (healthcode.identity.mask_name), kept
    here so this diagnostics tool prints no full name without importing what runs above it."""
    name = name.strip()
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def masked_id_number(number: str) -> str:
    """110105********002X, as the kiosk shows it (healthcode.identity.mask_id_number);
    anything not 18 characters long shows at most its last two."""
    number = "".join(number.split()).upper()
    if len(number) == 18:
        return number[:6] + "*" * 8 + number[-4:]
    shown = 2 if len(number) > 6 else 0
    return "*" * (len(number) - shown) + number[len(number) - shown :]


def identity_record(identity: IdentityRead, *, show_full: bool) -> dict[str, object]:
    return {
        "event": "identity",
        "card_type": identity.card_type.value,
        "name": identity.name if show_full else masked_name(identity.name),
        "id_number": identity.id_number if show_full else masked_id_number(identity.id_number),
        "gender": identity.gender.label,
        "nation": identity.nation,
        "birth_date": identity.birth_date if show_full else None,
        "address": identity.address if show_full else identity.address[:6] + "…",
        "issuing_authority": identity.issuing_authority,
        "valid_from": identity.valid_from,
        "valid_to": identity.valid_to,  # null: 长期 (no end)
        "photo_bytes": len(identity.photo_wlt),
    }


@survives_closed_stdout
def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    events: queue.Queue[IdentityRead | DeviceStateEvent] = queue.Queue()
    try:
        driver = open_id_reader(
            args.port,
            on_identity=events.put,
            on_state=events.put,
            baudrate=args.baud,
            response_timeout_s=args.silent_timeout,
        )
    except OSError as error:
        return fail(f"{error} (check the port name and that no other program uses it)", EXIT_USAGE)
    cards = 0
    answered = False
    try:
        while args.count == 0 or cards < args.count:
            item = events.get()
            if isinstance(item, IdentityRead):
                cards += 1
                answered = True
                if not print_json(identity_record(item, show_full=args.show_full)):
                    break  # the reader has gone: it chose to stop
                continue
            if not print_json(state_record(item)):
                break
            if item.state is DeviceState.ERROR and item.reason is not DeviceFault.TIMEOUT:
                answered = True
            if item.reason is DeviceFault.TIMEOUT and not answered:
                return fail(
                    f"reader on {args.port} silent for {args.silent_timeout:g} s: check the "
                    f"cable, the power and --baud ({args.baud})",
                    EXIT_SILENT,
                )
    except KeyboardInterrupt:
        pass
    finally:
        driver.stop()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
