"""Writing the kiosk's TOML configuration (the provisioning screen saves the devices it picked).

`update_config(path, changes)` changes the given `section.key`s of the file in place: every
other line, comment and blank line stays as the technician or the installer wrote it; a key
that is not in the file yet is added at the end of its section (the section is added when
missing). The result is checked with the same rules as `load_config` before anything is
written, and it replaces the old file atomically (a temporary file in the same folder, flushed,
then renamed over it), so a power cut leaves either the old file or the new one.

Qt-free.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.config import ConfigError, KioskConfig, load_config, section_keys, validate

_SECTION = re.compile(r"^\s*\[\s*([A-Za-z0-9_]+)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^(\s*)([A-Za-z0-9_]+)\s*=")

Changes = Mapping[str, Mapping[str, Any]]  # section -> key -> value


def toml_value(value: object) -> str:
    """A TOML literal for a configuration value (strings, booleans, numbers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string for everything JSON escapes (\\, \", \n, \uXXXX).
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _check_known(changes: Changes) -> None:
    known = section_keys()
    for section, values in changes.items():
        for key in values:
            if key not in known.get(section, []):
                raise KeyError(f"unknown configuration key {section}.{key}")


def edit_text(text: str, changes: Changes) -> str:
    """`text` with `changes` applied, keeping every other line as it was."""
    _check_known(changes)
    pending = {section: dict(values) for section, values in changes.items()}
    lines = text.splitlines()
    out: list[str] = []
    section: str | None = None

    def close_section() -> None:
        # Keys of the section just left that were not in the file: before its trailing blanks.
        if section is None or not pending.get(section):
            return
        trailing: list[str] = []
        while out and not out[-1].strip():
            trailing.append(out.pop())
        for key, value in pending.pop(section).items():
            out.append(f"{key} = {toml_value(value)}")
        out.extend(trailing)

    for line in lines:
        header = _SECTION.match(line)
        if header:
            close_section()
            section = header.group(1)
            out.append(line)
            continue
        key_line = _KEY.match(line)
        if key_line and section is not None and key_line.group(2) in pending.get(section, {}):
            key = key_line.group(2)
            value = pending[section].pop(key)
            out.append(f"{key_line.group(1)}{key} = {toml_value(value)}")
            continue
        out.append(line)
    close_section()
    for name, values in pending.items():
        if not values:
            continue
        if out and out[-1].strip():
            out.append("")
        out.append(f"[{name}]")
        out.extend(f"{key} = {toml_value(value)}" for key, value in values.items())
    return "\n".join(out) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text`: a crash leaves the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # the rename itself survives a power cut
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def update_config(path: Path, changes: Changes) -> KioskConfig:
    """Apply `changes` to the file at `path` (created when missing) and return the new
    configuration. ConfigError (nothing written) when the result would not load."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    edited = edit_text(text, changes)
    _config, problems = validate(tomllib.loads(edited), path.resolve().parent)
    if problems:
        raise ConfigError(path, problems)
    write_atomically(path, edited)
    return load_config(path)
