"""`central reports push-daily|push-weekly` (issue 14): the files for the upper platform, by hand.

The jobs runner makes the same files on schedule (central/reports/pushes.py); these commands
make one now, e.g. to redo a period. They print the file and its number of rows, nothing personal.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from central.core.clock import system_clock
from central.core.db import make_engine, make_sessions, session_scope
from central.core.settings import Settings
from central.reports.daily import DEFAULT_TIME_ZONE
from healthcode.console import say


def add_report_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reports = commands.add_parser("reports", help="the daily and weekly pushes (CSV files)")
    report_commands = reports.add_subparsers(dest="reports_command", required=True)
    daily = report_commands.add_parser("push-daily", help="write a day's passages (CSV)")
    daily.add_argument("--day", type=date.fromisoformat, help="YYYY-MM-DD (default: yesterday)")
    weekly = report_commands.add_parser("push-weekly", help="write a week's usage statistics")
    weekly.add_argument("--week", help="YYYY-Www, e.g. 2026-W47 (default: last week)")
    for push in (daily, weekly):
        push.add_argument("--out", type=Path, required=True, metavar="DIR")
        push.add_argument("--time-zone", default=DEFAULT_TIME_ZONE)


def run_report_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.reports_command == "push-weekly":
        return _push_weekly(settings, args.week, args.out, args.time_zone)
    return _push_daily(settings, args.day, args.out, args.time_zone)


def _push_daily(settings: Settings, day: date | None, out: Path, time_zone: str) -> int:
    """See docs/reports.md."""
    from central.core.cipher import record_cipher
    from central.reports.daily import previous_day, push_daily

    chosen = day or previous_day(system_clock(), time_zone)
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            cipher = record_cipher(settings.resolved_keys_dir)
            path, count = push_daily(session, cipher, chosen, out, time_zone)
    finally:
        engine.dispose()
    say(f"{path}: {count} records of {chosen.isoformat()}")
    return 0


def _push_weekly(settings: Settings, week: str | None, out: Path, time_zone: str) -> int:
    """See docs/reports.md; a malformed week is refused before anything is written."""
    from central.reports.usage import WeekError, parse_week, previous_week, push_weekly

    chosen = week or previous_week(system_clock(), time_zone)
    try:
        parse_week(chosen)
    except WeekError as error:
        print(f"central: {error}", file=sys.stderr)
        return 2
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            path, count = push_weekly(session, chosen, out, time_zone)
    finally:
        engine.dispose()
    say(f"{path}: {count} rows of {chosen}")
    return 0
