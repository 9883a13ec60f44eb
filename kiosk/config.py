"""The kiosk's configuration: one TOML file, read into frozen dataclasses with documented defaults.

Every key is optional; a missing key takes the default written next to its field (and in
`assets/kiosk.example.toml`). `check_config(path)` lists every problem at once (unknown keys with
the closest known key, wrong types, bad values), each naming `section.key`, what is wrong and what
is expected, in Chinese and English; `load_config(path)` raises `ConfigError` carrying that list.
`kiosk --check-config FILE` is `main_check_config`. Relative paths in the file (a camera folder,
`data_dir`) are taken from the folder that holds the file.

Qt-free, and light to import: pyserial, numpy and the drivers' modules are imported only where a
value is checked.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import importlib
import re
import sys
import tomllib
import urllib.parse
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from healthcode.text import Language, LocalText
from kiosk.checkpoint.policy import CheckpointType

APP_NAME = "healthcode-kiosk"
CONFIG_FILE_NAME = "kiosk.toml"


# ---------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class KioskSection:
    """[kiosk]: the checkpoint and the screens."""

    language: Language = "zh"  # "zh" or "en": the language the screens start in
    checkpoint_type: CheckpointType = CheckpointType.ENTERPRISE_GATE
    checkpoint_name: str = ""  # shown on screen and stored with each passage
    time_zone: str = "Asia/Shanghai"  # IANA zone for times shown and exported
    data_dir: str = ""  # "": the platform's user data folder (see `data_dir()`)
    result_seconds: float = 1.0  # how long the result screen stays (0.3 to 10)
    fullscreen: bool = True
    lock: bool = False  # kiosk lock-down: no window frame, closing needs the supervisor PIN


@dataclass(frozen=True)
class CameraSection:
    """[camera]: where frames come from."""

    source: str = ""  # "": no camera; a folder, a video file, /dev/v4l/by-id/..., usb:N
    width: int = 1280  # requested from a USB camera; it picks its nearest mode
    height: int = 720
    fps: float = 15.0


@dataclass(frozen=True)
class ThermometerSection:
    """[thermometer]: an infrared thermometer on a serial line."""

    url: str = ""  # "": none; a device path or pyserial URL (simthermometer://?model=...)
    model: str = "gy-mcu90614"  # one of drivers.thermometer.MODELS
    baudrate: int = 0  # 0: the model's default rate
    offset_celsius: float = 3.0  # surface -> body: body = gain * surface + offset
    gain: float = 1.0
    mode: str = "surface"  # "surface" or "body": what the module is asked to measure
    max_reading_age_s: float = 10.0  # an older reading is not used for a passage

    def compensation(self) -> Any:
        """The drivers' `Compensation` for these settings (imported here: drivers stay lazy)."""
        from drivers.thermometer import Compensation

        return Compensation(gain=self.gain, offset_celsius=self.offset_celsius)

    def effective_baudrate(self) -> int:
        from drivers.thermometer.protocol import check_model

        return self.baudrate or check_model(self.model).baudrate


@dataclass(frozen=True)
class IdReaderSection:
    """[id_reader]: a resident ID-card reader."""

    url: str = ""  # "": none; sam: a serial URL (simidcard://?card=resident); nfc: pcsc:N
    kind: str = "sam"  # "sam" (serial SAM reader, gives identity) or "nfc" (card serial only)


@dataclass(frozen=True)
class ScannerSection:
    """[scanner]: a hand-held QR scanner besides the camera."""

    mode: str = "none"  # "none", "serial" (a serial/USB-CDC scanner at url) or "wedge" (keyboard)
    url: str = ""  # the serial scanner's device path or URL (mode = "serial" only)


@dataclass(frozen=True)
class CentralSection:
    """[central]: the central service this kiosk syncs with."""

    url: str = ""  # "": not enrolled, works offline; else https://central.example.org


