"""`python -m sync enroll URL CODE --data-dir DIR`: enroll this kiosk with a central service."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from sync.enrollment import EnrollmentError, enroll
from sync.identity import IdentityError, KioskIdentity
from sync.schemas import HEARTBEAT_PATH, HeartbeatAck
from sync.signing import refusal_of

TIMEOUT_S = 30.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sync", description="Kiosk <-> central service.")
    commands = parser.add_subparsers(dest="command", required=True)
    enroll_parser = commands.add_parser("enroll", help="enroll this kiosk with a one-time code")
    enroll_parser.add_argument("url", help="address of the central service")
    enroll_parser.add_argument("code", help="one-time enrollment code from the administrator")
    enroll_parser.add_argument("--data-dir", type=Path, required=True)
    ping = commands.add_parser("ping", help="send one signed heartbeat to the central service")
    ping.add_argument("--data-dir", type=Path, required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "enroll":
        try:
            with httpx.Client(timeout=TIMEOUT_S) as client:
                enrollment = enroll(client, args.url, args.code, args.data_dir)
        except EnrollmentError as error:
            print(f"sync: enrollment failed: {error}", file=sys.stderr)
            return 1
        checkpoint = enrollment.response.checkpoint
        print(f"enrolled as kiosk {enrollment.identity.kiosk_id}")
        kind = checkpoint.checkpoint_type.value
        print(f"checkpoint: {checkpoint.name} ({kind}), {checkpoint.address}")
        return 0
    try:
        identity = KioskIdentity.load(args.data_dir)
    except IdentityError as error:
        print(f"sync: {error}", file=sys.stderr)
        return 1
    with httpx.Client(timeout=TIMEOUT_S, auth=identity.auth()) as client:
        try:
            answer = client.post(identity.server_url + HEARTBEAT_PATH)
        except httpx.HTTPError as error:
            print(f"sync: {error}", file=sys.stderr)
            return 1
    refusal = refusal_of(answer)
    if refusal is not None or not answer.is_success:
        print(f"sync: refused: {refusal or answer.status_code}", file=sys.stderr)
        return 1
    ack = HeartbeatAck.model_validate_json(answer.content)
    print(f"kiosk {ack.kiosk_id}: server time {ack.server_time.isoformat()}")
    return 0
