"""`central national-risk`: import the signed national list of risk areas from a file, show the
list in force; and the poll of `national_risk_url` that the periodic jobs run (central/jobs.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from central.core.clock import system_clock
from central.core.db import make_engine, make_sessions
from central.core.models import JobLease, NationalRiskPoll
from central.core.settings import Settings
from central.issuance import changes
from central.issuance.national_risk import NationalListError, import_list, latest_list
from healthcode.console import say
from healthcode.keydir import load_public
from healthcode.keys import KeyFormatError, PublicKey

log = logging.getLogger(__name__)


def add_national_risk_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    national = commands.add_parser(
        "national-risk", help="the national list of risk areas (a signed document)"
    )
    national_commands = national.add_subparsers(dest="national_command", required=True)
    imported = national_commands.add_parser(
        "import", help="import a signed list (checked against national_risk_key_file)"
    )
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.add_argument(
        "--recompute", action="store_true", help="recompute the people affected now, not later"
    )
    national_commands.add_parser("show", help="the list in force, as JSON")


def publisher_key(settings: Settings) -> PublicKey:
    if settings.national_risk_key_file is None:
        raise NationalListError(
            "no national_risk_key_file: the publisher's key is not pinned", "no_key"
        )
    try:
        return load_public(settings.national_risk_key_file)
    except (OSError, KeyFormatError) as error:
        raise NationalListError(f"the publisher key cannot be read: {error}", "no_key") from None


def run_national_risk_command(
    settings: Settings, args: argparse.Namespace, clock: Callable[[], datetime] = system_clock
) -> int:
    engine = make_engine(settings.resolved_database_url)
    sessions = make_sessions(engine)
    try:
        if args.national_command == "show":
            with sessions() as session:
                latest = latest_list(session)
                say(json.dumps(None if latest is None else _as_json(latest), ensure_ascii=False))
            return 0
        try:
            result = import_list(
                sessions,
                args.file.read_bytes(),
                publisher_key(settings),
                settings.issuer_region_code,
                clock(),
                source=args.file.name,
            )
        except (NationalListError, OSError) as error:
            print(f"central: refused: {error}", file=sys.stderr)
            return 1
        if result.job_id is not None and args.recompute:
            changes.run_job(sessions, result.job_id, clock)
        say(
            json.dumps(
                {
                    "sequence": result.sequence,
                    "areas": result.areas,
                    "changed_areas": result.changed_areas,
                    "job_id": result.job_id,
                }
            )
        )
        return 0
    finally:
        engine.dispose()


def _as_json(latest: object) -> dict[str, object]:
    return {
        name: (value.isoformat() if isinstance(value, datetime) else value)
        for name in ("sequence", "issued_at", "imported_at", "source", "areas", "own_area")
        for value in [getattr(latest, name)]
    }


POLL_ROW = "national_risk_poll"


def _poll_due(sessions: sessionmaker[Session], every_s: int, now: datetime) -> bool:
    """Whether a poll is due, noting it as done now when it is (a `job_leases` row keeps the
    time, so every process shares it; `run_once` calls this under the periodic lease)."""
    with sessions() as session, session.begin():
        row = session.get(JobLease, POLL_ROW)
        if row is None:
            session.add(JobLease(name=POLL_ROW, last_run_at=now))
            return True
        if row.last_run_at is not None and (now - row.last_run_at).total_seconds() < every_s:
            return False
        row.last_run_at = now
        return True


def poll(
    sessions: sessionmaker[Session],
    settings: Settings,
    fetch: Callable[[str], bytes],
    now: datetime,
) -> int | None:
    """Fetch and import the list at `national_risk_url` when a poll is due; the sequence taken,
    None when nothing new (not due, not configured, the same list, or refused: logged)."""
    url = settings.national_risk_url
    if not url or settings.national_risk_key_file is None:
        return None
    if not _poll_due(sessions, settings.national_risk_poll_s, now):
        return None
    latest = None
    try:
        data = fetch(url)
        with sessions() as session:
            latest = latest_list(session)
        result = import_list(
            sessions, data, publisher_key(settings), settings.issuer_region_code, now, source=url
        )
    except NationalListError as error:
        if latest is not None and error.kind == "not_newer":
            _note_poll(sessions, url, now, "unchanged", "", latest.sequence)
            return None
        log.warning("national risk list from %s refused: %s", url, error)
        _note_poll(sessions, url, now, "refused", error.kind, None)
        return None
    except Exception as error:  # the network: tried again at the next poll
        log.warning("national risk list from %s not fetched: %s", url, type(error).__name__)
        _note_poll(sessions, url, now, "unreachable", "", None)
        return None
    log.info("national risk list %d imported: %d areas", result.sequence, result.areas)
    _note_poll(sessions, url, now, "imported", "", result.sequence)
    return result.sequence


def _note_poll(
    sessions: sessionmaker[Session],
    url: str,
    now: datetime,
    outcome: str,
    problem: str,
    sequence: int | None,
) -> None:
    """The poll's last result, for the national list's page."""
    with sessions() as session, session.begin():
        row = session.get(NationalRiskPoll, url[:255])
        if row is None:
            row = NationalRiskPoll(url=url[:255])
            session.add(row)
        row.polled_at, row.outcome, row.problem, row.sequence = now, outcome, problem, sequence


def last_poll(session: Session, url: str | None) -> NationalRiskPoll | None:
    return session.get(NationalRiskPoll, url[:255]) if url else None
