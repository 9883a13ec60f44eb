"""`kiosk --diagnostics [OUT]`: one zip archive for support, with nothing personal in it.

    manifest.json   when, which kiosk version, what the archive holds
    versions.json   Python, PySide6/Qt, OpenCV, zxing-cpp, pyzbar and the zbar library, numpy ...
    config.json     the configuration, every URL's credentials and secret-looking values removed
    devices.json    serial ports (pyserial) and cameras (/dev/v4l/by-id, /dev/video*)
    database.json   file sizes, schema version, row counts per table, integrity; no row contents
    clock.json      wall clock, the store's clock floor, trust-list/feed/last-passage times,
                    the offset to central when one was recorded
    disk.json       free and total space where the data lives
    logs/           the newest log files, scrubbed once more (kiosk/ops/logs.py)

Everything is read-only: the database is opened with `mode=ro`, nothing is migrated. Qt-free.
"""

from __future__ import annotations

import dataclasses
import json
import platform
import shutil
import socket
import sqlite3
import sys
import urllib.parse
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from healthcode.console import say
from kiosk.config import DataPaths, KioskConfig
from kiosk.ops.logs import log_files, scrub

REDACTED = "***"
LOG_BUDGET_BYTES = 8 * 1024 * 1024
SECRET_WORDS = ("password", "passwd", "secret", "token", "key", "pin", "auth", "credential")
# Meta values that are times or counters, never personal: copied into clock.json.
CLOCK_META = ("clock_floor_ms", "feed_as_of_ms", "feed_last_sequence", "clock_offset_s")
PACKAGES = (
    "healthcode-checkpoint",
    "PySide6",
    "shiboken6",
    "opencv-python-headless",
    "zxing-cpp",
    "pyzbar",
    "numpy",
    "pyserial",
    "cryptography",
    "cbor2",
    "segno",
    "platformdirs",
    "httpx",
)


# ---------------------------------------------------------------------------- redaction


def redact_url(text: str) -> str:
    """A URL without its user and password, and with secret-looking query values removed."""
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return REDACTED
    if not parts.scheme or (not parts.netloc and not parts.query):
        return text
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if "@" not in parts.netloc and not any(_secret_name(name) for name, _ in pairs):
        return text
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = urllib.parse.urlencode(
        [(name, REDACTED if _secret_name(name) else value) for name, value in pairs],
        safe="*",
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def redact(value: Any, name: str = "") -> Any:
    """A JSON-able copy of `value` with secrets removed: values under secret-looking names,
    credentials in URLs."""
    if isinstance(value, dict):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, name) for v in value]
    if _secret_name(name) and value not in ("", None):
        return REDACTED
    if isinstance(value, str):
        return redact_url(value) if "://" in value else value
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def config_report(config: KioskConfig, source: str) -> dict[str, Any]:
    return {"source": source, "config": redact(dataclasses.asdict(config))}


# ---------------------------------------------------------------------------- sections


def _module_version(module: str, attribute: str = "__version__") -> str | None:
    try:
        imported = __import__(module)
    except Exception as error:
        return f"not importable: {type(error).__name__}: {error}"
    value = getattr(imported, attribute, None)
    return None if value is None else str(value)


