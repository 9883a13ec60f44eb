"""`kiosk --check-config FILE [--language zh|en]`: every problem of a configuration file, one
per line, in the language asked for (else the file's own `[kiosk] language`, else Chinese)."""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from healthcode.console import say
from healthcode.text import Language
from kiosk.config.loading import check_config


def _file_language(path: Path) -> Language:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "zh"
    kiosk = raw.get("kiosk")
    language = kiosk.get("language") if isinstance(kiosk, dict) else None
    return "en" if language == "en" else "zh"


def main_check_config(argv: Sequence[str] | None = None) -> int:
    """`kiosk --check-config FILE [--language zh|en]`: 0 when the file is fine, 1 with every
    problem listed one per line, 2 when the file is missing or unreadable."""
    parser = argparse.ArgumentParser(
        prog="kiosk --check-config", description="Check a kiosk configuration file."
    )
    parser.add_argument("file", type=Path, help="the TOML configuration file")
    parser.add_argument(
        "--language",
        choices=["zh", "en"],
        help="language of the messages (default: the file's [kiosk] language, else zh)",
    )
    args = parser.parse_args(argv)
    path: Path = args.file
    language: Language = args.language or _file_language(path)
    try:
        problems = check_config(path)
    except OSError as error:
        reason = error.strerror or str(error)
        message = (
            f"cannot read {path}: {reason}" if language == "en" else f"无法读取 {path}：{reason}"
        )
        print(message, file=sys.stderr)
        return 2
    if not problems:
        say(f"{path}: OK" if language == "en" else f"{path}：配置无误")
        return 0
    for problem in problems:
        say(problem.text(language))
    return 1
