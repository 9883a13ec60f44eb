"""The `central` command: init, serve, checkpoints, enrollment codes, kiosks, regions, accounts,
background jobs."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from central.administration.accounts import (
    AccountError,
    NewAccount,
    provision_account,
    register_enterprise,
    seal_liaison_phone,
)
from central.administration.checkpoints import (
    CheckpointError,
    add_operator,
    get_checkpoint,
    issue_enrollment_code,
    register_checkpoint,
)
from central.core.bootstrap import prepare
from central.core.cipher import record_cipher
from central.core.clock import system_clock, system_tokens
from central.core.db import make_engine, make_sessions, session_scope
from central.core.models import Checkpoint, Kiosk, Region
from central.core.regions import SAMPLE_FILE, RegionCodeError, load_region_file
from central.core.scope import Role
from central.core.settings import Settings
from central.deployment import DEFAULT_FEED_FILES_DIR, DEFAULT_MAX_BODY, nginx_site
from central.issuance.national_cli import add_national_risk_commands, run_national_risk_command
from central.issuance.sms import SmsConfigurationError
from central.issuance.sms_senders import sender_from_settings
from central.kiosks.releases_cli import add_release_commands, run_release_command
from central.reports.cli import add_report_commands, run_report_command
from healthcode.claims import ClaimsError
from healthcode.console import say, survives_closed_stdout
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
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes (they share the database)"
    )

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
    _admin_parsers(commands)

    imports = commands.add_parser(
        "import-outbox", help="import kiosks' offline outbox files (as if uploaded)"
    )
    imports.add_argument("files", type=Path, nargs="+", metavar="FILE")

    bundle = commands.add_parser(
        "export-bundle", help="write a checkpoint's signed offline bundle (issue 11)"
    )
    bundle.add_argument("out", type=Path, metavar="OUT")
    bundle.add_argument("--checkpoint", required=True, help="the checkpoint's id")

    jobs = commands.add_parser("jobs", help="background work (recompute jobs, colour sweep)")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_commands.add_parser("run-once", help="run the due work once (skips if another runs it)")

    add_national_risk_commands(commands)  # issue 26
    add_report_commands(commands)  # issue 14
    add_release_commands(commands)  # issue 15

    deployment = commands.add_parser("deployment", help="files of the documented deployment")
    deployment_commands = deployment.add_subparsers(dest="deployment_command", required=True)
    nginx = deployment_commands.add_parser(
        "nginx-config", help="print nginx's site file for central processes (docs/deployment.md)"
    )
    nginx.add_argument("--listen", default="80", help='as nginx writes it, e.g. "443 ssl"')
    nginx.add_argument(
        "--upstream", action="append", required=True, metavar="HOST:PORT",
        help="a central process (repeat for each)",
    )  # fmt: skip
    nginx.add_argument("--max-body", default=DEFAULT_MAX_BODY)
    nginx.add_argument(
        "--feed-files-dir", type=Path, default=DEFAULT_FEED_FILES_DIR,
        help="central's CENTRAL_FEED_FILES_DIR (nginx sends snapshot files from it)",
    )  # fmt: skip
    nginx.add_argument(
        "--access-log", default="off", metavar="PATH",
        help="nginx's access log, each line ending with nginx's and central's time (default off)",
    )  # fmt: skip
    return parser


def _admin_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Regions, enterprises and accounts (issue 12); see docs/admin.md."""
    regions = commands.add_parser("regions", help="load and list the six-level region tree")
    region_commands = regions.add_subparsers(dest="regions_command", required=True)
    load = region_commands.add_parser("load", help="load a region file (CSV: code,name_zh,name_en)")
    load.add_argument("file", type=Path, help=f"e.g. {SAMPLE_FILE}")
    listing = region_commands.add_parser("list", help="list regions as JSON lines")
    listing.add_argument("--parent", default=None, help="only the children of this region")

    enterprise = commands.add_parser("enterprise", help="register enterprises")
    enterprise_commands = enterprise.add_subparsers(dest="enterprise_command", required=True)
    add_enterprise = enterprise_commands.add_parser("add", help="register an enterprise")
    add_enterprise.add_argument("--name", required=True)
    add_enterprise.add_argument("--area", required=True, help="region code, 6 to 15 digits")
    add_enterprise.add_argument("--industry", required=True, help="e.g. manufacturing")

    account = commands.add_parser("account", help="create accounts (prints activation tokens)")
    account_commands = account.add_subparsers(dest="account_command", required=True)
    add_account = account_commands.add_parser("add", help="create an account of any role")
    add_account.add_argument("--username", required=True)
    add_account.add_argument("--role", required=True, choices=[r.value for r in Role])
    add_account.add_argument("--area", default=None, help="region code of its area")
    add_account.add_argument("--industry", default=None, help="industry departments only")
    add_account.add_argument("--enterprise", default=None, help="enterprise id (its roles)")
    add_account.add_argument(
        "--phone", default=None, help="a grid worker's mobile number (its tip-offs come by SMS)"
    )