@dataclass(frozen=True)
class KioskConfig:
    kiosk: KioskSection = field(default_factory=KioskSection)
    camera: CameraSection = field(default_factory=CameraSection)
    thermometer: ThermometerSection = field(default_factory=ThermometerSection)
    id_reader: IdReaderSection = field(default_factory=IdReaderSection)
    scanner: ScannerSection = field(default_factory=ScannerSection)
    central: CentralSection = field(default_factory=CentralSection)
    # The file this was read from ("": the defaults, no file): where provisioning saves.
    path: str = field(default="", compare=False)

    @classmethod
    def default(cls) -> KioskConfig:
        return cls()


SECTIONS: dict[str, type[Any]] = {
    f.name: cast(type[Any], f.default_factory)
    for f in dataclasses.fields(KioskConfig)
    if f.default_factory is not dataclasses.MISSING
}


def section_keys() -> dict[str, list[str]]:
    """Every known `section -> [keys]`, in the order of the dataclasses."""
    return {name: [f.name for f in dataclasses.fields(cls)] for name, cls in SECTIONS.items()}


# --------------------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class DataPaths:
    """Where the kiosk keeps its files: outside the bundle, so a new bundle never touches them."""

    root: Path
    database: Path  # root/kiosk.db
    keys_dir: Path  # root/keys (owner-only)
    store_key: Path  # root/keys/store.key
    logs_dir: Path  # root/logs

    def create(self) -> DataPaths:
        """Make the folders (keys/ readable by the owner only) and return self."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.keys_dir.mkdir(mode=0o700, exist_ok=True)
        self.logs_dir.mkdir(exist_ok=True)
        return self


def data_dir(config: KioskConfig | None = None) -> DataPaths:
    """The data folder (`[kiosk] data_dir`, or the platform's user data folder when empty) and
    the standard files in it. Nothing is created: call `.create()` when about to write."""
    configured = config.kiosk.data_dir if config is not None else ""
    if configured:
        root = Path(configured).expanduser()
    else:
        import platformdirs

        root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    keys = root / "keys"
    return DataPaths(root, root / "kiosk.db", keys, keys / "store.key", root / "logs")


def default_config_path() -> Path:
    """Where the kiosk looks for its configuration when none is given on the command line."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILE_NAME


# ------------------------------------------------------------------------------------ problems


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in the file: where (`section.key`), what, and what is expected."""

    key: str  # "camera.source"; "file" for a file that is not valid TOML
    problem: LocalText
    expected: LocalText

    def text(self, language: Language = "zh") -> str:
        if language == "en":
            return f"{self.key}: {self.problem.en}; expected {self.expected.en}"
        return f"{self.key}：{self.problem.zh}；应为{self.expected.zh}"

    def __str__(self) -> str:
        return self.text("en")


class ConfigError(ValueError):
    """The configuration has problems; `problems` lists every one of them."""

    def __init__(self, path: Path, problems: Sequence[ConfigProblem]) -> None:
        self.path = path
        self.problems = list(problems)
        lines = "\n".join(f"  {p.text('en')}" for p in self.problems)
        super().__init__(f"{path}: {len(self.problems)} configuration problem(s):\n{lines}")


def _t(zh: str, en: str) -> LocalText:
    return LocalText(zh, en)


# What each key expects, in both languages: used in every problem about that key.
EXPECTED: dict[str, LocalText] = {
    "kiosk.language": _t('"zh" 或 "en"', '"zh" or "en"'),
    "kiosk.checkpoint_type": _t(
        "检查点类型之一：" + "、".join(t.value for t in CheckpointType),
        "one of " + ", ".join(t.value for t in CheckpointType),
    ),
    "kiosk.checkpoint_name": _t(
        "检查点名称（文字，最多 64 字）", "a name of at most 64 characters"
    ),
    "kiosk.time_zone": _t("IANA 时区名，例如 Asia/Shanghai", "an IANA zone such as Asia/Shanghai"),
    "kiosk.data_dir": _t(
        "文件夹路径，留空则用系统默认位置", "a folder path, or empty for the default"
    ),
    "kiosk.result_seconds": _t("0.3 到 10 之间的秒数", "seconds between 0.3 and 10"),
    "kiosk.fullscreen": _t("true 或 false", "true or false"),
    "kiosk.lock": _t("true 或 false", "true or false"),
    "camera.source": _t(
        "留空（无摄像头）、图片文件夹、视频文件、/dev/v4l/by-id/... 或 usb:N",
        "empty (no camera), an image folder, a video file, /dev/v4l/by-id/... or usb:N",
    ),
    "camera.width": _t("160 到 7680 之间的整数", "a whole number from 160 to 7680"),
    "camera.height": _t("120 到 4320 之间的整数", "a whole number from 120 to 4320"),
    "camera.fps": _t("1 到 120 之间的数", "a number from 1 to 120"),
    "thermometer.url": _t(
        "留空（无测温仪）、串口设备路径（/dev/ttyUSB0、COM3）或 pyserial URL",
        "empty (no thermometer), a serial device path (/dev/ttyUSB0, COM3) or a pyserial URL",
    ),
    "thermometer.model": _t("已知型号之一", "one of the known models"),
    "thermometer.baudrate": _t(
        "0（型号默认）或 50 到 4000000 的波特率", "0 (model default) or 50 to 4000000"
    ),
    "thermometer.offset_celsius": _t("-5 到 10 之间的摄氏度", "degrees Celsius from -5 to 10"),
    "thermometer.gain": _t("0.5 到 1.5 之间的数", "a number from 0.5 to 1.5"),
    "thermometer.mode": _t('"surface"（体表）或 "body"（人体）', '"surface" or "body"'),
    "thermometer.max_reading_age_s": _t("0.5 到 300 之间的秒数", "seconds from 0.5 to 300"),
    "id_reader.url": _t(
        "留空（无读卡器）；sam：串口路径或 pyserial URL；nfc：pcsc:N",
        "empty (no reader); sam: a serial path or pyserial URL; nfc: pcsc:N",
    ),
    "id_reader.kind": _t('"sam" 或 "nfc"', '"sam" or "nfc"'),
    "scanner.mode": _t('"none"、"serial" 或 "wedge"', '"none", "serial" or "wedge"'),
    "scanner.url": _t(
        'mode = "serial" 时为串口路径或 pyserial URL，否则留空',
        'a serial path or pyserial URL with mode = "serial", else empty',
    ),
    "central.url": _t(
        "留空（未注册，离线）或 http(s)://主机 地址",
        "empty (not enrolled, offline) or an http(s)://host address",
    ),
}

_TYPE_NAMES: dict[type, LocalText] = {
    bool: _t("true 或 false", "true or false"),
    int: _t("整数", "a whole number"),
    float: _t("数字", "a number"),
    str: _t("带引号的文字", "a quoted string"),
}


def _toml_type_name(value: object) -> LocalText:
    if isinstance(value, bool):
        return _t("布尔值", "a boolean")
    if isinstance(value, int):
        return _t("整数", "a whole number")
    if isinstance(value, float):
        return _t("数字", "a number")
    if isinstance(value, str):
        return _t("文字", "a string")
    if isinstance(value, dict):
        return _t("表", "a table")
    if isinstance(value, list):
        return _t("数组", "an array")
    return _t("日期时间", "a date or time")


# ------------------------------------------------------------------------------------- checks

# A check gets the (type-correct) value and returns what is wrong with it, or None.
_Check = Callable[[Any], LocalText | None]


def _one_of(*choices: str) -> _Check:
    def check(value: str) -> LocalText | None:
        if value in choices:
            return None
        return _t(f"未知取值 {value!r}", f"unknown value {value!r}")

    return check


def _between(low: float, high: float) -> _Check:
    def check(value: float) -> LocalText | None:
        if low <= value <= high:
            return None
        return _t(f"{value} 超出范围", f"{value} is out of range")

    return check


def _check_time_zone(value: str) -> LocalText | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return _t(f"未知时区 {value!r}", f"unknown time zone {value!r}")
    return None


def _check_name(value: str) -> LocalText | None:
    if len(value) > 64:
        return _t(f"名称过长（{len(value)} 字）", f"the name is too long ({len(value)} characters)")
    return None


def _check_model(value: str) -> LocalText | None:
    from drivers.thermometer.protocol import MODELS, check_model

    try:
        check_model(value)
    except ValueError:
        known = ", ".join(sorted(MODELS))
        return _t(
            f"未知测温仪型号 {value!r}（已知：{known}）",
            f"unknown model {value!r} (known: {known})",
        )
    return None


def _check_baudrate(value: int) -> LocalText | None:
    if value == 0 or 50 <= value <= 4_000_000:
        return None
    return _t(f"波特率 {value} 无效", f"baud rate {value} is not valid")


def _check_central_url(value: str) -> LocalText | None:
    if not value:
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname:
        return None
    return _t(f"不是 http(s) 地址：{value!r}", f"not an http(s) address: {value!r}")


def _is_camera_device(spec: str) -> bool:
    return spec.startswith(("usb:", "/dev/")) or spec.isdigit()


def check_camera_source(spec: str, base_dir: Path) -> LocalText | None:
    """What is wrong with an `open_source` spec, without opening it: a missing folder or file,
    a single image, a string that is no kind of camera."""
    if not spec or _is_camera_device(spec):
        if spec.startswith("usb:") and not spec[4:]:
            return _t("usb: 后缺少编号或路径", "usb: needs an index or a path")
        return None  # a device that is unplugged now is the self-test's business, not config's
    from drivers.camera.sources import IMAGE_SUFFIXES, VIDEO_SUFFIXES

    path = _resolve(spec, base_dir)
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        if not path.is_file():
            return _t(f"视频文件不存在：{path}", f"the video file {path} does not exist")
        return None
    if suffix in IMAGE_SUFFIXES and not path.is_dir():
        return _t(f"{path} 是单张图片，请填写其所在文件夹", f"{path} is one image: give its folder")
    if not path.exists():
        return _t(f"文件夹不存在：{path}", f"the folder {path} does not exist")
    if not path.is_dir():
        return _t(f"无法识别的摄像头：{spec!r}", f"cannot tell what kind of camera {spec!r} is")
    return None


_WINDOWS_PORT = re.compile(r"^(?:\\\\\.\\)?COM\d+$", re.IGNORECASE)


def check_serial_url(url: str) -> LocalText | None:
    """What pyserial would refuse in `url`, found without opening the port: an unknown scheme, a
    malformed `socket://`/`loop://`/`spy://` URL, a simulator option that does not exist, or a
    relative device name. Whether the device is plugged in is not checked."""
    if "://" not in url:
        if url.startswith("/") or _WINDOWS_PORT.match(url):
            return None
        return _t(
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
        return _t(f"pyserial 不认识 {scheme}:// 地址", f"pyserial knows no {scheme}:// URLs")
    try:
        port: Any = module.Serial(None)
        if hasattr(port, "make_device"):  # our simulators parse their options when opened
            from drivers.serialio.simport import parse_query

            port.make_device(parse_query(url, scheme))
        elif hasattr(port, "from_url") and scheme != "hwgrep":
            port.from_url(url)  # loop://, socket://, rfc2217://, spy://, alt://: parse only
    except TypeError:  # pyserial's socket:// parser when there is no port
        return _t(f"地址不完整：{url!r}", f"{url!r} is incomplete (host:port?)")
    except KeyError:  # pyserial 3.5's loop:// builds its own error message wrongly
        return _t(f"pyserial 无法解析 {url!r}", f"pyserial cannot parse {url!r}")
    except (serial.SerialException, ValueError) as error:
        return _t(f"pyserial 无法解析 {url!r}：{error}", f"pyserial cannot parse {url!r}: {error}")
    return None


def _check_serial_or_empty(value: str) -> LocalText | None:
    return check_serial_url(value) if value else None


_CHECKS: dict[str, _Check] = {
    "kiosk.language": _one_of("zh", "en"),
    "kiosk.checkpoint_type": _one_of(*(t.value for t in CheckpointType)),
    "kiosk.checkpoint_name": _check_name,
    "kiosk.time_zone": _check_time_zone,
    "kiosk.result_seconds": _between(0.3, 10),
    "camera.width": _between(160, 7680),
    "camera.height": _between(120, 4320),
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
}


def _resolve(value: str, base_dir: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base_dir / path


def _check_together(
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
            add("id_reader.url", _t("nfc 读卡器应写作 pcsc:N", "an nfc reader is written pcsc:N"))
    elif reader["url"] and (wrong := check_serial_url(reader["url"])) is not None:
        add("id_reader.url", wrong)

    scanner = values["scanner"]
    if scanner["mode"] == "serial":
        if not scanner["url"]:
            add("scanner.url", _t('mode = "serial" 时必须填写', 'required with mode = "serial"'))
        elif (wrong := check_serial_url(scanner["url"])) is not None:
            add("scanner.url", wrong)
    elif scanner["url"] and scanner["mode"] in ("none", "wedge"):
        add(
            "scanner.url",
            _t(f'已填写，但 mode 为 "{scanner["mode"]}"', f'set, but mode is "{scanner["mode"]}"'),
        )

    thermometer = values["thermometer"]
    url = thermometer["url"]
    if url.lower().startswith("simthermometer://"):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        sim_model = query.get("model", ["gy-mcu90614"])[-1]
        if sim_model != thermometer["model"]:
            add(
                "thermometer.model",
                _t(
                    f"与模拟器地址中的型号 {sim_model!r} 不一致",
                    f"differs from the simulator URL's model {sim_model!r}",
                ),
            )
    return problems


def _suggest(key: str, known: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.7)
    return close[0] if close else None


def _unknown_key(section: str, key: str) -> ConfigProblem:
    where = f"{section}.{key}" if section else key
    known = section_keys()
    here = known.get(section, list(known))
    elsewhere = [s for s, keys in known.items() if key in keys and s != section]
    if elsewhere:
        hint = f"[{elsewhere[0]}] {key}"
        return ConfigProblem(
            where,
            _t(
                f"此键属于 [{elsewhere[0]}] 节", f"this key belongs in the [{elsewhere[0]}] section"
            ),
            _t(f"[{elsewhere[0]}] 节中的 {key}", hint),
        )
    guess = _suggest(key, here)
    listed = ", ".join(here)
    if guess is not None:
        expected = _t(f"{guess}（是否拼错？）", f"{guess} (a typo?)")
    else:
        expected = _t(f"以下之一：{listed}", f"one of: {listed}")
    noun = _t("未知的键", "unknown key") if section else _t("未知的节", "unknown section")
    return ConfigProblem(where, _t(f"{noun.zh} {key!r}", f"{noun.en} {key!r}"), expected)


def _file_order(problem: ConfigProblem) -> int:
    """Problems in the order of the keys in the example file; unknown sections last."""
    order = [f"{s}.{k}" for s, keys in section_keys().items() for k in keys]
    if problem.key in order:
        return order.index(problem.key)
    section = problem.key.partition(".")[0]
    if section in SECTIONS:  # an unknown key: after its section's known keys
        return order.index(f"{section}.{section_keys()[section][-1]}")
    return len(order)


def _type_fits(value: object, default: object) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def _base_type(default: object) -> type:
    for kind in (bool, int, float, str):
        if isinstance(default, kind):
            return kind
    return str


def validate(
    raw: Mapping[str, Any], base_dir: Path
) -> tuple[KioskConfig | None, list[ConfigProblem]]:
    """Check a parsed TOML document; the config when there is no problem, and every problem."""
    problems: list[ConfigProblem] = []
    known = section_keys()
    defaults = KioskConfig.default()
    values: dict[str, dict[str, Any]] = {
        name: dataclasses.asdict(getattr(defaults, name)) for name in SECTIONS
    }
    for section, table in raw.items():
        if section not in SECTIONS:
            problems.append(_unknown_key("", section))
            continue
        if not isinstance(table, dict):
            problems.append(
                ConfigProblem(
                    section,
                    _t(
                        f"[{section}] 应是一节，而不是 {_toml_type_name(table).zh}",
                        f"[{section}] must be a section, not {_toml_type_name(table).en}",
                    ),
                    _t(f"[{section}] 节及其键", f"a [{section}] section with its keys"),
                )
            )
            continue
        for key, value in table.items():
            where = f"{section}.{key}"
            if key not in known[section]:
                problems.append(_unknown_key(section, key))
                continue
            default = getattr(getattr(defaults, section), key)
            if not _type_fits(value, default):
                got = _toml_type_name(value)
                want = _TYPE_NAMES[_base_type(default)]
                problems.append(
                    ConfigProblem(
                        where,
                        _t(
                            f"类型错误：是{got.zh}，应为{want.zh}",
                            f"wrong type: {got.en}, not {want.en}",
                        ),
                        EXPECTED[where],
                    )
                )
                continue
            check = _CHECKS.get(where)
            wrong = check(value) if check is not None else None
            if wrong is not None:
                problems.append(ConfigProblem(where, wrong, EXPECTED[where]))
                continue
            values[section][key] = float(value) if isinstance(default, float) else value
    problems.extend(_check_together(values, base_dir, {p.key for p in problems}))
    problems.sort(key=_file_order)
    if problems:
        return None, problems
    return _build(values, base_dir), []


def _build(values: dict[str, dict[str, Any]], base_dir: Path) -> KioskConfig:
    kiosk = dict(values["kiosk"])
    kiosk["checkpoint_type"] = CheckpointType(kiosk["checkpoint_type"])
    if kiosk["data_dir"]:
        kiosk["data_dir"] = str(_resolve(kiosk["data_dir"], base_dir))
    camera = dict(values["camera"])
    if camera["source"] and not _is_camera_device(camera["source"]):
        camera["source"] = str(_resolve(camera["source"], base_dir))
    return KioskConfig(
        kiosk=KioskSection(**kiosk),
        camera=CameraSection(**camera),
        thermometer=ThermometerSection(**values["thermometer"]),
        id_reader=IdReaderSection(**values["id_reader"]),
        scanner=ScannerSection(**values["scanner"]),
        central=CentralSection(**values["central"]),
    )


def _read(path: Path) -> tuple[KioskConfig | None, list[ConfigProblem]]:
    data = path.read_bytes()  # OSError (missing, unreadable) goes to the caller
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        where = _t(
            f"文件不是 UTF-8 编码（第 {error.start} 字节）", f"not UTF-8 (byte {error.start})"
        )
        return None, [
            ConfigProblem("file", where, _t("UTF-8 编码的 TOML 文件", "a UTF-8 TOML file"))
        ]
    except tomllib.TOMLDecodeError as error:
        return None, [
            ConfigProblem(
                "file",
                _t(f"TOML 语法错误：{error}", f"TOML syntax error: {error}"),
                _t("有效的 TOML（参见 kiosk.example.toml）", "valid TOML (see kiosk.example.toml)"),
            )
        ]
    return validate(raw, path.resolve().parent)


def check_config(path: Path | str) -> list[ConfigProblem]:
    """Every problem in the file (empty when it is fine). OSError when it cannot be read."""
    return _read(Path(path))[1]


def load_config(path: Path | str) -> KioskConfig:
    """The configuration in `path`; ConfigError listing every problem, OSError when unreadable."""
    config, problems = _read(Path(path))
    if config is None:
        raise ConfigError(Path(path), problems)
    return dataclasses.replace(config, path=str(Path(path).resolve()))


# -------------------------------------------------------------------------------------- command


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
        print(f"{path}: OK" if language == "en" else f"{path}：配置无误")
        return 0
    for problem in problems:
        print(problem.text(language))
    return 1
