"""`kiosk launch` / `python -m kiosk.ops.launcher`: start the current kiosk version, safely.

    kiosk launch --root DIR [--self-test-timeout S] [-- KIOSK ARGUMENTS...]

The service manager (systemd, the Windows scheduled task) runs this instead of the kiosk. Each
time round:

1. a staged update is installed (`InstallRoot.install_staged`): the kiosk is not running, so
   nobody is in the middle of a passage;
2. a version that has never started here runs `--self-test` first (with the kiosk arguments,
   so it checks the real configuration, database and devices). If the self-test fails or
   hangs, the launcher rolls back to the previous version, records why in `state.json` (so the
   bad version is never taken again) and, when the new version had already migrated the
   database, puts back the copy taken just before;
3. the current version runs; when it exits with `EXIT_RESTART_FOR_UPDATE` (it staged an update
   and was idle), the launcher goes round again; any other exit code is the launcher's own.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from healthcode.console import say
from kiosk.ops.update import (
    EXIT_RESTART_FOR_UPDATE,
    INSTALL_ROOT_VARIABLE,
    VERSION_VARIABLE,
    InstallRoot,
    UpdateError,
)
from sync.releases import ReleaseError

log = logging.getLogger(__name__)

EXIT_NOTHING_TO_RUN = 78
SELF_TEST_TIMEOUT_S = 300.0
BACKUP_DIR = "database-backups"
OUTPUT_TAIL_CHARS = 600


@dataclass(frozen=True)
class Started:
    """One run of a kiosk program: its exit code and the end of what it printed."""

    code: int
    output: str


Runner = Callable[[Sequence[str], float | None, Mapping[str, str]], Started]


def run_program(
    command: Sequence[str], timeout_s: float | None, environment: Mapping[str, str]
) -> Started:
    """Run a program (the kiosk) as a subprocess with `environment` added to ours; a self-test
    that hangs counts as failed."""
    env = os.environ | dict(environment)
    try:
        if timeout_s is None:  # the kiosk itself: its output goes to the service's log
            # the program is a verified release's entry, run without a shell
            code = subprocess.run(list(command), check=False, env=env).returncode  # noqa: S603
            return Started(code, "")
        done = subprocess.run(  # noqa: S603 - as above
            list(command),
            env=env,
            check=False,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return Started(124, f"no answer within {timeout_s:g} s")
    except OSError as error:
        return Started(126, f"cannot start {command[0]}: {error}")
    return Started(done.returncode, (done.stdout + done.stderr)[-OUTPUT_TAIL_CHARS:])


def database_version(path: Path) -> int | None:
    if not path.is_file():
        return None
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()


def back_up_database(database: Path, into: Path) -> Path | None:
    """A consistent copy (SQLite's backup API, so a WAL is included) before a new version
    first opens the database; None when there is no database yet."""
    if not database.is_file():
        return None
    into.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(into)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return into


def restore_database(backup: Path, database: Path) -> None:
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    temporary = database.with_name(f".{database.name}.restoring")
    shutil.copyfile(backup, temporary)
    temporary.replace(database)


class Launcher:
    def __init__(
        self,
        root: InstallRoot,
        kiosk_args: Sequence[str] = (),
        *,
        database: Path | None = None,
        runner: Runner = run_program,
        self_test_timeout_s: float = SELF_TEST_TIMEOUT_S,
        out: Callable[[str], object] = print,
    ) -> None:
        self.root = root
        self.kiosk_args = list(kiosk_args)
        self.database = database
        self.runner = runner
        self.self_test_timeout_s = self_test_timeout_s
        self.out = out

    def prepare(self) -> str | None:
        """Install what is staged and self-test a new version (rolling back on failure); the
        version to run, or None when none can run."""
        installed = self.root.install_staged()
        if installed is not None:
            self.out(f"kiosk {installed} installed")
        while True:
            state = self.root.state()
            version = state.current
            if version is None:
                return None
            if state.awaiting_self_test != version:
                return version
            backup = self._backup_before(version, state.previous)
            checked = self._self_test(version)
            if checked.code == 0:
                self.root.self_test_passed(version)
                self.out(f"kiosk {version}: self-test ok")
                return version
            why = f"self-test exit {checked.code}: {checked.output.strip()[-300:]}"
            self.out(f"kiosk {version}: self-test FAILED, rolling back ({why})")
            self._restore_after(backup, state.previous)
            self.root.roll_back(why)

    def run(self) -> int:
        """Run the kiosk until it stops for a reason other than an update; its exit code."""
        while True:
            version = self.prepare()
            if version is None:
                self.out("no kiosk version can run: install one under versions/")
                return EXIT_NOTHING_TO_RUN
            self.out(f"starting kiosk {version}")
            command = [str(self.root.entry(version)), *self.kiosk_args]
            started = self.runner(command, None, self._environment(version))
            if started.code != EXIT_RESTART_FOR_UPDATE:
                return started.code

    def _self_test(self, version: str) -> Started:
        try:
            program = self.root.entry(version)
        except (OSError, ReleaseError) as error:
            return Started(126, f"cannot use version {version}: {error}")
        command = [str(program), "--self-test", *self._maintenance_args()]
        return self.runner(command, self.self_test_timeout_s, self._environment(version))

    def _environment(self, version: str) -> dict[str, str]:
        """Tells the kiosk where it is installed, as which version (its update check)."""
        return {INSTALL_ROOT_VARIABLE: str(self.root.path.resolve()), VERSION_VARIABLE: version}

    def _maintenance_args(self) -> list[str]:
        """The kiosk arguments the self-test understands (--config, --data-dir, --demo)."""
        kept: list[str] = []
        arguments = iter(self.kiosk_args)
        for argument in arguments:
            if argument in ("--config", "--data-dir"):
                kept += [argument, next(arguments, "")]
            elif argument.startswith(("--config=", "--data-dir=")) or argument == "--demo":
                kept.append(argument)
        return kept

    def _backup_before(self, version: str, previous: str | None) -> Path | None:
        if self.database is None or previous is None:
            return None
        target = self.root.path / BACKUP_DIR / f"before-{version}.db"
        return back_up_database(self.database, target)

    def _restore_after(self, backup: Path | None, previous: str | None) -> None:
        """Put the database back if the failed version migrated it past what `previous`
        reads (the failed version never ran the kiosk, so nothing was recorded since)."""
        if backup is None or self.database is None or previous is None:
            return
        before, now = database_version(backup), database_version(self.database)
        if before is not None and now is not None and now > before:
            restore_database(backup, self.database)
            self.out(f"database put back to schema {before} for kiosk {previous}")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    kiosk_args: list[str] = []
    if "--" in arguments:
        split = arguments.index("--")
        arguments, kiosk_args = arguments[:split], arguments[split + 1 :]
    parser = argparse.ArgumentParser(
        prog="kiosk launch",
        description="Start the current kiosk version; self-test a new one, roll back if it fails.",
    )
    parser.add_argument("--root", type=Path, required=True, help="the install root")
    parser.add_argument("--self-test-timeout", type=float, default=SELF_TEST_TIMEOUT_S)
    parsed = parser.parse_args(arguments)
    logging.basicConfig(level=logging.INFO)
    # Absolute from here on: the kiosk's entry, backups and file URIs must not depend on
    # where the launcher was started from (`--root install` from its parent folder).
    database = _database_of(kiosk_args)
    launcher = Launcher(
        InstallRoot(parsed.root.resolve()),
        kiosk_args,
        database=database.resolve() if database is not None else None,
        self_test_timeout_s=parsed.self_test_timeout,
        out=lambda line: say(f"kiosk launch: {line}"),
    )
    try:
        return launcher.run()
    except (UpdateError, ReleaseError, OSError) as error:
        print(f"kiosk launch: {error}", file=sys.stderr)
        return EXIT_NOTHING_TO_RUN


def _database_of(kiosk_args: Sequence[str]) -> Path | None:
    """The kiosk's database for these arguments (as the kiosk would find it), or None."""
    from kiosk.config import ConfigError
    from kiosk.ops.selftest import load_for_maintenance

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--data-dir", type=Path)
    known, _rest = parser.parse_known_args(list(kiosk_args))
    try:
        _config, paths, _source = load_for_maintenance(known.config, known.data_dir)
    except (ConfigError, OSError):
        return None
    return paths.database


if __name__ == "__main__":
    sys.exit(main())
