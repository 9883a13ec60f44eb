"""The `central` command: init, serve, checkpoints, enrollment codes, kiosks."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select

from central.bootstrap import prepare
from central.checkpoints import (
    CheckpointError,
    add_operator,
    get_checkpoint,
    issue_enrollment_code,
    register_checkpoint,
)
from central.clock import system_clock, system_tokens
from central.db import make_engine, make_sessions, session_scope
from central.models import Checkpoint, Kiosk
from central.settings import Settings
from healthcode.claims import ClaimsError
from sync.schemas import CheckpointType

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="central", description="The health-code central service.")
    parser.add_argument(
        "--data-dir", type=Path, help="folder of the database and keys (default: here)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create the database, keys and first administrator")
    init.add_argument("--admin", default="admin", help="user name of the first administrator")
    init.add_argument(
        "--url", default=None, help="address of this service, for the printed setup link"
    )

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)

    checkpoint = commands.add_parser("checkpoint", help="register and list checkpoints")
    checkpoint_commands = checkpoint.add_subparsers(dest="checkpoint_command", required=True)
    add = checkpoint_commands.add_parser("add", help="register a checkpoint")
    add.add_argument("--name", required=True)
    add.add_argument("--type", required=True, choices=[t.value for t in CheckpointType])
    add.add_argument("--region", required=True, help="six-digit GB/T 2260 region code")
    add.add_argument("--address", required=True)
    add.add_argument("--enterprise", default=None)
    checkpoint_commands.add_parser("list", help="list checkpoints as JSON lines")
    code = checkpoint_commands.add_parser("code", help="issue a one-time enrollment code")
    code.add_argument("checkpoint_id")
    code.add_argument("--png", type=Path, help="also write the code as a QR image")
    operator = checkpoint_commands.add_parser("operator", help="add an operator to the roster")
    operator.add_argument("checkpoint_id")
    operator.add_argument("--name", required=True)
    operator.add_argument("--pin", required=True)

    kiosk = commands.add_parser("kiosk", help="list and revoke kiosks")
    kiosk_commands = kiosk.add_subparsers(dest="kiosk_command", required=True)
    kiosk_commands.add_parser("list", help="list kiosks and their health as JSON lines")
    revoke = kiosk_commands.add_parser("revoke", help="revoke a kiosk (next request refused)")
    revoke.add_argument("kiosk_id")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    except ValidationError as error:
        print(f"central: bad settings: {error}", file=sys.stderr)
        return 2
    try:
        if args.command == "init":
            return _init(settings, args.admin, args.url)
        if args.command == "serve":
            return _serve(settings, args.host, args.port)
        if args.command == "checkpoint":
            return _checkpoint(settings, args)
        return _kiosk(settings, args)
    except (CheckpointError, ClaimsError, LookupError) as error:
        print(f"central: {error}", file=sys.stderr)
        return 1


def _init(settings: Settings, admin: str, url: str | None) -> int:
    prepared = prepare(settings, system_clock(), first_admin=admin)
    keys = settings.resolved_keys_dir
    if prepared.keys_created:
        print(f"Keys created in {keys}.")
        print(f"  Keep {keys / 'root.key'} offline (copy it to removable media, then delete it")
        print("  here): it signs trust lists only; kiosks pin its public half, root.pub.")
    else:
        print(f"Keys already in {keys}; left as they are.")
    invitation = prepared.invitation
    if invitation is None:
        print("An administrator exists already; no new one was created.")
        return 0
    base = (url or f"http://{DEFAULT_HOST}:{DEFAULT_PORT}").rstrip("/")
    print(f"Administrator {invitation.username!r} created, without a password.")
    print(f"  One-time setup token (until {invitation.expires_at.isoformat()}):")
    print(f"  {invitation.token}")
    print(f"  Set the password at first login: {base}/setup?token={invitation.token}")
    print(f'  or: POST {base}/api/v1/auth/setup with {{"token": ..., "password": ...}}')
    return 0


def _serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn  # heavy, and only this command needs it

    from central.app import create_app

    prepare(settings, system_clock())
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    return 0


def _checkpoint(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            now = system_clock()
            if args.checkpoint_command == "add":
                checkpoint = register_checkpoint(
                    session,
                    name=args.name,
                    checkpoint_type=CheckpointType(args.type),
                    region_code=args.region,
                    address=args.address,
                    enterprise=args.enterprise,
                    now=now,
                )
                print(checkpoint.id)
            elif args.checkpoint_command == "list":
                for row in session.scalars(select(Checkpoint).order_by(Checkpoint.created_at)):
                    print(json.dumps(_checkpoint_json(row), ensure_ascii=False))
            elif args.checkpoint_command == "code":
                issued = issue_enrollment_code(
                    session,
                    get_checkpoint(session, args.checkpoint_id),
                    now,
                    timedelta(seconds=settings.enrollment_code_ttl_s),
                    system_tokens,
                )
                print(issued.code)
                print(f"valid until {issued.expires_at.isoformat()}", file=sys.stderr)
                if args.png is not None:
                    args.png.write_bytes(issued.qr_png())
            else:
                operator = add_operator(
                    session, get_checkpoint(session, args.checkpoint_id), args.name, args.pin, now
                )
                print(operator.id)
    finally:
        engine.dispose()
    return 0


def _checkpoint_json(row: Checkpoint) -> dict[str, object]:
    return {
        "checkpoint_id": row.id,
        "name": row.name,
        "checkpoint_type": row.checkpoint_type,
        "region_code": row.region_code,
        "address": row.address,
        "enterprise": row.enterprise,
    }


def _kiosk(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            if args.kiosk_command == "list":
                for kiosk in session.scalars(select(Kiosk).order_by(Kiosk.enrolled_at)):
                    print(json.dumps(_kiosk_json(kiosk)))
                return 0
            found = session.get(Kiosk, args.kiosk_id)
            if found is None:
                raise LookupError(f"no kiosk {args.kiosk_id}")
            revoked_at = found.revoked_at or system_clock()
            found.revoked_at = revoked_at
            print(f"kiosk {found.id} revoked at {revoked_at.isoformat()}")
    finally:
        engine.dispose()
    return 0


def _kiosk_json(kiosk: Kiosk) -> dict[str, object]:
    def iso(moment: object) -> object:
        return moment.isoformat() if hasattr(moment, "isoformat") else moment

    return {
        "kiosk_id": kiosk.id,
        "checkpoint_id": kiosk.checkpoint_id,
        "enrolled_at": iso(kiosk.enrolled_at),
        "revoked_at": iso(kiosk.revoked_at),
        "last_seen_at": iso(kiosk.last_seen_at),
        "software_version": kiosk.software_version,
        "backlog_records": kiosk.backlog_records,
        "feed_age_s": kiosk.feed_age_s,
        "clock_offset_s": kiosk.clock_offset_s,
        "free_disk_bytes": kiosk.free_disk_bytes,
        "error_counts": kiosk.error_counts,
    }
