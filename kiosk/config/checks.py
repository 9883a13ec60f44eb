"""The value checks of the configuration: one key at a time (ranges, choices, time zones,
models, serial URLs parsed without opening the port) and the keys that go together.

Light to import: pyserial and the drivers' modules are imported only where a value is checked.
"""

from __future__ import annotations

import importlib
import re
import urllib.parse
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

from healthcode.text import LocalText
from kiosk.checkpoint.policy import CheckpointType
from kiosk.config.problems import EXPECTED, ConfigProblem, bilingual

# A check gets the (type-correct) value and returns what is wrong with it, or None.
_Check = Callable[[Any], LocalText | None]


def _one_of(*choices: str) -> _Check:
    def check(value: str) -> LocalText | None:
        if value in choices:
            return None
        return bilingual(f"未知取值 {value!r}", f"unknown value {value!r}")

    return check


def _between(low: float, high: float) -> _Check:
    def check(value: float) -> LocalText | None:
        if low <= value <= high:
            return None
        return bilingual(f"{value} 超出范围", f"{value} is out of range")

    return check


def _check_time_zone(value: str) -> LocalText | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return bilingual(f"未知时区 {value!r}", f"unknown time zone {value!r}")
    return None


def _check_name(value: str) -> LocalText | None:
    if len(value) > 64:
        return bilingual(
            f"名称过长（{len(value)} 字）", f"the name is too long ({len(value)} characters)"
        )
    return None


def _check_model(value: str) -> LocalText | None:
    from drivers.thermometer.protocol import MODELS, check_model

    try:
        check_model(value)
    except ValueError:
        known = ", ".join(sorted(MODELS))
        return bilingual(
            f"未知测温仪型号 {value!r}（已知：{known}）",
            f"unknown model {value!r} (known: {known})",
        )
    return None


def _check_baudrate(value: int) -> LocalText | None:
    if value == 0 or 50 <= value <= 4_000_000:
        return None
    return bilingual(f"波特率 {value} 无效", f"baud rate {value} is not valid")


def _check_central_url(value: str) -> LocalText | None:
    if not value:
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname:
        return None
    return bilingual(f"不是 http(s) 地址：{value!r}", f"not an http(s) address: {value!r}")


def is_camera_device(spec: str) -> bool:
    return spec.startswith(("usb:", "/dev/")) or spec.isdigit()


def check_camera_source(spec: str, base_dir: Path) -> LocalText | None:
    """What is wrong with an `open_source` spec, without opening it: a missing folder or file,
    a single image, a string that is no kind of camera."""
    if not spec or is_camera_device(spec):
        if spec.startswith("usb:") and not spec[4:]:
            return bilingual("usb: 后缺少编号或路径", "usb: needs an index or a path")
        return None  # a device that is unplugged now is the self-test's business, not config's
    from drivers.camera.sources import IMAGE_SUFFIXES, VIDEO_SUFFIXES

    path = resolve_path(spec, base_dir)
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        if not path.is_file():
            return bilingual(f"视频文件不存在：{path}", f"the video file {path} does not exist")
        return None
    if suffix in IMAGE_SUFFIXES and not path.is_dir():
        return bilingual(
            f"{path} 是单张图片，请填写其所在文件夹", f"{path} is one image: give its folder"
        )
    if not path.exists():
        return bilingual(f"文件夹不存在：{path}", f"the folder {path} does not exist")
    if not path.is_dir():
        return bilingual(
            f"无法识别的摄像头：{spec!r}", f"cannot tell what kind of camera {spec!r} is"
        )
    return None


_WINDOWS_PORT = re.compile(r"^(?:\\\\\.\\)?COM\d+$", re.IGNORECASE)


def check_serial_url(url: str) -> LocalText | None:
    """What pyserial would refuse in `url`, found without opening the port: an unknown scheme, a
    malformed `socket://`/`loop://`/`spy://` URL, a simulator option that does not exist, or a
    relative device name. Whether the device is plugged in is not checked."""
    if "://" not in url:
        if url.startswith("/") or _WINDOWS_PORT.match(url):
            return None
        return bilingual(
            f"{url!r} 不是设备路径（应以 /dev/ 开头或为 COMn）",
            f"{url!r} is not a device path (it should start with /dev/ or be COMn)",
        )
    import serial  # type: ignore[import-untyped, unused-ignore]

    from drivers.serialio.transport import register_url_handlers

    register_url_handlers()
    scheme = url.split("://", 1)[0].lower()
    module: Any = None
    for package in serial.protocol_handler_packages:
        try:
            module = importlib.import_module(f"{package}.protocol_{scheme}")
        except ImportError:
            continue
        break
    if module is None:
        return bilingual(f"pyserial 不认识 {scheme}:// 地址", f"pyserial knows no {scheme}:// URLs")
    try:
        port: Any = module.Serial(None)
        if hasattr(port, "make_device"):  # our simulators parse their options when opened
            from drivers.serialio.simport import parse_query

            port.make_device(parse_query(url, scheme))
        elif hasattr(port, "from_url") and scheme != "hwgrep":
            port.from_url(url)  # loop://, socket://, rfc2217://, spy://, alt://: parse only
    except TypeError:  # pyserial's socket:// parser when there is no port
        return bilingual(f"地址不完整：{url!r}", f"{url!r} is incomplete (host:port?)")
    except KeyError:  # pyserial 3.5's loop:// builds its own error message wrongly
        return bilingual(f"pyserial 无法解析 {url!r}", f"pyserial cannot parse {url!r}")
    except (serial.SerialException, ValueError) as error:
        return bilingual(
            f"pyserial 无法解析 {url!r}：{error}", f"pyserial cannot parse {url!r}: {error}"
        )
    return None