@survives_closed_stdout
def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "deployment":  # needs no settings: it only prints a file
        say(
            nginx_site(
                listen=args.listen,
                upstreams=args.upstream,
                max_body=args.max_body,
                feed_files_dir=args.feed_files_dir,
                access_log=args.access_log,
            )
        )
        return 0
    try:
        settings = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    except ValidationError as error:
        print(f"central: bad settings: {error}", file=sys.stderr)
        return 2
    try:
        if args.command == "init":
            return _init(settings, args.admin, args.url)
        if args.command == "serve":
            return _serve(settings, args.host, args.port, args.workers)
        if args.command == "checkpoint":
            return _checkpoint(settings, args)
        if args.command == "import-outbox":
            return _import_outbox(settings, args.files)
        if args.command == "export-bundle":
            return _export_bundle(settings, args.out, args.checkpoint)
        if args.command == "jobs":
            return _jobs_run_once(settings)
        if args.command == "reports":
            return run_report_command(settings, args)
        if args.command == "national-risk":
            return run_national_risk_command(settings, args)
        if args.command == "releases":
            return run_release_command(settings, args)
        if args.command in ("regions", "enterprise", "account"):
            return _administration(settings, args)
        return _kiosk(settings, args)
    except (CheckpointError, ClaimsError, LookupError, RegionCodeError, AccountError) as error:
        print(f"central: {error}", file=sys.stderr)
        return 1
    except (UnknownRevisionError, SmsConfigurationError) as error:
        print(f"central: refused: {error}", file=sys.stderr)
        return 3


class UnknownRevisionError(Exception):
    """The database's schema revision is not one of this version's migrations: a newer central
    wrote it. Nothing is migrated or started, so the newer version can still use it."""