def versions() -> dict[str, Any]:
    from importlib import metadata

    report: dict[str, Any] = {
        "python": sys.version,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "executable": sys.executable,
    }
    packages: dict[str, str | None] = {}
    for package in PACKAGES:
        try:
            packages[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            packages[package] = None
    report["packages"] = packages
    report["modules"] = {
        "PySide6": _module_version("PySide6"),
        "cv2": _module_version("cv2"),
        "zxingcpp": _module_version("zxingcpp"),
        "numpy": _module_version("numpy"),
        "serial": _module_version("serial", "VERSION"),
    }
    report["qt"] = _qt_version()
    report["zbar"] = _zbar_version()
    return report


def _qt_version() -> str | None:
    try:
        from PySide6 import QtCore
    except Exception as error:
        return f"not importable: {type(error).__name__}: {error}"
    return str(QtCore.qVersion())


def _zbar_version() -> str:
    try:
        import ctypes

        from pyzbar import wrapper  # type: ignore[import-untyped]

        major, minor = ctypes.c_uint(), ctypes.c_uint()
        wrapper.zbar_version(ctypes.byref(major), ctypes.byref(minor))
        library = getattr(wrapper, "LIBZBAR", None)
        where = getattr(library, "_name", None)
        return f"{major.value}.{minor.value}" + (f" ({where})" if where else "")
    except Exception as error:
        return f"not loadable: {type(error).__name__}: {error}"


def devices() -> dict[str, Any]:
    from drivers.camera.sources import stable_camera_paths
    from drivers.serialio.transport import list_ports

    try:
        ports: list[dict[str, Any]] | str = [
            {
                "device": p.device,
                "vid": None if p.vid is None else f"{p.vid:04x}",
                "pid": None if p.pid is None else f"{p.pid:04x}",
                "description": p.description,
            }
            for p in list_ports()
        ]
    except Exception as error:
        ports = f"cannot list: {type(error).__name__}: {error}"
    return {
        "serial_ports": ports,
        "cameras_by_id": stable_camera_paths(),
        "video_devices": sorted(str(p) for p in Path("/dev").glob("video*")),
    }


def _ms_to_iso(value: Any) -> str | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def database_stats(paths: DataPaths) -> dict[str, Any]:
    """Sizes, schema version, integrity and row counts: numbers only, never row contents."""
    database = paths.database
    report: dict[str, Any] = {"path": str(database), "exists": database.exists()}
    if not database.exists():
        return report
    for suffix in ("", "-wal", "-shm"):
        file = database.with_name(database.name + suffix)
        report[f"bytes{suffix or '_db'}"] = file.stat().st_size if file.exists() else 0
    try:
        connection = _read_only(database)
    except sqlite3.Error as error:
        report["error"] = f"{type(error).__name__}: {error}"
        return report
    try:
        report["schema_version"] = int(connection.execute("PRAGMA user_version").fetchone()[0])
        report["page_size"] = int(connection.execute("PRAGMA page_size").fetchone()[0])
        report["page_count"] = int(connection.execute("PRAGMA page_count").fetchone()[0])
        report["freelist_count"] = int(connection.execute("PRAGMA freelist_count").fetchone()[0])
        report["quick_check"] = [r[0] for r in connection.execute("PRAGMA quick_check")][:5]
        tables = [
            str(r[0])
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        report["rows"] = {
            table: int(connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])  # noqa: S608 - names from sqlite_master
            for table in tables
        }
        if "outbox" in tables:
            report["outbox_by_state"] = dict(
                connection.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
            )
    except sqlite3.Error as error:
        report["error"] = f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    return report


def clock_report(paths: DataPaths, now: datetime) -> dict[str, Any]:
    report: dict[str, Any] = {"wall_clock_utc": now.isoformat(), "store": {}}
    if not paths.database.exists():
        return report
    try:
        connection = _read_only(paths.database)
    except sqlite3.Error as error:
        report["error"] = str(error)
        return report
    store: dict[str, Any] = {}
    try:
        marks = ",".join("?" * len(CLOCK_META))
        meta = dict(
            connection.execute(
                f"SELECT key, value FROM meta WHERE key IN ({marks})",  # noqa: S608 - placeholders
                CLOCK_META,
            ).fetchall()
        )
        for key in CLOCK_META:
            if key in meta:
                store[key] = meta[key]
                if key.endswith("_ms"):
                    store[key[:-3] + "_utc"] = _ms_to_iso(meta[key])
        newest = connection.execute("SELECT MAX(at_ms) FROM passages").fetchone()[0]
        store["last_passage_utc"] = _ms_to_iso(newest)
        trust = connection.execute("SELECT MAX(accepted_ms) FROM trust_lists").fetchone()[0]
        store["trust_list_accepted_utc"] = _ms_to_iso(trust)
    except sqlite3.Error as error:
        store["error"] = f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    report["store"] = store
    floor = store.get("clock_floor_ms")
    if floor is not None:
        behind = int(floor) / 1000 - now.timestamp()
        report["wall_clock_behind_floor_s"] = round(behind, 3) if behind > 0 else 0
        report["wall_clock_trusted"] = behind <= 0
    if store.get("feed_as_of_ms"):
        report["feed_age_s"] = round(now.timestamp() - int(store["feed_as_of_ms"]) / 1000, 1)
    report["offset_to_central_s"] = store.get("clock_offset_s")
    return report


def disk_report(paths: DataPaths) -> dict[str, Any]:
    where = paths.root if paths.root.exists() else Path(paths.root.anchor or "/")
    usage = shutil.disk_usage(where)
    return {"path": str(where), "free_bytes": usage.free, "total_bytes": usage.total}


# ---------------------------------------------------------------------------- archive


def default_archive_name(now: datetime) -> str:
    return f"kiosk-diagnostics-{socket.gethostname()}-{now.strftime('%Y%m%dT%H%M%SZ')}.zip"


def _section(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as error:  # one broken section must not lose the others
        return {"error": f"{type(error).__name__}: {error}"}


def write_diagnostics(
    out: Path | None,
    config: KioskConfig,
    paths: DataPaths,
    *,
    source: str = "built-in defaults",
    now: datetime | None = None,
) -> Path:
    """Write the archive to `out` (a .zip path, or a folder to put it in; None: the current
    folder) and return its path."""
    moment = now or datetime.now(UTC)
    if out is None:
        target = Path.cwd() / default_archive_name(moment)
    elif out.suffix.lower() == ".zip":
        target = out
    else:
        target = out / default_archive_name(moment)
    target.parent.mkdir(parents=True, exist_ok=True)
    from kiosk.ops.selftest import bundle_folder

    sections: dict[str, Any] = {
        "versions.json": _section(versions),
        "config.json": _section(lambda: config_report(config, source)),
        "devices.json": _section(devices),
        "database.json": _section(lambda: database_stats(paths)),
        "clock.json": _section(lambda: clock_report(paths, moment)),
        "disk.json": _section(lambda: disk_report(paths)),
    }
    logs: list[str] = []
    budget = LOG_BUDGET_BYTES
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sections.items():
            archive.writestr(name, json.dumps(content, indent=2, ensure_ascii=False, default=str))
        for file in log_files(paths.logs_dir) + sorted(paths.logs_dir.glob("fault.log")):
            if budget <= 0:
                break
            data = file.read_bytes()[-budget:]
            budget -= len(data)
            text = scrub(data.decode("utf-8", errors="replace"))
            archive.writestr(f"logs/{file.name}", text)
            logs.append(file.name)
        manifest = {
            "created_utc": moment.isoformat(),
            "kiosk_version": sections["versions.json"]
            .get("packages", {})
            .get("healthcode-checkpoint")
            if isinstance(sections["versions.json"], dict)
            else None,
            "bundle": str(bundle_folder()) if bundle_folder() else None,
            "data_dir": str(paths.root),
            "files": [*sections, *(f"logs/{name}" for name in logs)],
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return target


def main_diagnostics(
    config_path: Path | None, data_dir_override: Path | None, out: str | None
) -> int:
    """`kiosk --diagnostics [OUT]`: print the archive's path; 0, or 1 when it cannot be written.
    A configuration that cannot be read is reported inside the archive, not fatal."""
    from kiosk.config import ConfigError, data_dir
    from kiosk.ops.selftest import load_for_maintenance

    try:
        config, paths, source = load_for_maintenance(config_path, data_dir_override)
    except (ConfigError, OSError) as error:
        config = KioskConfig.default()
        if data_dir_override is not None:
            config = dataclasses.replace(
                config, kiosk=dataclasses.replace(config.kiosk, data_dir=str(data_dir_override))
            )
        paths = data_dir(config)
        source = f"unreadable ({scrub(str(error))}); defaults shown"
    try:
        target = write_diagnostics(Path(out) if out else None, config, paths, source=source)
    except OSError as error:
        print(f"kiosk: cannot write the diagnostics archive: {error}", file=sys.stderr)
        return 1
    say(str(target))
    return 0
