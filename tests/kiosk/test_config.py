"""The kiosk's TOML configuration: defaults, every problem at once, and docs that cannot drift."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from kiosk.checkpoint.policy import CheckpointType
from kiosk.config import (
    EXPECTED,
    ConfigError,
    KioskConfig,
    check_config,
    check_serial_url,
    data_dir,
    load_config,
    main_check_config,
    section_keys,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "assets" / "kiosk.example.toml"
DOCS = ROOT / "docs" / "kiosk-config.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def keys_of(problems: list[object]) -> list[str]:
    return [p.key for p in problems]  # type: ignore[attr-defined]


def test_an_empty_file_gives_the_documented_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config == KioskConfig.default()
    assert config.kiosk.language == "zh"
    assert config.kiosk.checkpoint_type is CheckpointType.ENTERPRISE_GATE
    assert config.kiosk.time_zone == "Asia/Shanghai"
    assert config.kiosk.result_seconds == 1.0
    assert (config.kiosk.fullscreen, config.kiosk.lock) == (True, False)
    assert (config.camera.source, config.camera.width, config.camera.height) == ("", 1280, 720)
    assert config.camera.fps == 15.0
    assert config.thermometer.model == "gy-mcu90614"
    assert config.thermometer.effective_baudrate() == 115200 or config.thermometer.baudrate == 0
    assert (config.thermometer.offset_celsius, config.thermometer.gain) == (3.0, 1.0)
    assert config.thermometer.mode == "surface"
    assert config.thermometer.max_reading_age_s == 10.0
    assert (config.id_reader.url, config.id_reader.kind) == ("", "sam")
    assert (config.scanner.mode, config.scanner.url) == ("none", "")
    assert config.central.url == ""


def test_a_full_file_is_read_into_typed_values(tmp_path: Path) -> None:
    (tmp_path / "frames").mkdir()
    config = load_config(
        write(
            tmp_path,
            """
[kiosk]
language = "en"
checkpoint_type = "road_junction"
checkpoint_name = "东门"
time_zone = "Asia/Urumqi"
data_dir = "data"
result_seconds = 2
fullscreen = false
lock = true
[camera]
source = "frames"
fps = 10
[thermometer]
url = "simthermometer://?model=body-aaa5&fever=1"
model = "body-aaa5"
baudrate = 9600
offset_celsius = 2.5
mode = "body"
[id_reader]
url = "simidcard://?card=resident"
[scanner]
mode = "serial"
url = "loop://"
[central]
url = "https://central.example.org"
""",
        )
    )
    assert config.kiosk.checkpoint_type is CheckpointType.ROAD_JUNCTION
    assert config.kiosk.result_seconds == 2.0 and isinstance(config.kiosk.result_seconds, float)
    assert config.kiosk.data_dir == str(tmp_path / "data")  # relative to the file's folder
    assert config.camera.source == str(tmp_path / "frames")
    assert config.camera.fps == 10.0
    assert config.thermometer.effective_baudrate() == 9600
    compensation = config.thermometer.compensation()
    assert (compensation.gain, compensation.offset_celsius) == (1.0, 2.5)
    assert data_dir(config).database == tmp_path / "data" / "kiosk.db"
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.kiosk.lock = False  # type: ignore[misc]


def test_every_problem_is_listed_at_once_with_its_section_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[kiosk]
language = "fr"
checkpoint_type = "factory"
time_zone = "Mars/Olympus"
result_seconds = 20
fullscreen = "yes"
[camera]
source = "no-such-folder"
width = 1280.5
[thermometer]
model = "mlx90614"
baudrate = -1
mode = "armpit"
[id_reader]
kind = "bluetooth"
[scanner]
mode = "serial"
[central]
url = "ftp://central"
""",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert keys_of(raised.value.problems) == [
        "kiosk.language",
        "kiosk.checkpoint_type",
        "kiosk.time_zone",
        "kiosk.result_seconds",
        "kiosk.fullscreen",
        "camera.source",
        "camera.width",
        "thermometer.model",
        "thermometer.baudrate",
        "thermometer.mode",
        "id_reader.kind",
        "scanner.url",
        "central.url",
    ]
    assert raised.value.problems == check_config(path)
    message = str(raised.value)
    assert "13 configuration problem(s)" in message
    assert "unknown time zone 'Mars/Olympus'" in message
    assert "unknown model 'mlx90614' (known: ascii-line, body-aaa5, gy-mcu90614)" in message
    assert "the folder " + str(tmp_path / "no-such-folder") + " does not exist" in message
    assert "wrong type: a number, not a whole number" in message


