"""Start the kiosk from its options: configuration or demo, enrolled state, window, sounds."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from healthcode.dcc import DccTrustList
from healthcode.feed import FeedCopy
from healthcode.keydir import load_public
from healthcode.trust import TrustAnchor, TrustListError
from kiosk.app.scanning import TrustState
from kiosk.checkpoint.policy import Policy, PolicyError, default_policy, policy_from_central
from kiosk.store import Operator
from kiosk.ui.i18n import Language

if TYPE_CHECKING:
    from kiosk.cli import RunOptions
    from kiosk.ui.app import Kiosk

log = logging.getLogger(__name__)
_IMPORTED_AT = time.monotonic()
IDENTITY_DIR = "identity"
DCC_TRUST_FILE = "dcc-trust.json"  # recognised EU DCC signing certificates (healthcode.dcc)


class Enrolled:
    """What enrolment left in the data folder, checked again at every start."""

    def __init__(self, folder: Path) -> None:
        from kiosk.client.identity import (
            BINDING_KEYS_FILE,
            POLICY_FILE,
            ROOT_PUBLIC_FILE,
            STAFF_ROSTER_FILE,
            TRUST_LIST_FILE,
            KioskIdentity,
        )
        from sync.schemas import Policy as WirePolicy
        from sync.schemas import SealedBox, StaffRoster

        self.identity = KioskIdentity.load(folder)
        self.root = load_public(folder / ROOT_PUBLIC_FILE)
        self.trust_list_signed = (folder / TRUST_LIST_FILE).read_bytes()
        anchor = TrustAnchor(self.root)
        self.trust_list = anchor.accept(self.trust_list_signed)
        wire = WirePolicy.model_validate_json((folder / POLICY_FILE).read_text("utf-8"))
        self.policy = policy_from_central(
            wire.policy_version, wire.checkpoint_type.value, wire.rules
        )
        box = SealedBox.model_validate_json((folder / BINDING_KEYS_FILE).read_text("utf-8"))
        keys = self.identity.open_binding_keys(box)
        self.binding_keys: dict[str, list[bytes]] = {}
        for key in keys.keys:
            self.binding_keys.setdefault(key.issuer, []).append(key.key)
        roster = StaffRoster.model_validate_json((folder / STAFF_ROSTER_FILE).read_text("utf-8"))
        self.operators = [
            Operator(member.operator_id, member.name, member.pin_hash, "staff", True)
            for member in roster.operators
        ]


def _enrolled(folder: Path) -> Enrolled | None:
    from kiosk.client.identity import is_enrolled

    identity = folder / IDENTITY_DIR
    if not is_enrolled(identity):
        return None
    try:
        return Enrolled(identity)
    except (OSError, ValueError, TrustListError, PolicyError) as error:
        log.error("the enrolment in %s cannot be used: %s", identity, error)
        return None


def _dcc_trust(path: Path) -> DccTrustList | None:
    """The EU DCC signers this kiosk recognises, if a list was installed; a list that cannot
    be used is refused whole (and logged), and foreign codes are then not recognised."""
    if not path.exists():
        return None
    try:
        return DccTrustList.load(path)
    except (OSError, ValueError) as error:
        log.error("the DCC trust list %s is refused: %s", path, error)
        return None


def build(options: RunOptions) -> tuple[Kiosk, object | None]:
    """The kiosk for these options, not yet started; and the demo's thermometer, if any."""
    from drivers.camera.sources import ImageFolder
    from kiosk.app.demo import DEMO_FPS, DemoDirector, DemoThermometer, prepare_demo
    from kiosk.ui.app import Kiosk, KioskSetup

    config = options.config
    folder = options.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    enrolled = _enrolled(folder)
    policy: Policy = enrolled.policy if enrolled else default_policy(config.kiosk.checkpoint_type)
    language = Language(options.language or config.kiosk.language)
    setup = KioskSetup(
        data_dir=folder,
        policy=policy,
        trust=TrustState(enrolled.trust_list if enrolled else None, FeedCopy()),
        binding_keys=enrolled.binding_keys if enrolled else {},
        camera=config.camera.source or None,
        camera_size=(config.camera.width, config.camera.height),
        camera_fps=config.camera.fps,
        thermometer_url=config.thermometer.url or None,
        thermometer_model=config.thermometer.model,
        thermometer_baudrate=config.thermometer.baudrate or None,
        compensation=config.thermometer.compensation(),
        id_reader_url=config.id_reader.url or None,
        result_duration=timedelta(seconds=config.kiosk.result_seconds),
        language=language,
        enrolled=enrolled is not None,
        config=config,
        lock=config.kiosk.lock and not options.demo,  # demo mode is never locked
        demo=options.demo,
    )
    setup.dcc_trust = _dcc_trust(folder / DCC_TRUST_FILE)
    thermometer = None
    if options.demo:
        world = prepare_demo(
            folder / "demo",
            datetime.now(UTC),
            issuer_keys=options.central_keys,
            trust_list_signed=enrolled.trust_list_signed if enrolled else None,
            root_public=enrolled.root if enrolled else None,
        )
        thermometer = DemoThermometer()
        setup.trust = TrustState(world.trust_list, world.feed)
        setup.binding_keys = {**world.binding_keys, **setup.binding_keys}
        setup.camera = ImageFolder(world.camera_folder, fps=DEMO_FPS, loop=True)
        setup.camera_folders = (world.camera_folder,)
        setup.thermometer_url = thermometer.path
        setup.thermometer_model = "gy-mcu90614"
        setup.id_reader_url = "simidcard://?card=none"
        setup.on_scan_text = DemoDirector(world, thermometer).on_scan_text
    kiosk = Kiosk(setup)
    if not options.demo:
        kiosk.setup.trust.feed = kiosk.store.copies.load_feed()
    if enrolled is not None:
        kiosk.store.copies.replace_roster(enrolled.operators).result(timeout=10)
        # Demo mode keeps its own status feed on screen (its feed case is signed locally), so
        # what central sends is kept in the store but not swapped in while the demo runs.
        kiosk.attach_sync(make_sync(kiosk, folder / IDENTITY_DIR, swap_in=not options.demo))
    return kiosk, thermometer