def refuse_unknown_revision(settings: Settings) -> None:
    """Before `init` or `serve` migrate: the database's Alembic revision must be known."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from central.core.db import alembic_config

    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            found = MigrationContext.configure(connection).get_current_heads()
        scripts = ScriptDirectory.from_config(alembic_config(engine))
        known = {script.revision for script in scripts.walk_revisions()}
        unknown = [revision for revision in found if revision not in known]
        if unknown:
            raise UnknownRevisionError(
                f"the database is at schema revision {', '.join(unknown)}, which this version "
                f"of central does not know (its newest is {scripts.get_current_head()}); a "
                "newer central wrote it. It was left untouched: run the newer version."
            )
    finally:
        engine.dispose()


def _init(settings: Settings, admin: str, url: str | None) -> int:
    refuse_unknown_revision(settings)
    prepared = prepare(settings, system_clock(), first_admin=admin)
    keys = settings.resolved_keys_dir
    if prepared.keys_created:
        say(f"Keys created in {keys}.")
        say(f"  Keep {keys / 'root.key'} offline (copy it to removable media, then delete it")
        say("  here): it signs trust lists only; kiosks pin its public half, root.pub.")
    else:
        say(f"Keys already in {keys}; left as they are.")
    invitation = prepared.invitation
    if invitation is None:
        say("An administrator exists already; no new one was created.")
        return 0
    base = (url or f"http://{DEFAULT_HOST}:{DEFAULT_PORT}").rstrip("/")
    say(f"Administrator {invitation.username!r} created, without a password.")
    say(f"  One-time setup token (until {invitation.expires_at.isoformat()}):")
    say(f"  {invitation.token}")
    say(f"  Set the password at first login: {base}/setup?token={invitation.token}")
    say(f'  or: POST {base}/api/v1/auth/setup with {{"token": ..., "password": ...}}')
    return 0


def app_from_environment() -> object:
    """The app of each `central serve --workers N` process: settings from the environment."""
    from central.app import create_app, tune_gc_for_serving
    from central.jobs import with_job_runner

    settings = Settings()
    app = with_job_runner(create_app(settings), settings.jobs_interval_s)
    tune_gc_for_serving()
    return app


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy options from `trusted_proxies` (issue 27): with none, X-Forwarded-For is
    never read, so the throttles count the peer's address; with some, only what those peers
    forward is believed. (uvicorn's own default trusts the header from 127.0.0.1.)"""
    if not settings.trusted_proxies:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(settings.trusted_proxies)}


def _serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    import uvicorn  # heavy, and only this command needs it

    from central.app import create_app, tune_gc_for_serving

    refuse_unknown_revision(settings)
    sender = sender_from_settings(settings)  # refused before anything starts when none is set
    prepare(settings, system_clock())
    if workers > 1:
        close = getattr(sender, "close", None)
        if callable(close):
            close()  # each worker builds its app from the same settings (environment, folder)
        os.environ["CENTRAL_DATA_DIR"] = str(settings.data_dir.resolve())
        uvicorn.run(
            "central.cli:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            **proxy_options(settings),
        )
        return 0
    from central.jobs import with_job_runner

    app = with_job_runner(create_app(settings, sms_sender=sender), settings.jobs_interval_s)
    tune_gc_for_serving()
    uvicorn.run(app, host=host, port=port, log_level="info", **proxy_options(settings))
    return 0


def _jobs_run_once(settings: Settings) -> int:
    """`central jobs run-once`: the due background work now (central/jobs.py), as JSON."""
    import httpx

    from central.jobs import PUSH_TIMEOUT_S, ReportWork, run_once

    try:
        sender: object | None = sender_from_settings(settings)
    except SmsConfigurationError:
        sender = None  # no SMS provider set: the tip-offs' SMS are not resent
    engine = make_engine(settings.resolved_database_url)
    client = httpx.Client(timeout=PUSH_TIMEOUT_S) if settings.push_url else None
    try:
        reports = ReportWork(settings, client, notices=sender)
        result = run_once(make_sessions(engine), system_clock, reports=reports)
    finally:
        engine.dispose()
        if client is not None:
            client.close()
        close = getattr(sender, "close", None)
        if callable(close):
            close()
    done = {"ran": result.ran, "jobs": result.jobs, "swept": result.swept}
    pushes = {"pushes": result.pushes, "delivered": result.delivered, "failed": result.failed}
    say(json.dumps(done | {"exports": result.exports} | pushes))
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
                say(checkpoint.id)
            elif args.checkpoint_command == "list":
                for row in session.scalars(select(Checkpoint).order_by(Checkpoint.created_at)):
                    say(json.dumps(_checkpoint_json(row), ensure_ascii=False))
            elif args.checkpoint_command == "code":
                issued = issue_enrollment_code(
                    session,
                    get_checkpoint(session, args.checkpoint_id),
                    now,
                    timedelta(seconds=settings.enrollment_code_ttl_s),
                    system_tokens,
                )
                say(issued.code)
                print(f"valid until {issued.expires_at.isoformat()}", file=sys.stderr)
                if args.png is not None:
                    args.png.write_bytes(issued.qr_png())
            else:
                operator = add_operator(
                    session, get_checkpoint(session, args.checkpoint_id), args.name, args.pin, now
                )
                say(operator.id)
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
                    say(json.dumps(_kiosk_json(kiosk)))
                return 0
            found = session.get(Kiosk, args.kiosk_id)
            if found is None:
                raise LookupError(f"no kiosk {args.kiosk_id}")
            revoked_at = found.revoked_at or system_clock()
            found.revoked_at = revoked_at
            say(f"kiosk {found.id} revoked at {revoked_at.isoformat()}")
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


