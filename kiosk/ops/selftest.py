"""`kiosk --self-test`: is this box ready to check people? One line per check, then exit 0 when
every check passed, 1 otherwise.

Checks, in order: the configuration; the data folder (writable, and outside the bundle when
running bundled); the database (opened and migrated like at start, `PRAGMA integrity_check`,
schema version); every configured device with a real reading (the thermometer sends a
temperature, the ID reader answers a SAM status query, the camera gives a frame, a serial scanner
opens its port); a known code, made now with fresh keys, drawn as a QR image, decoded by each QR
decoder the kiosk uses and verified against its trust list; and the screens (Qt's platform
plugin, the Chinese translation, the sounds). A device that is not configured is `skipped`.

With `demo=True` the devices are the simulators (`simthermometer://`, `simidcard://`, a camera
folder holding the known code), as in CI. Nothing here reads or prints personal data: the ID
reader is asked for its status only. Qt is imported only by the screens check.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from healthcode.console import say
from kiosk.config import DataPaths, KioskConfig

DEFAULT_TIMEOUT_S = 5.0
DEMO_THERMOMETER = "simthermometer://?model=gy-mcu90614"
DEMO_ID_READER = "simidcard://?card=resident"
KNOWN_REGION = "110000"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: skipped (not configured)
    detail: str

    def line(self) -> str:
        word = "skipped" if self.ok is None else "ok" if self.ok else "FAILED"
        return f"{word:<7} {self.name}: {self.detail}"


class CheckFailedError(Exception):
    """A check's reason for failing, worded for the technician."""


# ------------------------------------------------------------------------------- checks


def check_configuration(config: KioskConfig, source: str) -> str:
    from drivers.thermometer.protocol import check_model

    check_model(config.thermometer.model)
    devices = [
        name
        for name, configured in (
            ("camera", config.camera.source),
            ("thermometer", config.thermometer.url),
            ("ID reader", config.id_reader.url),
            ("scanner", config.scanner.mode != "none"),
        )
        if configured
    ]
    return f"{source}; devices: {', '.join(devices) or 'none'}"