def make_sync(kiosk: Kiosk, identity_dir: Path, *, swap_in: bool = True) -> object:
    """The sync thread of an enrolled kiosk: uploads its outbox, then downloads and verifies
    the trust list, the status feed, the policy and the roster, swapping in what verifies."""
    from kiosk.app.download_sink import KioskDownloadSink, current_copies
    from kiosk.client.worker import start_sync

    current = current_copies(identity_dir, kiosk.store)

    def policy_arrived(policy: object) -> None:
        wire = policy
        kiosk.policy_downloaded(
            policy_from_central(
                wire.policy_version,  # type: ignore[attr-defined]
                wire.checkpoint_type.value,  # type: ignore[attr-defined]
                wire.rules,  # type: ignore[attr-defined]
            )
        )

    sink = KioskDownloadSink(
        kiosk.store,
        identity_dir,
        holder=kiosk.checker if swap_in else None,
        on_policy=policy_arrived if swap_in else None,
        on_refused=lambda refusal: kiosk.download_refused(refusal.text),
    )
    return start_sync(
        identity_dir,
        sink,
        feed=kiosk.checker.state.feed,
        trust_list=current.trust_list,
        trust_list_signed=current.trust_list_signed,
        policy_version=current.policy_version,
        roster_version=current.roster_version,
        outbox=kiosk.store.outbox,
        health=kiosk.health,
    )


def run(options: RunOptions) -> int:
    from kiosk.ops.crash import enable_fault_log
    from kiosk.ops.logs import setup_logging

    setup_logging(options.data_dir / "logs")  # rotating, scrubbed of personal data
    fault_log = enable_fault_log(options.data_dir / "logs")  # noqa: F841 - open for the process
    if "QT_QPA_PLATFORM" not in os.environ and sys.platform.startswith("linux"):
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            log.info("no display: running offscreen (use --screenshots to see the screens)")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.sound import SoundPlayer

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from kiosk.ui.style import load_bundled_fonts

    load_bundled_fonts()
    kiosk, thermometer = build(options)
    from kiosk.ops.crash import install_crash_handler

    install_crash_handler(kiosk.recover_after_crash)
    sound = SoundPlayer()
    kiosk.sound = sound
    kiosk.bridge.sound_requested.connect(_play(sound))
    results: list[str] = []

    def on_result(view: object) -> None:
        from kiosk.app.viewstate import ResultView

        if not isinstance(view, ResultView):
            return
        line = json.dumps(
            {
                "outcome": view.outcome.value,
                "word": view.word.zh,
                "name": view.masked_name,
                "celsius": view.temperature_celsius,
                "reasons": [r.zh for r in view.reasons],
            },
            ensure_ascii=False,
        )
        print(line, flush=True)
        results.append(line)
        if options.screenshots is not None:
            options.screenshots.mkdir(parents=True, exist_ok=True)
            target = options.screenshots / f"result-{len(results):03d}.png"
            QTimer.singleShot(50, lambda: kiosk.window.grab().save(str(target)))

    kiosk.bridge.result_shown.connect(on_result)
    kiosk.window.resize(1280, 800)
    if kiosk.window.locked and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        kiosk.window.showFullScreen()  # the lock wins over --windowed
    elif options.windowed or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        kiosk.window.show()
    else:
        kiosk.window.showFullScreen()
    kiosk.start()
    if options.exit_when_ready:  # bench/startup.py: the scan screen is up once the loop runs
        QTimer.singleShot(
            0, lambda: (print(f"ready {_process_age_ms():.0f}", flush=True), app.quit())
        )
    if options.seconds is not None:
        QTimer.singleShot(int(options.seconds * 1000), app.quit)
    try:
        code = app.exec()
    finally:
        kiosk.stop()
        if thermometer is not None:
            thermometer.close()  # type: ignore[attr-defined]
    return int(code)


def _process_age_ms() -> float:
    """Milliseconds since this process started (Linux: from /proc; elsewhere: since Python
    started importing the kiosk)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return (uptime - ticks / os.sysconf("SC_CLK_TCK")) * 1000.0
    except (OSError, ValueError, IndexError, AttributeError):
        return (time.monotonic() - _IMPORTED_AT) * 1000.0


def _play(sound: object) -> object:
    from kiosk.checkpoint.events import Prompt
    from kiosk.checkpoint.outcome import Outcome

    def play(what: object) -> None:
        if isinstance(what, Outcome):
            sound.play_outcome(what)  # type: ignore[attr-defined]
        elif isinstance(what, Prompt):
            sound.play_prompt(what)  # type: ignore[attr-defined]

    return play