def _administration(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            now = system_clock()
            if args.command == "regions" and args.regions_command == "load":
                say(f"{load_region_file(session, args.file)} regions loaded")
            elif args.command == "regions":
                query = select(Region).order_by(Region.code)
                if args.parent is not None:
                    query = query.where(Region.parent_code == args.parent)
                for region in session.scalars(query):
                    row = {
                        "code": region.code,
                        "level": region.level,
                        "parent_code": region.parent_code,
                        "name_zh": region.name_zh,
                        "name_en": region.name_en,
                    }
                    say(json.dumps(row, ensure_ascii=False))
            elif args.command == "enterprise":
                enterprise = register_enterprise(
                    session,
                    None,
                    name=args.name,
                    area_code=args.area,
                    industry=args.industry,
                    now=now,
                )
                say(enterprise.id)
            else:
                new = NewAccount(
                    args.username,
                    Role(args.role),
                    args.area,
                    args.industry,
                    args.enterprise,
                    args.phone,
                )
                admin, invitation = provision_account(
                    session, new, now, timedelta(seconds=settings.admin_setup_ttl_s)
                )
                if new.phone is not None and admin.role == Role.GRID_WORKER.value:
                    seal_liaison_phone(admin, new.phone, record_cipher(settings.resolved_keys_dir))
                say(f"Account {admin.username!r} ({admin.role}, {admin.area_code}) created.")
                say(f"  One-time activation token (until {invitation.expires_at.isoformat()}):")
                say(f"  {invitation.token}")
    finally:
        engine.dispose()
    return 0


def _import_outbox(settings: Settings, files: list[Path]) -> int:
    from central.kiosks.ingest import RecordWindow, import_outbox_file
    from sync.outbox_file import OutboxFileError

    engine = make_engine(settings.resolved_database_url)
    failed = 0
    try:
        for path in files:
            try:
                now = system_clock()
                window = RecordWindow.around(
                    now,
                    tolerance=timedelta(seconds=settings.signature_tolerance_s),
                    max_age=timedelta(days=settings.record_max_age_days),
                )
                with session_scope(make_sessions(engine)) as session:
                    summary = import_outbox_file(
                        session,
                        path.read_bytes(),
                        keys_dir=settings.resolved_keys_dir,
                        now=now,
                        window=window,
                    )
            except (OSError, OutboxFileError) as error:
                failed += 1
                print(f"central: {path}: refused: {error}", file=sys.stderr)
                continue
            say(
                json.dumps(
                    {
                        "file": str(path),
                        "kiosk_id": summary.kiosk_id,
                        "stored": summary.stored,
                        "duplicate": summary.duplicate,
                        "rejected": summary.rejected,
                    }
                )
            )
    finally:
        engine.dispose()
    return 1 if failed else 0


def _export_bundle(settings: Settings, out: Path, checkpoint_id: str) -> int:
    from central.kiosks.bundle import export_bundle

    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            data = export_bundle(session, checkpoint_id, settings.resolved_keys_dir, system_clock())
    finally:
        engine.dispose()
    out.write_bytes(data)
    say(json.dumps({"file": str(out), "checkpoint_id": checkpoint_id, "bytes": len(data)}))
    return 0
