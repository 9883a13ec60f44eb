"""What devices this box has: serial ports and cameras, for the technician's provisioning screen.

Qt-free. Every root (the `/dev` folder, sysfs, the list of serial ports) is a parameter, so a
test runs discovery against a fake tree. In demo mode the simulators are listed too (the
`simthermometer://` and `simidcard://` pyserial URLs and the demo camera folder), so the
screen can be tried without any hardware.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

DEV_ROOT = Path("/dev")
VIDEO4LINUX = Path("/sys/class/video4linux")
BY_ID = Path("/dev/v4l/by-id")
SYSFS_USB_LEVELS = 6  # from a video node's interface up to the USB device that has the ids

SIMULATED_THERMOMETERS = (
    ("simthermometer://?model=gy-mcu90614", "gy-mcu90614"),
    ("simthermometer://?model=body-aaa5", "body-aaa5"),
    ("simthermometer://?model=ascii-line", "ascii-line"),
)
SIMULATED_ID_READERS = ("simidcard://?card=resident",)


class PortUse(StrEnum):
    """What a listed port is known to be (simulators know; real ports are anything)."""

    ANY = "any"
    THERMOMETER = "thermometer"
    ID_READER = "id_reader"


@dataclass(frozen=True)
class SerialPortInfo:
    device: str  # what goes into the configuration: /dev/ttyUSB0, COM3, or a simulator URL
    description: str
    vid: str | None = None  # USB vendor id, 4 lower-case hex digits
    pid: str | None = None  # USB product id
    use: PortUse = PortUse.ANY
    model: str | None = None  # a simulated thermometer's model

    @property
    def usb_id(self) -> str:
        """ "0403:6001", or "" for a port that is not on USB."""
        return f"{self.vid}:{self.pid}" if self.vid and self.pid else ""

    @property
    def simulated(self) -> bool:
        return "://" in self.device


@dataclass(frozen=True)
class CameraInfo:
    source: str  # the configuration's camera.source: a stable device path, /dev/videoN, a folder
    name: str
    vid: str | None = None
    pid: str | None = None
    simulated: bool = False

    @property
    def usb_id(self) -> str:
        return f"{self.vid}:{self.pid}" if self.vid and self.pid else ""


@dataclass(frozen=True)
class Inventory:
    serial_ports: tuple[SerialPortInfo, ...]
    cameras: tuple[CameraInfo, ...]

    def ports_for(self, use: PortUse) -> tuple[SerialPortInfo, ...]:
        """Ports that may be this device: every real port, and the simulators of its kind."""
        return tuple(p for p in self.serial_ports if p.use in (PortUse.ANY, use))


def hex_id(value: int | None) -> str | None:
    return None if value is None else f"{value:04x}"


def serial_ports(comports: Callable[[], Iterable[Any]] | None = None) -> list[SerialPortInfo]:
    """The serial ports pyserial sees (`comports` defaults to serial.tools.list_ports)."""
    if comports is None:
        from serial.tools.list_ports import comports as system_comports  # type: ignore[import-untyped, unused-ignore]

        comports = system_comports
    found = [
        SerialPortInfo(
            device=str(port.device),
            description=str(port.description or "") if port.description != "n/a" else "",
            vid=hex_id(port.vid),
            pid=hex_id(port.pid),
        )
        for port in comports()
    ]
    return sorted(found, key=lambda p: p.device)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def _usb_ids(node: Path) -> tuple[str | None, str | None]:
    """idVendor and idProduct of the USB device a video4linux node belongs to (sysfs: the node's
    `device` link points at the USB interface; the ids sit a level or two above)."""
    try:
        here = (node / "device").resolve(strict=True)
    except OSError:
        return None, None
    for _ in range(SYSFS_USB_LEVELS):
        vendor, product = _read_text(here / "idVendor"), _read_text(here / "idProduct")
        if vendor and product:
            return vendor.lower(), product.lower()
        if here.parent == here:
            break
        here = here.parent
    return None, None


def _stable_paths(by_id: Path) -> dict[str, str]:
    """`/dev/videoN` (resolved) -> its stable `/dev/v4l/by-id/...-video-index0` link."""
    if not by_id.is_dir():
        return {}
    stable: dict[str, str] = {}
    for link in sorted(by_id.iterdir()):
        if not link.name.endswith("-video-index0"):
            continue
        try:
            stable[os.path.realpath(link)] = str(link)
        except OSError:
            continue
    return stable


def device_cameras(
    *, dev_root: Path = DEV_ROOT, sysfs: Path = VIDEO4LINUX, by_id: Path = BY_ID
) -> list[CameraInfo]:
    """Linux video capture nodes, one per camera: a camera's metadata node (sysfs `index` other
    than 0) is left out. The source is the stable by-id path when there is one."""
    if not sysfs.is_dir():
        return []
    stable = _stable_paths(by_id)
    found: list[CameraInfo] = []
    for node in sorted(sysfs.iterdir(), key=lambda p: (len(p.name), p.name)):
        if not node.name.startswith("video"):
            continue
        index = _read_text(node / "index")
        if index not in (None, "0"):
            continue
        device = dev_root / node.name
        vid, pid = _usb_ids(node)
        source = stable.get(os.path.realpath(device), str(device))
        name = _read_text(node / "name") or node.name
        found.append(CameraInfo(source=source, name=name, vid=vid, pid=pid))
    return found


def folder_cameras(folders: Sequence[Path]) -> list[CameraInfo]:
    """Image folders that play as a camera (demo mode's rendered codes, a technician's test
    pictures)."""
    return [
        CameraInfo(source=str(folder), name=folder.name, simulated=True)
        for folder in folders
        if folder.is_dir()
    ]


def simulated_ports() -> list[SerialPortInfo]:
    thermometers = [
        SerialPortInfo(
            url, f"simulated thermometer ({model})", use=PortUse.THERMOMETER, model=model
        )
        for url, model in SIMULATED_THERMOMETERS
    ]
    readers = [
        SerialPortInfo(url, "simulated ID-card reader", use=PortUse.ID_READER)
        for url in SIMULATED_ID_READERS
    ]
    return thermometers + readers


def discover(
    *,
    demo: bool = False,
    camera_folders: Sequence[Path] = (),
    comports: Callable[[], Iterable[Any]] | None = None,
    dev_root: Path = DEV_ROOT,
    sysfs: Path = VIDEO4LINUX,
    by_id: Path = BY_ID,
) -> Inventory:
    """Everything a technician may pick. Blocking (sysfs, the OS's port list): call it off the
    GUI thread."""
    ports = serial_ports(comports)
    cameras = device_cameras(dev_root=dev_root, sysfs=sysfs, by_id=by_id)
    cameras += folder_cameras(camera_folders)
    if demo:
        ports += simulated_ports()
    return Inventory(tuple(ports), tuple(cameras))
