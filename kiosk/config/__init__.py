"""The kiosk's configuration: one TOML file, read into frozen dataclasses with documented defaults.

Every key is optional; a missing key takes the default written next to its field (`schema`, and
`assets/kiosk.example.toml`). `check_config(path)` lists every problem at once (unknown keys with
the closest known key, wrong types, bad values), each naming `section.key`, what is wrong and what
is expected, in Chinese and English; `load_config(path)` raises `ConfigError` carrying that list
(`loading`, with the value checks in `checks`). `kiosk --check-config FILE` is
`main_check_config` (`command`). Relative paths in the file (a camera folder, `data_dir`) are
taken from the folder that holds the file; `data_dir()` says where the kiosk's files live
(`paths`).

Qt-free, and light to import: pyserial, numpy and the drivers' modules are imported only where a
value is checked.
"""

from kiosk.config.checks import check_camera_source, check_serial_url
from kiosk.config.command import main_check_config
from kiosk.config.loading import check_config, load_config, validate
from kiosk.config.paths import APP_NAME, CONFIG_FILE_NAME, DataPaths, data_dir, default_config_path
from kiosk.config.problems import EXPECTED, ConfigError, ConfigProblem
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

__all__ = [
    "APP_NAME",
    "CONFIG_FILE_NAME",
    "EXPECTED",
    "SECTIONS",
    "CameraSection",
    "CentralSection",
    "ConfigError",
    "ConfigProblem",
    "DataPaths",
    "IdReaderSection",
    "KioskConfig",
    "KioskSection",
    "NationalCheckSection",
    "ScannerSection",
    "ThermometerSection",
    "check_camera_source",
    "check_config",
    "check_serial_url",
    "data_dir",
    "default_config_path",
    "load_config",
    "main_check_config",
    "section_keys",
    "validate",
]
