"""Start-up without Qt: what the kiosk is built from (`KioskSetup`), read from the
configuration file, the enrolment in the data folder and, in demo mode, the demo's own world.

The one place that decides, at start-up, which trust list, policy, binding keys and feed the
kiosk checks codes against (`kiosk.app.trust.TrustKeeper` is built from it) and which devices
it opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from drivers.camera.sources import FrameSource
from drivers.thermometer.protocol import Compensation
from healthcode.dcc import DccTrustList
from healthcode.feed import UpdatableFeed
from healthcode.trust import TrustList
from kiosk.app.enrolment import Enrolled, read_enrolment
from kiosk.checkpoint.national import NationalCheck
from kiosk.checkpoint.policy import Policy, default_policy
from kiosk.config import KioskConfig, NationalCheckSection

log = logging.getLogger(__name__)
DCC_TRUST_FILE = "dcc-trust.json"  # recognised EU DCC signing certificates (healthcode.dcc)


@dataclass
class KioskSetup:
    """Everything the kiosk is built from; the configuration file and demo mode fill it."""

    data_dir: Path
    policy: Policy
    trust_list: TrustList | None = None
    feed: UpdatableFeed | None = None  # None: the copy kept in the store (the normal start)
    binding_keys: dict[str, list[bytes]] = field(default_factory=dict)
    camera: str | FrameSource | None = None  # a camera source (open_source) or a source
    camera_size: tuple[int, int] = (1280, 720)
    camera_fps: float | None = 15.0
    thermometer_url: str | None = None
    thermometer_model: str = "gy-mcu90614"
    thermometer_baudrate: int | None = None
    compensation: Compensation | None = None  # None: the default (+3.0 °C)
    id_reader_url: str | None = None
    id_reader_kind: str = "sam"  # "sam" (a serial SAM reader) or "nfc" (PC/SC, pcsc:N)
    scanner_url: str | None = None  # a serial QR scanner ([scanner] mode = "serial")
    result_duration: timedelta = timedelta(seconds=1)
    language: str = "zh"
    enrolled: bool = False
    on_scan_text: Callable[[str], None] | None = None  # demo mode's director
    export_dir: Path | None = None  # where supervisors' exports go (e.g. a USB stick)
    dcc_trust: DccTrustList | None = None  # recognised EU DCC signers (mutual recognition)
    config: KioskConfig | None = None  # the file's settings: what provisioning shows and saves
    lock: bool = False  # the kiosk lock ([kiosk] lock; off in demo mode)
    store_key_in_os: bool = False  # [kiosk] store_key = "os": the OS secret store when there is one
    greeting: bool = False  # say 请出示健康码 when the scan screen comes back ([kiosk] greeting)
    layout: str = "auto"  # how the gate screens arrange themselves ([kiosk] layout)
    demo: bool = False  # provisioning offers the simulators
    camera_folders: tuple[Path, ...] = ()  # image folders provisioning offers as cameras
    swap_in_downloads: bool = True  # demo mode keeps its own feed on screen
    # The national code's online check ([national_check]); None: a manual check, as offline.
    national_check: Callable[[str], NationalCheck] | None = None

    def take_devices(self, config: KioskConfig) -> None:
        """The devices of a configuration (at start-up, and when a technician saved them)."""
        self.config = config
        self.thermometer_url = config.thermometer.url or None
        self.thermometer_model = config.thermometer.model
        self.thermometer_baudrate = config.thermometer.baudrate or None
        self.compensation = config.thermometer.compensation()
        self.id_reader_url = config.id_reader.url or None
        self.id_reader_kind = config.id_reader.kind
        self.scanner_url = (config.scanner.url or None) if config.scanner.mode == "serial" else None
        self.camera = config.camera.source or None
        self.camera_size = (config.camera.width, config.camera.height)
        self.camera_fps = config.camera.fps


def dcc_trust(path: Path) -> DccTrustList | None:
    """The EU DCC signers this kiosk recognises, if a list was installed; a list that cannot
    be used is refused whole (and logged), and foreign codes are then not recognised."""
    if not path.exists():
        return None
    try:
        return DccTrustList.load(path)
    except (OSError, ValueError) as error:
        log.error("the DCC trust list %s is refused: %s", path, error)
        return None


@dataclass
class Startup:
    setup: KioskSetup
    enrolled: Enrolled | None
    demo_thermometer: Any = None  # kiosk.app.demo.DemoThermometer; close it at the end


def read_startup(
    config: KioskConfig,
    data_dir: Path,
    *,
    language: str | None = None,
    demo: bool = False,
    central_keys: Path | None = None,
) -> Startup:
    """The kiosk's setup from its configuration and data folder (blocking file reads)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    enrolled = read_enrolment(data_dir)
    setup = KioskSetup(
        data_dir=data_dir,
        policy=enrolled.policy if enrolled else default_policy(config.kiosk.checkpoint_type),
        trust_list=enrolled.trust_list if enrolled else None,
        binding_keys=enrolled.binding_keys if enrolled else {},
        result_duration=timedelta(seconds=config.kiosk.result_seconds),
        language=language or config.kiosk.language,
        enrolled=enrolled is not None,
        lock=config.kiosk.lock and not demo,  # demo mode is never locked
        store_key_in_os=config.kiosk.store_key == "os" and not demo,
        greeting=config.kiosk.greeting,
        layout=config.kiosk.layout,
        demo=demo,
        dcc_trust=dcc_trust(data_dir / DCC_TRUST_FILE),
    )
    setup.take_devices(config)
    setup.national_check = national_check_of(config.national_check)
    startup = Startup(setup, enrolled)
    if demo:
        _demo_world(startup, central_keys)
    return startup