def test_unknown_keys_suggest_the_closest_known_key(tmp_path: Path) -> None:
    problems = check_config(
        write(
            tmp_path,
            """
[kiosk]
langauge = "en"
time_zoen = "UTC"
source = "usb:0"
[thermometr]
url = ""
[camera]
zoom = 2
""",
        )
    )
    by_key = {p.key: p for p in problems}
    assert set(by_key) == {
        "kiosk.langauge",
        "kiosk.time_zoen",
        "kiosk.source",
        "thermometr",
        "camera.zoom",
    }
    assert by_key["kiosk.langauge"].text("en") == (
        "kiosk.langauge: unknown key 'langauge'; expected language (a typo?)"
    )
    assert "time_zone (a typo?)" in by_key["kiosk.time_zoen"].text("en")
    assert "belongs in the [camera] section" in by_key["kiosk.source"].text("en")
    assert "thermometer (a typo?)" in by_key["thermometr"].text("en")
    assert "one of: source, width, height, fps" in by_key["camera.zoom"].text("en")


def test_messages_come_in_chinese_and_english(tmp_path: Path) -> None:
    (problem,) = check_config(write(tmp_path, '[kiosk]\ntime_zone = "Mars/Olympus"\n'))
    assert problem.text("zh") == (
        "kiosk.time_zone：未知时区 'Mars/Olympus'；应为IANA 时区名，例如 Asia/Shanghai"
    )
    assert problem.text("en") == (
        "kiosk.time_zone: unknown time zone 'Mars/Olympus'; "
        "expected an IANA zone such as Asia/Shanghai"
    )
    assert problem.problem.zh and problem.expected.zh and problem.expected.en


@pytest.mark.parametrize(
    ("url", "wrong"),
    [
        ("simthermometer://?model=gy-mcu90614&bogus=1", "unknown option(s): bogus"),
        ("nosuch://x", "pyserial knows no nosuch:// URLs"),
        ("socket://host-without-port", "is incomplete"),
        ("loop://?unknown=1", "pyserial cannot parse"),
        ("ttyUSB0", "is not a device path"),
    ],
)
def test_serial_urls_are_parsed_without_opening(url: str, wrong: str) -> None:
    problem = check_serial_url(url)
    assert problem is not None and wrong in problem.en


@pytest.mark.parametrize(
    "url", ["/dev/ttyUSB0", "COM3", "loop://", "socket://127.0.0.1:7000", "spy:///dev/ttyUSB0"]
)
def test_good_serial_urls_pass(url: str) -> None:
    assert check_serial_url(url) is None


def test_devices_are_cross_checked(tmp_path: Path) -> None:
    problems = check_config(
        write(
            tmp_path,
            """
[thermometer]
url = "simthermometer://?model=body-aaa5"
[id_reader]
kind = "nfc"
url = "/dev/ttyUSB1"
[scanner]
mode = "wedge"
url = "/dev/ttyACM0"
""",
        )
    )
    assert [(p.key, p.problem.en) for p in problems] == [
        ("thermometer.model", "differs from the simulator URL's model 'body-aaa5'"),
        ("id_reader.url", "an nfc reader is written pcsc:N"),
        ("scanner.url", 'set, but mode is "wedge"'),
    ]


def test_camera_sources(tmp_path: Path) -> None:
    (tmp_path / "one.png").write_bytes(b"")
    for source in ("usb:0", "/dev/v4l/by-id/usb-cam-video-index0", "0", "."):
        assert check_config(write(tmp_path, f'[camera]\nsource = "{source}"\n')) == []
    (problem,) = check_config(write(tmp_path, '[camera]\nsource = "one.png"\n'))
    assert "is one image" in problem.problem.en
    (problem,) = check_config(write(tmp_path, '[camera]\nsource = "clip.mp4"\n'))
    assert "does not exist" in problem.problem.en


