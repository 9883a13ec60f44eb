"""`python -m kiosk.client COMMAND --data-dir DIR`: the kiosk's client commands for a
technician, on an identity folder (enroll, ping, upload, export-outbox).

    python -m kiosk.client enroll URL CODE --data-dir DIR
    python -m kiosk.client ping --data-dir DIR
    python -m kiosk.client upload --data-dir DIR [--store FILE --store-key FILE]
    python -m kiosk.client export-outbox FOLDER --data-dir DIR [--store FILE --store-key FILE]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from healthcode.console import say, survives_closed_stdout
from kiosk.client.enrollment import EnrollmentError, enroll
from kiosk.client.identity import IdentityError, KioskIdentity
from kiosk.client.transfer import export_outbox, fetch_transfer_key, kept_transfer_key
from kiosk.client.upload import Uploader, UploadError
from sync.outbox_file import OutboxFileError
from sync.schemas import HEARTBEAT_PATH, HeartbeatAck
from sync.signing import refusal_of, system_clock

TIMEOUT_S = 30.0
STORE_FILE = "passages.db"
STORE_KEY_FILE = "store.key"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kiosk.client", description="Kiosk <-> central service."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    enroll_parser = commands.add_parser("enroll", help="enroll this kiosk with a one-time code")
    enroll_parser.add_argument("url", help="address of the central service")
    enroll_parser.add_argument("code", help="one-time enrollment code from the administrator")
    enroll_parser.add_argument("--data-dir", type=Path, required=True)
    ping = commands.add_parser("ping", help="send one signed heartbeat to the central service")
    ping.add_argument("--data-dir", type=Path, required=True)
    upload = commands.add_parser("upload", help="upload the outbox now, until it is empty")
    upload.add_argument("--data-dir", type=Path, required=True)
    _store_options(upload)
    export = commands.add_parser(
        "export-outbox", help="write the outbox to a signed, encrypted file for central"
    )
    export.add_argument("dir", type=Path, help="folder to write the file in (a USB stick)")
    export.add_argument("--data-dir", type=Path, required=True)
    _store_options(export)
    return parser


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", type=Path, help="passage database (default DATA_DIR/passages.db)"
    )
    parser.add_argument("--store-key", type=Path, help="its key file (default DATA_DIR/store.key)")


@survives_closed_stdout
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
        say(f"enrolled as kiosk {enrollment.identity.kiosk_id}")
        kind = checkpoint.checkpoint_type.value
        say(f"checkpoint: {checkpoint.name} ({kind}), {checkpoint.address}")
        return 0
    try:
        identity = KioskIdentity.load(args.data_dir)
    except IdentityError as error:
        print(f"sync: {error}", file=sys.stderr)
        return 1
    if args.command in ("upload", "export-outbox"):
        return _outbox_command(args, identity)
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
    say(f"kiosk {ack.kiosk_id}: server time {ack.server_time.isoformat()}")
    return 0


def _outbox_command(args: argparse.Namespace, identity: KioskIdentity) -> int:
    from kiosk.store import Store  # only these two commands open the store

    data_dir: Path = args.data_dir
    database = args.store or data_dir / STORE_FILE
    key_file = args.store_key or data_dir / STORE_KEY_FILE
    with Store.open(database, key_file) as store:
        if args.command == "export-outbox":
            try:
                written = export_outbox(
                    store.outbox,
                    identity,
                    kept_transfer_key(data_dir),
                    args.dir,
                    now=system_clock(),
                )
            except OutboxFileError as error:
                print(f"sync: {error}", file=sys.stderr)
                return 1
            if written is None:
                say("nothing to export: the outbox is empty")
            else:
                say(f"{written[1]} records written to {written[0]}")
            return 0
        with httpx.Client(timeout=TIMEOUT_S, auth=identity.auth()) as client:
            try:
                fetch_transfer_key(client, identity.server_url, data_dir)
                settled = Uploader(store.outbox, client, identity.server_url).drain(max_attempts=5)
            except (UploadError, OutboxFileError, httpx.HTTPError) as error:
                print(f"sync: upload failed: {error}", file=sys.stderr)
                return 1
        say(f"{settled} records uploaded; {store.outbox.outbox_backlog()} left")
    return 0