def national_check_of(section: NationalCheckSection) -> Callable[[str], NationalCheck] | None:
    """The online check the `[national_check]` section configures; None without a URL or
    when its token cannot be read (said in the log: the national code stays a manual check)."""
    import httpx

    from kiosk.client.national_check import HttpNationalVerifier, NationalServiceConfig

    try:
        config = NationalServiceConfig.from_files(
            section.url, section.app_id, section.token_file, section.timeout_s
        )
    except OSError as error:
        log.error("national check: the token file cannot be read (%s)", type(error).__name__)
        return None
    if config is None:
        return None
    return HttpNationalVerifier(httpx.Client(), config).check


def _demo_world(startup: Startup, central_keys: Path | None) -> None:
    """Demo mode: its own trust list, feed and codes, the demo camera folder and simulators.
    What central sends is kept in the store but not swapped in while the demo runs (its feed
    case is signed locally)."""
    from drivers.camera.sources import ImageFolder
    from kiosk.app.demo import DEMO_FPS, DemoDirector, DemoThermometer, prepare_demo

    setup, enrolled = startup.setup, startup.enrolled
    world = prepare_demo(
        setup.data_dir / "demo",
        datetime.now(UTC),
        issuer_keys=central_keys,
        trust_list_signed=enrolled.trust_list_signed if enrolled else None,
        root_public=enrolled.root if enrolled else None,
    )
    thermometer = DemoThermometer()
    startup.demo_thermometer = thermometer
    setup.trust_list, setup.feed = world.trust_list, world.feed
    setup.binding_keys = {**world.binding_keys, **setup.binding_keys}
    setup.camera = ImageFolder(world.camera_folder, fps=DEMO_FPS, loop=True)
    setup.camera_folders = (world.camera_folder,)
    setup.thermometer_url = thermometer.path
    setup.thermometer_model = "gy-mcu90614"
    setup.id_reader_url = "simidcard://?card=none"
    setup.id_reader_kind = "sam"
    setup.on_scan_text = DemoDirector(world, thermometer).on_scan_text
    setup.swap_in_downloads = False