def bundle_folder() -> Path | None:
    """The folder of the running bundle (PyInstaller), or None when running from source."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(sys.executable).resolve().parent


def check_data_dir(paths: DataPaths) -> str:
    root = paths.root.resolve()
    bundle = bundle_folder()
    if bundle is not None and root.is_relative_to(bundle):
        raise CheckFailedError(f"{root} is inside the bundle folder {bundle}: use a data folder")
    paths.create()
    probe = root / f".selftest-{secrets.token_hex(4)}"
    try:
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        raise CheckFailedError(f"{root} is not writable: {error}") from error
    return str(root)


def check_database(paths: DataPaths) -> str:
    from kiosk.store import Store
    from kiosk.store.schema import LATEST_VERSION, NewerDatabaseError

    try:
        store = Store.open(paths.database, paths.store_key)
    except NewerDatabaseError as error:  # issue 15: an older kiosk on a newer database
        raise CheckFailedError(str(error)) from error
    store.close()
    connection = sqlite3.connect(f"{paths.database.as_uri()}?mode=ro", uri=True)
    try:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()
    if integrity != ["ok"]:
        raise CheckFailedError("integrity check: " + "; ".join(map(str, integrity[:5])))
    if version != LATEST_VERSION:
        raise CheckFailedError(f"schema version {version}, expected {LATEST_VERSION}")
    size = paths.database.stat().st_size
    return f"{paths.database} (schema {version}, integrity ok, {size} bytes)"


def check_thermometer(config: KioskConfig, timeout_s: float) -> str:
    from drivers.serialio.events import DeviceStateEvent
    from drivers.thermometer import TemperatureReading, open_thermometer

    section = config.thermometer
    got = threading.Event()
    readings: list[TemperatureReading] = []
    states: list[str] = []

    def on_reading(reading: TemperatureReading) -> None:
        readings.append(reading)
        got.set()

    def on_state(event: DeviceStateEvent) -> None:
        states.append(f"{event.state.value}: {event.text}" if event.text else event.state.value)

    try:
        driver = open_thermometer(
            section.url,
            model=section.model,
            baudrate=section.baudrate or None,
            on_reading=on_reading,
            on_state=on_state,
            compensation=section.compensation(),
        )
    except (OSError, ValueError) as error:
        raise CheckFailedError(f"{section.url} cannot be opened: {error}") from error
    try:
        if not got.wait(timeout_s):
            last = f" (last state {states[-1]})" if states else ""
            raise CheckFailedError(f"no reading from {section.url} within {timeout_s:g} s{last}")
    finally:
        driver.stop()
    reading = readings[0]
    return (
        f"{section.url} ({section.model}): {reading.raw_celsius:.1f} °C measured, "
        f"{reading.body_celsius:.1f} °C body"
    )


def _sam_exchange(transport: Any, command: tuple[int, int], timeout_s: float) -> Any:
    from drivers.idcard.protocol import SamDeframer, parse_reply, sam_command
    from drivers.serialio.framing import FrameError
    from drivers.serialio.transport import read_some, write_all

    deframer = SamDeframer()
    write_all(transport, sam_command(command))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        data = read_some(transport)
        for item in deframer.feed(data) if data else ():
            if isinstance(item, FrameError):
                raise CheckFailedError(f"bad reply frame: {item.text}")
            return parse_reply(item)
    raise CheckFailedError(f"no reply to {command[0]:02X} {command[1]:02X} in {timeout_s:g} s")


def check_id_reader(config: KioskConfig, timeout_s: float) -> str:
    from drivers.idcard.protocol import BAUDRATE, SAM_STATUS, SamStatusError, check_status
    from drivers.serialio.transport import close_quietly, open_url

    section = config.id_reader
    if section.kind != "sam":
        raise CheckFailedError(f"kind {section.kind!r}: only SAM readers can be self-tested")
    try:
        transport = open_url(section.url, baudrate=BAUDRATE, timeout_s=0.05)
    except OSError as error:
        raise CheckFailedError(str(error)) from error
    try:
        transport.reset_input_buffer()
        reply = _sam_exchange(transport, SAM_STATUS, timeout_s)
        try:
            check_status(reply)
        except SamStatusError as error:
            raise CheckFailedError(f"SAM status {reply.sw3:02X}: {error}") from error
    finally:
        close_quietly(transport)
    return f"{section.url}: SAM status query answered {reply.sw3:02X} (ok)"


def check_camera(config: KioskConfig, timeout_s: float) -> str:
    from drivers.camera.sources import open_source

    section = config.camera
    try:
        source = open_source(section.source, width=section.width, height=section.height)
        source.open()
    except (OSError, ValueError) as error:
        raise CheckFailedError(f"{section.source} cannot be opened: {error}") from error
    try:
        deadline = time.monotonic() + timeout_s
        frame = None
        while frame is None and time.monotonic() < deadline:
            frame = source.read()
    finally:
        source.close()
    if frame is None:
        raise CheckFailedError(f"no frame from {section.source} within {timeout_s:g} s")
    height, width = frame.shape[:2]
    return f"{section.source}: a {width}x{height} frame"


def check_scanner(config: KioskConfig) -> str:
    from drivers.qr.scanner import SerialQrScanner

    section = config.scanner
    if section.mode == "wedge":
        return "keyboard wedge: it types into the scan screen, nothing to open"
    try:
        scanner = SerialQrScanner.open(section.url)
    except OSError as error:
        raise CheckFailedError(str(error)) from error
    scanner.read_scans()
    scanner.close()
    return f"{section.url}: port opens and reads (a scan needs a code in front of it)"


@dataclass(frozen=True)
class KnownCode:
    text: str
    code_id: bytes
    trust_list: Any
    image: Any  # a grayscale numpy array with the QR code


def make_known_code(folder: Path, now: datetime) -> KnownCode:
    """A code signed now by fresh keys in `folder`, its trust list, and its QR image."""
    import numpy as np
    import segno

    from healthcode import jkm
    from healthcode.claims import CodeKind, Colour
    from healthcode.keydir import KeyDir
    from healthcode.text import LocalText
    from healthcode.trust import Issuer, KeyRole, TrustAnchor

    keydir = KeyDir.create(
        folder / "keys", Issuer(KNOWN_REGION, LocalText("自检", "self-test")), now
    )
    trust_list = keydir.trust_list(now)
    TrustAnchor(keydir.root().public).accept(trust_list.sign(keydir.root()))
    code_id = secrets.token_bytes(16)
    claims = jkm.claims_for_person(
        issuer=KNOWN_REGION,
        code_id=code_id,
        colour=Colour.GREEN,
        colour_seq=1,
        kind=CodeKind.APP,
        full_name="自检",
        id_number=None,
        binding_key=None,
        now=now,
    )
    text = jkm.issue(claims, keydir.signing_key(KeyRole.ISSUER))
    matrix = np.array(segno.make(text, error="m", micro=False).matrix, dtype=np.uint8)
    matrix = np.pad(matrix, 4, constant_values=0)
    image = np.where(np.kron(matrix, np.ones((6, 6), dtype=np.uint8)), 0, 255).astype(np.uint8)
    return KnownCode(text, code_id, trust_list, image)


def check_known_code(known: KnownCode, now: datetime) -> str:
    from drivers.qr.decoders import ZbarDecoder, ZxingDecoder
    from drivers.qr.pipeline import default_pipeline
    from healthcode.jkm import default_registry
    from healthcode.results import VerifiedCode
    from healthcode.schemes import VerifyContext

    found = default_pipeline().decode(known.image)
    if known.text not in found.texts:
        raise CheckFailedError(f"the pipeline did not decode the known code (got {found.texts})")
    decoders = []
    for make in (ZxingDecoder, ZbarDecoder):
        try:
            decoder = make()
            texts = decoder.decode(known.image)
        except Exception as error:  # a missing library (libzbar) must read as a failure line
            raise CheckFailedError(f"{make.__name__}: {error}") from error
        if known.text not in texts:
            raise CheckFailedError(f"{decoder.name} did not decode the known code")
        decoders.append(decoder.name)
    result = default_registry().verify(found.texts[0], VerifyContext(known.trust_list, now))
    if not isinstance(result, VerifiedCode):
        raise CheckFailedError(f"the known code did not verify: {result}")
    if result.claims.code_id != known.code_id:
        raise CheckFailedError("the decoded code is not the known code")
    return (
        f"decoded by the pipeline ({found.decoder}, {found.ms:.0f} ms) and by "
        f"{' and '.join(decoders)}; signature and times verified"
    )


def check_screens() -> str:
    """Qt loads its platform plugin, the Chinese translation and the sounds are there."""
    if sys.platform.startswith("linux") and "QT_QPA_PLATFORM" not in os.environ:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QTranslator
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtMultimedia import QSoundEffect  # noqa: F401 - the sounds' module loads

    from kiosk.ui.i18n import ASSETS

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    platform = QGuiApplication.platformName()
    translator = QTranslator()
    qm = ASSETS / "i18n" / "kiosk_zh_CN.qm"
    if not translator.load(str(qm)):
        raise CheckFailedError(f"the Chinese translation {qm} does not load")
    sounds = sorted((ASSETS / "sounds").glob("*.wav"))
    if not sounds:
        raise CheckFailedError(f"no sounds in {ASSETS / 'sounds'}")
    del app
    return f"Qt platform {platform}, Chinese translation, {len(sounds)} sounds"


# ------------------------------------------------------------------------------- running


def demo_config(config: KioskConfig, folder: Path, known: KnownCode) -> KioskConfig:
    """`config` with the simulators as devices and a camera folder showing the known code."""
    import cv2

    camera = folder / "camera"
    camera.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(camera / "known-code.png"), known.image)
    return dataclasses.replace(
        config,
        camera=dataclasses.replace(config.camera, source=str(camera)),
        thermometer=dataclasses.replace(
            config.thermometer, url=DEMO_THERMOMETER, model="gy-mcu90614", baudrate=0
        ),
        id_reader=dataclasses.replace(config.id_reader, url=DEMO_ID_READER, kind="sam"),
    )


def _run(name: str, check: Callable[[], str]) -> Check:
    try:
        return Check(name, True, check())
    except CheckFailedError as error:
        return Check(name, False, str(error))
    except Exception as error:
        return Check(name, False, f"{type(error).__name__}: {error}")


def run_checks(
    config: KioskConfig,
    paths: DataPaths,
    *,
    source: str = "built-in defaults",
    demo: bool = False,
    screens: bool = True,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Iterator[Check]:
    """Each check's result as soon as it is known."""
    with tempfile.TemporaryDirectory(prefix="kiosk-selftest-") as scratch:
        folder = Path(scratch)
        known: KnownCode | None = None
        try:
            known = make_known_code(folder, now() - timedelta(seconds=5))
        except Exception as error:
            yield Check("known code", False, f"cannot make it: {type(error).__name__}: {error}")
        if demo and known is not None:
            config = demo_config(config, folder, known)
            source += " + simulated devices"
        yield _run("configuration", lambda: check_configuration(config, source))
        data_ok = _run("data folder", lambda: check_data_dir(paths))
        yield data_ok
        if data_ok.ok:
            yield _run("database", lambda: check_database(paths))
        else:
            yield Check("database", False, "no usable data folder")
        devices: list[tuple[str, bool, Callable[[], str]]] = [
            (
                "thermometer",
                bool(config.thermometer.url),
                lambda: check_thermometer(config, timeout_s),
            ),
            ("ID reader", bool(config.id_reader.url), lambda: check_id_reader(config, timeout_s)),
            ("camera", bool(config.camera.source), lambda: check_camera(config, timeout_s)),
            ("scanner", config.scanner.mode != "none", lambda: check_scanner(config)),
        ]
        for name, configured, check in devices:
            yield _run(name, check) if configured else Check(name, None, "not configured")
        if known is not None:
            code = known
            yield _run("known code", lambda: check_known_code(code, now()))
        if screens:
            yield _run("screens", check_screens)