def test_a_toml_syntax_error_is_one_problem(tmp_path: Path) -> None:
    (problem,) = check_config(write(tmp_path, "[kiosk\nlanguage = zh\n"))
    assert problem.key == "file" and "TOML syntax error" in problem.problem.en


def test_the_example_file_parses_and_lists_every_field() -> None:
    assert load_config(EXAMPLE) == KioskConfig.default()
    with EXAMPLE.open("rb") as handle:
        example = tomllib.load(handle)
    assert {section: list(table) for section, table in example.items()} == section_keys()
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^\w+ = ", line):  # every key has a comment line just above it or its group
            above = lines[:number]
            nearest = next(text for text in reversed(above) if not re.match(r"^\w+ = ", text))
            assert nearest.startswith(("#", "[")), line


def test_every_key_has_an_expectation_and_is_documented() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    for section, keys in section_keys().items():
        for key in keys:
            assert f"{section}.{key}" in EXPECTED
            assert f"`{section}.{key}`" in documented, f"{section}.{key} missing in {DOCS.name}"
    assert "--check-config" in documented


def test_data_paths() -> None:
    paths = data_dir(KioskConfig.default())
    assert paths.root.name == "healthcode-kiosk"
    assert paths.database == paths.root / "kiosk.db"
    assert paths.store_key == paths.root / "keys" / "store.key"
    assert paths.keys_dir == paths.root / "keys"
    assert paths.logs_dir == paths.root / "logs"


def test_data_paths_create_an_owner_only_keys_folder(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[kiosk]\ndata_dir = "d"\n'))
    paths = data_dir(config).create()
    assert paths.keys_dir.is_dir() and paths.logs_dir.is_dir()
    assert paths.keys_dir.stat().st_mode & 0o077 == 0


def test_the_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, '[kiosk]\nlanguage = "en"\n')
    assert main_check_config([str(good)]) == 0
    assert capsys.readouterr().out.strip() == f"{good}: OK"

    bad = tmp_path / "bad.toml"
    bad.write_text('[kiosk]\nlanguage = "en"\nlock = 1\n[camera]\nfps = 0\n', encoding="utf-8")
    assert main_check_config([str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "kiosk.lock: wrong type: a whole number, not true or false; expected true or false",
        "camera.fps: 0 is out of range; expected a number from 1 to 120",
    ]
    assert main_check_config([str(bad), "--language", "zh"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "camera.fps：0 超出范围；应为1 到 120 之间的数"

    assert main_check_config([str(tmp_path / "missing.toml")]) == 2
    assert "无法读取" in capsys.readouterr().err


def test_kiosk_check_config_speaks_the_language_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.cli import main

    bad = write(tmp_path, "[camera]\nfps = 0\n")  # the file names no language: Chinese by default
    assert main(["--check-config", str(bad), "--language", "en"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "camera.fps: 0 is out of range; expected a number from 1 to 120"
    ]
    english = write(tmp_path, '[kiosk]\nlanguage = "en"\n[camera]\nfps = 0\n')
    assert main(["--language", "zh", "--check-config", str(english)]) == 1
    assert capsys.readouterr().out.splitlines() == ["camera.fps：0 超出范围；应为1 到 120 之间的数"]
    assert main(["--check-config", str(tmp_path / "missing.toml"), "--language", "en"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_gate_screens_layout_is_one_of_four_and_reaches_the_window(tmp_path: Path) -> None:
    forced = load_config(write(tmp_path, '[kiosk]\nlayout = "compact"\n'))
    assert forced.kiosk.layout == "compact"
    problems = check_config(write(tmp_path, '[kiosk]\nlayout = "sideways"\n'))
    assert [(p.key, p.problem.en) for p in problems] == [  # type: ignore[attr-defined]
        ("kiosk.layout", "unknown value 'sideways'")
    ]
    from kiosk.app.startup import read_startup

    startup = read_startup(forced, tmp_path / "data")
    assert startup.setup.layout == "compact"
