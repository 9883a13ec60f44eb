"""A problem in a configuration file (`section.key`, what is wrong, what is expected, in
Chinese and English), the error listing them all, and what each key expects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from healthcode.text import Language, LocalText
from kiosk.checkpoint.policy import CheckpointType


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


def bilingual(zh: str, en: str) -> LocalText:
    return LocalText(zh, en)


# What each key expects, in both languages: used in every problem about that key.
EXPECTED: dict[str, LocalText] = {
    "kiosk.language": bilingual('"zh" 或 "en"', '"zh" or "en"'),
    "kiosk.checkpoint_type": bilingual(
        "检查点类型之一：" + "、".join(t.value for t in CheckpointType),
        "one of " + ", ".join(t.value for t in CheckpointType),
    ),
    "kiosk.checkpoint_name": bilingual(
        "检查点名称（文字，最多 64 字）", "a name of at most 64 characters"
    ),
    "kiosk.time_zone": bilingual(
        "IANA 时区名，例如 Asia/Shanghai", "an IANA zone such as Asia/Shanghai"
    ),
    "kiosk.data_dir": bilingual(
        "文件夹路径，留空则用系统默认位置", "a folder path, or empty for the default"
    ),
    "kiosk.result_seconds": bilingual("0.3 到 10 之间的秒数", "seconds between 0.3 and 10"),
    "kiosk.fullscreen": bilingual("true 或 false", "true or false"),
    "kiosk.lock": bilingual("true 或 false", "true or false"),
    "kiosk.greeting": bilingual("true 或 false", "true or false"),
    "kiosk.layout": bilingual(
        '"auto"、"landscape"、"compact" 或 "portrait"',
        '"auto", "landscape", "compact" or "portrait"',
    ),
    "kiosk.store_key": bilingual('"os" 或 "file"', '"os" or "file"'),
    "camera.source": bilingual(
        "留空（无摄像头）、图片文件夹、视频文件、/dev/v4l/by-id/... 或 usb:N",
        "empty (no camera), an image folder, a video file, /dev/v4l/by-id/... or usb:N",
    ),
    "camera.width": bilingual("160 到 7680 之间的整数", "a whole number from 160 to 7680"),
    "camera.height": bilingual("120 到 4320 之间的整数", "a whole number from 120 to 4320"),
    "camera.fps": bilingual("1 到 120 之间的数", "a number from 1 to 120"),
    "thermometer.url": bilingual(
        "留空（无测温仪）、串口设备路径（/dev/ttyUSB0、COM3）或 pyserial URL",
        "empty (no thermometer), a serial device path (/dev/ttyUSB0, COM3) or a pyserial URL",
    ),
    "thermometer.model": bilingual("已知型号之一", "one of the known models"),
    "thermometer.baudrate": bilingual(
        "0（型号默认）或 50 到 4000000 的波特率", "0 (model default) or 50 to 4000000"
    ),
    "thermometer.offset_celsius": bilingual(
        "-5 到 10 之间的摄氏度", "degrees Celsius from -5 to 10"
    ),
    "thermometer.gain": bilingual("0.5 到 1.5 之间的数", "a number from 0.5 to 1.5"),
    "thermometer.mode": bilingual('"surface"（体表）或 "body"（人体）', '"surface" or "body"'),
    "thermometer.max_reading_age_s": bilingual("0.5 到 300 之间的秒数", "seconds from 0.5 to 300"),
    "id_reader.url": bilingual(
        "留空（无读卡器）；sam：串口路径或 pyserial URL；nfc：pcsc:N",
        "empty (no reader); sam: a serial path or pyserial URL; nfc: pcsc:N",
    ),
    "id_reader.kind": bilingual('"sam" 或 "nfc"', '"sam" or "nfc"'),
    "scanner.mode": bilingual('"none"、"serial" 或 "wedge"', '"none", "serial" or "wedge"'),
    "scanner.url": bilingual(
        'mode = "serial" 时为串口路径或 pyserial URL，否则留空',
        'a serial path or pyserial URL with mode = "serial", else empty',
    ),
    "central.url": bilingual(
        "留空（未注册，离线）或 http(s)://主机 地址",
        "empty (not enrolled, offline) or an http(s)://host address",
    ),
    "national_check.url": bilingual(
        "留空（不联网核验国家码）或 http(s):// 地址",
        "empty (no online check of the national code) or an http(s):// address",
    ),
    "national_check.app_id": bilingual("核验服务分配的应用标识", "the service's application id"),
    "national_check.token_file": bilingual(
        "存放访问令牌的文件路径", "the path of a file holding the access token"
    ),
    "national_check.timeout_s": bilingual("0.5 到 30 之间的秒数", "seconds from 0.5 to 30"),
}

TYPE_NAMES: dict[type, LocalText] = {
    bool: bilingual("true 或 false", "true or false"),
    int: bilingual("整数", "a whole number"),
    float: bilingual("数字", "a number"),
    str: bilingual("带引号的文字", "a quoted string"),
}


def toml_type_name(value: object) -> LocalText:
    if isinstance(value, bool):
        return bilingual("布尔值", "a boolean")
    if isinstance(value, int):
        return bilingual("整数", "a whole number")
    if isinstance(value, float):
        return bilingual("数字", "a number")
    if isinstance(value, str):
        return bilingual("文字", "a string")
    if isinstance(value, dict):
        return bilingual("表", "a table")
    if isinstance(value, list):
        return bilingual("数组", "an array")
    return bilingual("日期时间", "a date or time")