def run_self_test(
    config: KioskConfig,
    paths: DataPaths,
    *,
    source: str = "built-in defaults",
    demo: bool = False,
    screens: bool = True,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    out: Callable[[str], object] = print,
) -> int:
    """Print one line per check and a summary; 0 when nothing failed, else 1."""
    failed = 0
    started = time.monotonic()
    for check in run_checks(
        config, paths, source=source, demo=demo, screens=screens, timeout_s=timeout_s
    ):
        out(check.line())
        failed += check.ok is False
    seconds = time.monotonic() - started
    if failed:
        out(f"self-test FAILED: {failed} check(s) failed ({seconds:.1f} s)")
        return 1
    out(f"self-test ok ({seconds:.1f} s)")
    return 0


def load_for_maintenance(
    config_path: Path | None, data_dir_override: Path | None
) -> tuple[KioskConfig, DataPaths, str]:
    """The configuration (the file given, the default file if present, else the defaults), the
    data paths (`--data-dir` wins over the file) and a description of where the config came
    from. Raises `ConfigError` or `OSError`."""
    from kiosk.config import data_dir, default_config_path, load_config

    path = config_path
    if path is None and default_config_path().exists():
        path = default_config_path()
    config = load_config(path) if path is not None else KioskConfig.default()
    if data_dir_override is not None:
        config = dataclasses.replace(
            config, kiosk=dataclasses.replace(config.kiosk, data_dir=str(data_dir_override))
        )
    source = str(path) if path is not None else "built-in defaults"
    return config, data_dir(config), source


def main_self_test(
    config_path: Path | None, data_dir_override: Path | None, *, demo: bool = False
) -> int:
    """`kiosk --self-test`: 0 when every check passed, 1 when one failed."""
    from kiosk.config import ConfigError

    try:
        config, paths, source = load_for_maintenance(config_path, data_dir_override)
    except (ConfigError, OSError) as error:
        say(Check("configuration", False, str(error)).line())
        say("self-test FAILED: the configuration cannot be used")
        return 1
    return run_self_test(config, paths, source=source, demo=demo, out=say)