def _check_serial_or_empty(value: str) -> LocalText | None:
    return check_serial_url(value) if value else None


VALUE_CHECKS: dict[str, _Check] = {
    "kiosk.language": _one_of("zh", "en"),
    "kiosk.checkpoint_type": _one_of(*(t.value for t in CheckpointType)),
    "kiosk.checkpoint_name": _check_name,
    "kiosk.time_zone": _check_time_zone,
    "kiosk.result_seconds": _between(0.3, 10),
    "camera.width": _between(160, 7680),
    "camera.height": _between(120, 4320),
    "kiosk.layout": _one_of("auto", "landscape", "compact", "portrait"),
    "kiosk.store_key": _one_of("os", "file"),
    "camera.fps": _between(1, 120),
    "thermometer.url": _check_serial_or_empty,
    "thermometer.model": _check_model,
    "thermometer.baudrate": _check_baudrate,
    "thermometer.offset_celsius": _between(-5, 10),
    "thermometer.gain": _between(0.5, 1.5),
    "thermometer.mode": _one_of("surface", "body"),
    "thermometer.max_reading_age_s": _between(0.5, 300),
    "id_reader.kind": _one_of("sam", "nfc"),
    "scanner.mode": _one_of("none", "serial", "wedge"),
    "central.url": _check_central_url,
    "national_check.url": _check_central_url,
    "national_check.timeout_s": _between(0.5, 30),
}


def resolve_path(value: str, base_dir: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base_dir / path


def check_together(
    values: dict[str, dict[str, Any]], base_dir: Path, bad: set[str]
) -> list[ConfigProblem]:
    """Checks that need more than one key or the file's folder (values hold the defaults for
    missing keys); keys in `bad` already have a problem and are not checked again."""
    problems: list[ConfigProblem] = []

    def add(key: str, problem: LocalText) -> None:
        if not bad & {key, *related.get(key, ())}:
            problems.append(ConfigProblem(key, problem, EXPECTED[key]))

    related = {
        "id_reader.url": ("id_reader.kind",),
        "scanner.url": ("scanner.mode",),
        "thermometer.model": ("thermometer.url",),
    }

    camera = values["camera"]["source"]
    if (wrong := check_camera_source(camera, base_dir)) is not None:
        add("camera.source", wrong)

    reader = values["id_reader"]
    if reader["url"] and reader["kind"] == "nfc":
        if not re.fullmatch(r"pcsc:\d+", reader["url"]):
            add(
                "id_reader.url",
                bilingual("nfc 读卡器应写作 pcsc:N", "an nfc reader is written pcsc:N"),
            )
    elif reader["url"] and (wrong := check_serial_url(reader["url"])) is not None:
        add("id_reader.url", wrong)

    scanner = values["scanner"]
    if scanner["mode"] == "serial":
        if not scanner["url"]:
            add(
                "scanner.url",
                bilingual('mode = "serial" 时必须填写', 'required with mode = "serial"'),
            )
        elif (wrong := check_serial_url(scanner["url"])) is not None:
            add("scanner.url", wrong)
    elif scanner["url"] and scanner["mode"] in ("none", "wedge"):
        add(
            "scanner.url",
            bilingual(
                f'已填写，但 mode 为 "{scanner["mode"]}"', f'set, but mode is "{scanner["mode"]}"'
            ),
        )

    thermometer = values["thermometer"]
    url = thermometer["url"]
    if url.lower().startswith("simthermometer://"):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        sim_model = query.get("model", ["gy-mcu90614"])[-1]
        if sim_model != thermometer["model"]:
            add(
                "thermometer.model",
                bilingual(
                    f"与模拟器地址中的型号 {sim_model!r} 不一致",
                    f"differs from the simulator URL's model {sim_model!r}",
                ),
            )
    return problems
