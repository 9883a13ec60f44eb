"""`kiosk`: run the checkpoint kiosk, or one of its maintenance commands.

    kiosk [--config FILE] [--demo] [--data-dir DIR] [--language zh|en] [--windowed]
          [--seconds N] [--screenshots DIR] [--size WxH]
    kiosk --check-config FILE [--language zh|en]
    kiosk --self-test [--config FILE] [--data-dir DIR] [--demo]
    kiosk --diagnostics [OUT] [--config FILE] [--data-dir DIR]
    kiosk enroll URL CODE [--config FILE | --data-dir DIR]
    kiosk import-bundle FILE [--config FILE | --data-dir DIR]
    kiosk launch --root DIR [-- KIOSK ARGUMENTS]      (kiosk.ops.launcher: updates, rollback)
    kiosk update install ARCHIVE --manifest FILE --root DIR   (offline: a USB stick)
    kiosk update status --root DIR
    kiosk screens --out DIR [--size WxH ...] [--language zh|en ...]   (every screen to PNG,
                                                checked for clipped, overlapping or cut text)

Qt is imported only when the kiosk itself runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from healthcode.console import say, survives_closed_stdout
from kiosk.config import (
    ConfigError,
    KioskConfig,
    data_dir,
    default_config_path,
    load_config,
    main_check_config,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NEWER_DATABASE = 3  # the database was written by a newer kiosk: refused, left untouched


@dataclass(frozen=True)
class RunOptions:
    config: KioskConfig
    data_dir: Path
    demo: bool
    language: str | None
    windowed: bool
    seconds: float | None
    screenshots: Path | None
    central_keys: Path | None
    exit_when_ready: bool = False  # print `ready <ms>` once the scan screen shows, then quit
    size: tuple[int, int] = (1280, 800)  # the window (offscreen and screenshots: exactly)


def parse_size(text: str) -> tuple[int, int]:
    """A panel size written WxH ("1280x800")."""
    width, _, height = text.strip().lower().partition("x")
    if not width.isdigit() or not height.isdigit() or int(width) < 1 or int(height) < 1:
        raise ValueError(f"not a size WxH: {text!r}")
    return int(width), int(height)


def _size_argument(text: str) -> tuple[int, int]:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Health-code checkpoint kiosk.")
    parser.add_argument("--config", type=Path, help="the TOML configuration file")
    parser.add_argument(
        "--check-config",
        type=Path,
        metavar="FILE",
        help="explain every problem in a configuration file, then exit",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="simulated camera, thermometer and ID reader with demo codes",
    )
    parser.add_argument("--data-dir", type=Path, help="where the database, keys and logs live")
    parser.add_argument("--language", choices=["zh", "en"])
    parser.add_argument("--windowed", action="store_true", help="not full screen")
    parser.add_argument("--seconds", type=float, help="quit after this many seconds")
    parser.add_argument(
        "--screenshots", type=Path, help="save a PNG of every result screen into this folder"
    )
    parser.add_argument(
        "--size",
        type=_size_argument,
        default=(1280, 800),
        metavar="WxH",
        help="the window's size, the panel's (default 1280x800); offscreen and in screenshots "
        "exactly this size",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check configuration, database, devices and QR decoding, then exit (0: all ok)",
    )
    parser.add_argument(
        "--diagnostics",
        nargs="?",
        const="",
        metavar="OUT",
        help="write a support archive (no personal data) to OUT (a .zip or a folder), then exit",
    )
    parser.add_argument(
        "--exit-when-ready",
        action="store_true",
        help="print `ready <ms>` when the scan screen is ready, then quit (bench/startup.py)",
    )
    parser.add_argument(
        "--central-keys",
        type=Path,
        help="demo only: sign the demo codes with this central key folder",
    )
    return parser


def _config(path: Path | None) -> KioskConfig:
    if path is not None:
        return load_config(path)
    default = default_config_path()
    return load_config(default) if default.exists() else KioskConfig.default()


@survives_closed_stdout
def main(argv: Sequence[str] | None = None) -> int:
    from kiosk.store.schema import NewerDatabaseError

    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except NewerDatabaseError as error:
        print(f"kiosk: refused to start: {error}", file=sys.stderr)
        print(
            f"kiosk: 拒绝启动：数据库版本 {error.found} 高于本程序支持的 {error.supported}，"
            "数据库未被改动",
            file=sys.stderr,
        )
        return EXIT_NEWER_DATABASE


def _main(args: list[str]) -> int:
    if args and args[0] == "launch":
        from kiosk.ops.launcher import main as launch

        return launch(args[1:])
    if args and args[0] == "update":
        return _update(args[1:])
    if args and args[0] == "enroll":
        return _enroll(args[1:])
    if args and args[0] == "export-outbox":
        return _export_outbox(args[1:])
    if args and args[0] == "import-bundle":
        return _import_bundle(args[1:])
    if args and args[0] == "screens":
        return _screens(args[1:])
    parsed = _run_parser().parse_args(args)
    if parsed.check_config is not None:
        language = ["--language", parsed.language] if parsed.language else []
        return main_check_config([str(parsed.check_config), *language])
    if parsed.self_test:
        from kiosk.ops.selftest import main_self_test

        return main_self_test(parsed.config, parsed.data_dir, demo=parsed.demo)
    if parsed.diagnostics is not None:
        from kiosk.ops.diagnostics import main_diagnostics

        return main_diagnostics(parsed.config, parsed.data_dir, parsed.diagnostics or None)
    try:
        config = _config(parsed.config)
    except ConfigError as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:
        print(f"kiosk: cannot read the configuration: {error}", file=sys.stderr)
        return EXIT_USAGE
    folder = parsed.data_dir or data_dir(config).root
    options = RunOptions(
        config=config,
        data_dir=folder,
        demo=parsed.demo,
        language=parsed.language,
        windowed=parsed.windowed,
        seconds=parsed.seconds,
        screenshots=parsed.screenshots,
        central_keys=parsed.central_keys,
        exit_when_ready=parsed.exit_when_ready,
        size=parsed.size,
    )
    from kiosk.ui.run import run  # Qt loads only when the screens are wanted

    status: int = run(options)
    return status


def _screens(argv: Sequence[str]) -> int:
    """Every screen and prompt at each panel size and language, as PNGs, and whether each
    fits: exit 1 when a visible widget is clipped, overlaps another or shows its text cut."""
    from kiosk.ui.gallery_run import LANGUAGES, PANEL_SIZES, run_screens

    parser = argparse.ArgumentParser(
        prog="kiosk screens",
        description="Render every kiosk screen to OUT/<language>/<W>x<H>/<screen>.png and "
        "check that everything fits (exit 1: something is clipped, overlaps or is cut).",
    )
    parser.add_argument("--out", type=Path, required=True, help="the folder for the PNGs")
    parser.add_argument(
        "--size",
        action="append",
        metavar="WxH",
        help="a panel size, repeatable or comma-separated (default: "
        + ", ".join(f"{w}x{h}" for w, h in PANEL_SIZES)
        + ")",
    )
    parser.add_argument(
        "--language",
        action="append",
        choices=list(LANGUAGES),
        help="repeatable (default: zh and en)",
    )
    parsed = parser.parse_args(argv)
    try:
        sizes = [
            parse_size(part)
            for given in parsed.size or []
            for part in given.split(",")
            if part.strip()
        ]
    except ValueError as error:
        parser.error(str(error))
    languages = list(dict.fromkeys(parsed.language or LANGUAGES))
    status: int = run_screens(parsed.out, sizes or PANEL_SIZES, languages)
    return status


def _enroll(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kiosk enroll", description="Enrol this kiosk with the central service."
    )
    parser.add_argument("url", help="address of the central service")
    parser.add_argument("code", help="the one-time enrollment code (typed or scanned)")
    parser.add_argument("--config", type=Path)
    parser.add_argument("--data-dir", type=Path)
    parsed = parser.parse_args(argv)
    try:
        config = _config(parsed.config)
    except (ConfigError, OSError) as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED
    folder = parsed.data_dir or data_dir(config).root
    from kiosk.client.cli import main as sync_main

    return sync_main(["enroll", parsed.url, parsed.code, "--data-dir", str(folder / "identity")])


def _import_bundle(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kiosk import-bundle",
        description="Apply an offline bundle (central export-bundle), with the download checks.",
    )
    parser.add_argument("file", type=Path, help="the bundle file")
    parser.add_argument("--config", type=Path)
    parser.add_argument("--data-dir", type=Path)
    parsed = parser.parse_args(argv)
    try:
        config = _config(parsed.config)
    except (ConfigError, OSError) as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED
    from kiosk.app.download_sink import main_import_bundle

    return main_import_bundle(parsed.data_dir or data_dir(config).root, parsed.file)


def _export_outbox(argv: Sequence[str]) -> int:
    """For a site with no network: the records not yet acknowledged, signed by this kiosk and
    sealed to central's transfer key, in one file (e.g. on a USB stick) for `central
    import-outbox`."""
    parser = argparse.ArgumentParser(
        prog="kiosk export-outbox", description="Write the upload backlog to a file for central."
    )
    parser.add_argument("dir", type=Path, help="the folder to write the file into")
    parser.add_argument("--config", type=Path)
    parser.add_argument("--data-dir", type=Path)
    parsed = parser.parse_args(argv)
    try:
        config = _config(parsed.config)
    except (ConfigError, OSError) as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED
    folder = parsed.data_dir or data_dir(config).root
    from datetime import UTC, datetime

    import httpx

    from kiosk.client.identity import IdentityError, KioskIdentity
    from kiosk.client.transfer import export_outbox, fetch_transfer_key, kept_transfer_key
    from kiosk.store import Store
    from sync.outbox_file import OutboxFileError

    identity_dir = folder / "identity"
    try:
        identity = KioskIdentity.load(identity_dir)
    except IdentityError as error:
        print(f"kiosk: not enrolled: {error}", file=sys.stderr)
        return EXIT_FAILED
    try:
        transfer_key = kept_transfer_key(identity_dir)
    except (OSError, OutboxFileError):
        try:  # never fetched: one signed request, if the network happens to be there
            with httpx.Client(timeout=15.0, auth=identity.auth()) as client:
                transfer_key = fetch_transfer_key(client, identity.server_url, identity_dir)
        except (httpx.HTTPError, OutboxFileError) as error:
            print(
                f"kiosk: central's transfer key is not known yet ({error}); upload once "
                "with the network, then export",
                file=sys.stderr,
            )
            return EXIT_FAILED
    paths = data_dir(config) if parsed.data_dir is None else None
    database = paths.database if paths else folder / "kiosk.db"
    key_file = paths.store_key if paths else folder / "keys" / "store.key"
    with Store.open(database, key_file) as store:
        try:
            written = export_outbox(
                store.outbox, identity, transfer_key, parsed.dir, now=datetime.now(UTC)
            )
        except OutboxFileError as error:
            print(f"kiosk: {error}", file=sys.stderr)
            return EXIT_FAILED
    if written is None:
        say("nothing to export: every record is acknowledged")
    else:
        say(f"{written[1]} records written to {written[0]}")
    return EXIT_OK


def _update(argv: Sequence[str]) -> int:
    """Install a release from a file (no network at the site), or show the install state."""
    parser = argparse.ArgumentParser(prog="kiosk update", description="Kiosk versions.")
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser("install", help="stage a signed release from files")
    install.add_argument("archive", type=Path)
    install.add_argument("--manifest", type=Path, required=True, help="the signed manifest")
    install.add_argument("--root", type=Path, required=True, help="the install root")
    status = commands.add_parser("status", help="current, previous, staged and refused versions")
    status.add_argument("--root", type=Path, required=True)
    parsed = parser.parse_args(argv)
    from kiosk.ops.update import InstallRoot
    from sync.releases import ReleaseError

    root = InstallRoot(parsed.root)
    if parsed.command == "status":
        import json
        from dataclasses import asdict

        say(json.dumps(asdict(root.state()), indent=2, sort_keys=True))
        return EXIT_OK
    try:
        version = root.stage(parsed.manifest.read_bytes(), parsed.archive, root.state().current)
    except (ReleaseError, OSError) as error:
        print(f"kiosk update: refused: {error}", file=sys.stderr)
        return EXIT_FAILED
    say(f"kiosk {version} staged: it is installed and self-tested at the next start")
    return EXIT_OK
