"""A whole kiosk for GUI tests: the demo world, the real store, the real drivers on simulators."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from drivers.camera.sources import ImageFolder
from healthcode.dcc import DccTrustList
from kiosk.app.demo import (
    DemoDirector,
    DemoThermometer,
    DemoWorld,
    prepare_demo,
    render_camera_folder,
)
from kiosk.checkpoint.national import NationalCheck
from kiosk.checkpoint.policy import CheckpointType, Policy, default_policy
from kiosk.ui.app import Kiosk, KioskSetup
from kiosk.ui.i18n import Language
from kiosk.ui.keypad import Keypad

TEST_FPS = 12.0
FRAMES_PER_SHOT = 5


def build_kiosk(
    folder: Path,
    *,
    camera: bool = True,
    thermometer: bool = True,
    policy: Policy | None = None,
    world: DemoWorld | None = None,
    language: Language = Language.ZH,
    dcc_trust: DccTrustList | None = None,
    national_check: Callable[[str], NationalCheck] | None = None,
) -> tuple[Kiosk, DemoWorld, DemoThermometer | None]:
    world = world or prepare_demo(folder / "world", datetime.now(UTC))
    demo_thermometer = DemoThermometer() if thermometer else None
    director = DemoDirector(world, demo_thermometer) if demo_thermometer else None
    if camera:
        render_camera_folder(
            world.camera_folder, [c.text for c in world.cases], frames_per_shot=FRAMES_PER_SHOT
        )
    setup = KioskSetup(
        data_dir=folder / "data",
        policy=policy or default_policy(CheckpointType.ENTERPRISE_GATE),
        trust_list=world.trust_list,
        feed=world.feed,
        binding_keys=world.binding_keys,
        camera=ImageFolder(world.camera_folder, fps=TEST_FPS, loop=True) if camera else None,
        thermometer_url=demo_thermometer.path if demo_thermometer else None,
        result_duration=timedelta(milliseconds=200),
        language=language,
        on_scan_text=director.on_scan_text if director else None,
        dcc_trust=dcc_trust,
        national_check=national_check,
    )
    kiosk = Kiosk(setup, gate_absent_after_s=0.15)
    return kiosk, world, demo_thermometer


def stale(world: DemoWorld, age: timedelta) -> DemoWorld:
    """The same world with a status-feed copy last verified `age` ago."""
    feed = world.feed
    feed.as_of_utc = datetime.now(UTC) - age
    return replace(world, feed=feed)


def tap_keys(qtbot: QtBot, keypad: Keypad, keys: str) -> None:
    """Touch an on-screen keypad's keys in turn, as staff do."""
    for key in keys:
        qtbot.mouseClick(keypad.key_buttons[key], Qt.MouseButton.LeftButton)
