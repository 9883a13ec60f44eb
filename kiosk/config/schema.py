"""The kiosk's configuration as frozen dataclasses, one per TOML section, with the documented
defaults (every key is optional; `assets/kiosk.example.toml` lists them all)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, cast

from healthcode.text import Language
from kiosk.checkpoint.policy import CheckpointType


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
    greeting: bool = False  # say 请出示健康码 each time the scan screen comes back
    layout: str = "auto"  # "auto" (by the panel), "landscape", "compact" or "portrait"
    # "os": the store key in the OS secret store when there is one (kiosk/store/secret_store.py),
    # else in keys/store.key; "file": always in keys/store.key
    store_key: str = "os"


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
class NationalCheckSection:
    """[national_check]: the national code's online verification service (GB/T 38963; the
    assumed wire format is in docs/other-regions.md). Empty url: none, a manual check."""

    url: str = ""  # "": no online check; else the service's https:// address
    app_id: str = ""  # this kiosk's (or deployment's) application id at the service
    token_file: str = ""  # a private file holding the access token (never in this file)
    timeout_s: float = 3.0  # a slower answer is a manual check


@dataclass(frozen=True)
class KioskConfig:
    kiosk: KioskSection = field(default_factory=KioskSection)
    camera: CameraSection = field(default_factory=CameraSection)
    thermometer: ThermometerSection = field(default_factory=ThermometerSection)
    id_reader: IdReaderSection = field(default_factory=IdReaderSection)
    scanner: ScannerSection = field(default_factory=ScannerSection)
    central: CentralSection = field(default_factory=CentralSection)
    national_check: NationalCheckSection = field(default_factory=NationalCheckSection)
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
