"""Reading a configuration file: every problem at once (unknown keys with the closest known
key, wrong types, bad values), in the order of the example file; the config when there is none.
Relative paths in the file (a camera folder, `data_dir`) are taken from the file's folder."""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kiosk.checkpoint.policy import CheckpointType
from kiosk.config.checks import VALUE_CHECKS, check_together, is_camera_device, resolve_path
from kiosk.config.problems import (
    EXPECTED,
    TYPE_NAMES,
    ConfigError,
    ConfigProblem,
    bilingual,
    toml_type_name,
)
from kiosk.config.schema import (
    SECTIONS,
    CameraSection,
    CentralSection,
    IdReaderSection,
    KioskConfig,
    KioskSection,
    NationalCheckSection,
    ScannerSection,
    ThermometerSection,
    section_keys,
)


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
            bilingual(
                f"此键属于 [{elsewhere[0]}] 节", f"this key belongs in the [{elsewhere[0]}] section"
            ),
            bilingual(f"[{elsewhere[0]}] 节中的 {key}", hint),
        )
    guess = _suggest(key, here)
    listed = ", ".join(here)
    if guess is not None:
        expected = bilingual(f"{guess}（是否拼错？）", f"{guess} (a typo?)")
    else:
        expected = bilingual(f"以下之一：{listed}", f"one of: {listed}")
    noun = (
        bilingual("未知的键", "unknown key")
        if section
        else bilingual("未知的节", "unknown section")
    )
    return ConfigProblem(where, bilingual(f"{noun.zh} {key!r}", f"{noun.en} {key!r}"), expected)


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
                    bilingual(
                        f"[{section}] 应是一节，而不是 {toml_type_name(table).zh}",
                        f"[{section}] must be a section, not {toml_type_name(table).en}",
                    ),
                    bilingual(f"[{section}] 节及其键", f"a [{section}] section with its keys"),
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
                got = toml_type_name(value)
                want = TYPE_NAMES[_base_type(default)]
                problems.append(
                    ConfigProblem(
                        where,
                        bilingual(
                            f"类型错误：是{got.zh}，应为{want.zh}",
                            f"wrong type: {got.en}, not {want.en}",
                        ),
                        EXPECTED[where],
                    )
                )
                continue
            check = VALUE_CHECKS.get(where)
            wrong = check(value) if check is not None else None
            if wrong is not None:
                problems.append(ConfigProblem(where, wrong, EXPECTED[where]))
                continue
            values[section][key] = float(value) if isinstance(default, float) else value
    problems.extend(check_together(values, base_dir, {p.key for p in problems}))
    problems.sort(key=_file_order)
    if problems:
        return None, problems
    return _build(values, base_dir), []


def _build(values: dict[str, dict[str, Any]], base_dir: Path) -> KioskConfig:
    kiosk = dict(values["kiosk"])
    kiosk["checkpoint_type"] = CheckpointType(kiosk["checkpoint_type"])
    if kiosk["data_dir"]:
        kiosk["data_dir"] = str(resolve_path(kiosk["data_dir"], base_dir))
    camera = dict(values["camera"])
    if camera["source"] and not is_camera_device(camera["source"]):
        camera["source"] = str(resolve_path(camera["source"], base_dir))
    national = dict(values["national_check"])
    if national["token_file"]:
        national["token_file"] = str(resolve_path(national["token_file"], base_dir))
    return KioskConfig(
        kiosk=KioskSection(**kiosk),
        camera=CameraSection(**camera),
        thermometer=ThermometerSection(**values["thermometer"]),
        id_reader=IdReaderSection(**values["id_reader"]),
        scanner=ScannerSection(**values["scanner"]),
        central=CentralSection(**values["central"]),
        national_check=NationalCheckSection(**national),
    )


def _read(path: Path) -> tuple[KioskConfig | None, list[ConfigProblem]]:
    data = path.read_bytes()  # OSError (missing, unreadable) goes to the caller
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        where = bilingual(
            f"文件不是 UTF-8 编码（第 {error.start} 字节）", f"not UTF-8 (byte {error.start})"
        )
        return None, [
            ConfigProblem("file", where, bilingual("UTF-8 编码的 TOML 文件", "a UTF-8 TOML file"))
        ]
    except tomllib.TOMLDecodeError as error:
        return None, [
            ConfigProblem(
                "file",
                bilingual(f"TOML 语法错误：{error}", f"TOML syntax error: {error}"),
                bilingual(
                    "有效的 TOML（参见 kiosk.example.toml）", "valid TOML (see kiosk.example.toml)"
                ),
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
