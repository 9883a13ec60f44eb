"""`central releases publish|list` (issue 15): signed kiosk releases from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from central.core.bootstrap import prepare
from central.core.clock import system_clock
from central.core.db import make_engine, make_sessions, session_scope
from central.core.settings import Settings
from central.kiosks.releases import RELEASE_PUBLIC_FILE, PublishedRelease
from healthcode.console import say


def add_release_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Kiosk releases (issue 15); see docs/bundle.md, "Updates"."""
    from sync.releases import current_platform

    releases = commands.add_parser("releases", help="publish and list signed kiosk releases")
    release_commands = releases.add_subparsers(dest="releases_command", required=True)
    publish = release_commands.add_parser("publish", help="sign and publish a kiosk archive")
    publish.add_argument("archive", type=Path, help="the kiosk folder as .tar.gz or .zip")
    publish.add_argument("--version", required=True, help="PEP 440, newer than the last one")
    publish.add_argument("--notes", default="", help="release notes shown to technicians")
    publish.add_argument("--platform", default=current_platform(), help="e.g. linux-x86_64")
    publish.add_argument("--entry", default="kiosk/kiosk", help="the program in the archive")
    publish.add_argument(
        "--min-store-schema", type=int, default=1, help="oldest kiosk database it migrates"
    )
    publish.add_argument(
        "--manifest-out", type=Path, help="also write the signed manifest (kiosk update install)"
    )
    release_commands.add_parser("list", help="list releases as JSON lines, newest first")


def run_release_command(settings: Settings, args: argparse.Namespace) -> int:
    """`central releases publish|list` (issue 15): sign with keys/release.key (made if
    missing), keep the archive under <data_dir>/releases."""
    from central.kiosks.releases import RELEASES_FOLDER, find_release, publish_release, releases_of
    from sync.releases import ReleaseError

    prepare(settings, system_clock())  # a release needs the migrated database
    engine = make_engine(settings.resolved_database_url)
    try:
        with session_scope(make_sessions(engine)) as session:
            if args.releases_command == "list":
                for row in releases_of(session):
                    say(json.dumps(_release_json(PublishedRelease.of(row)), ensure_ascii=False))
                return 0
            if not args.archive.is_file():
                print(f"central: {args.archive}: no such file", file=sys.stderr)
                return 1
            try:
                published = publish_release(
                    session,
                    args.archive,
                    version=args.version,
                    platform=args.platform,
                    notes=args.notes,
                    keys_dir=settings.resolved_keys_dir,
                    releases_dir=settings.data_dir / RELEASES_FOLDER,
                    now=system_clock(),
                    min_store_schema=args.min_store_schema,
                    entry=args.entry,
                )
            except ReleaseError as error:
                print(f"central: refused: {error.detail}", file=sys.stderr)
                return 1
            if args.manifest_out is not None:
                added = find_release(session, published.platform, published.version)
                if added is not None:  # it is: added in this transaction
                    args.manifest_out.write_bytes(added.manifest_signed)
    finally:
        engine.dispose()
    say(json.dumps(_release_json(published), ensure_ascii=False))
    public = settings.resolved_keys_dir / RELEASE_PUBLIC_FILE
    print(f"signed with the release key; kiosks trust its public half, {public}", file=sys.stderr)
    return 0


def _release_json(release: PublishedRelease) -> dict[str, object]:
    fields = asdict(release)
    fields["created_at_utc"] = release.created_at_utc.isoformat()
    return fields
