"""Demo mode: its own issuer keys and trust list, a status feed, and a virtual camera that
shows codes of every colour, an expired one, a forged one, a repeat and a fever case.

Everything here is real: the codes are signed by a real issuer key, the trust list by a real
root, the feed batch by a real feed key; the camera is a folder of images the QR pipeline
decodes; the thermometer is the byte-level simulator on a pseudo-terminal. Only the people
are made up.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import segno

from drivers.serialio.simport import PtySim
from drivers.thermometer.simulator import SimThermometer, SimThermometerSettings
from healthcode import base45, jkm
from healthcode.claims import CodeKind, Colour
from healthcode.feed import BatchKind, FeedBatch, FeedCopy, FeedEntry, open_signed_batch
from healthcode.keydir import KeyDir
from healthcode.keys import PublicKey
from healthcode.text import LocalText
from healthcode.trust import Issuer, KeyRole, TrustAnchor, TrustList

DEMO_ISSUER = Issuer("610000", LocalText("陕西省（演示）", "Shaanxi (demo)"))
FRAME_WIDTH, FRAME_HEIGHT = 1280, 720
FRAMES_PER_SHOT = 6  # at 4 fps: each code is held up for 1.5 s, then 1.5 s of nobody
DEMO_FPS = 4.0


@dataclass(frozen=True)
class DemoCase:
    name: str
    text: str
    expected: str  # the outcome the demo shows (for the tests and the guide)
    fever: bool = False


@dataclass
class DemoWorld:
    folder: Path
    trust_list: TrustList
    trust_list_signed: bytes
    root_public: PublicKey
    feed: FeedCopy
    binding_keys: dict[str, list[bytes]]
    cases: list[DemoCase]
    camera_folder: Path

    def case(self, name: str) -> DemoCase:
        return next(c for c in self.cases if c.name == name)


def _code_id(name: str) -> bytes:
    return hashlib.sha256(b"demo person " + name.encode()).digest()[:16]


def _forge(text: str) -> str:
    """The same code with one byte of its claims changed: the signature no longer matches."""
    raw = bytearray(base45.decode(text.removeprefix(jkm.PREFIX)))
    raw[len(raw) // 3] ^= 0x01
    return jkm.PREFIX + base45.encode(bytes(raw))


def prepare_demo(
    folder: Path,
    now: datetime,
    *,
    issuer_keys: Path | None = None,
    trust_list_signed: bytes | None = None,
    root_public: PublicKey | None = None,
) -> DemoWorld:
    """Create (or reuse) the demo's keys, sign a trust list and a feed batch, and render the
    virtual camera's frames. Safe to call at every start.

    With `issuer_keys` (a central service's key folder) and the trust list the kiosk received
    at enrolment, the demo codes are signed by that issuer and checked against that list."""
    keys_dir = issuer_keys or folder / "keys"
    if (keys_dir / "keyring.json").exists():
        keydir = KeyDir(keys_dir)
    else:
        keydir = KeyDir.create(keys_dir, DEMO_ISSUER, now - timedelta(days=1))
    if trust_list_signed is not None and root_public is not None:
        signed = trust_list_signed
        anchor = TrustAnchor(root_public)
        trust_list = anchor.accept(signed)
    else:
        trust_list = keydir.trust_list(now)
        root = keydir.root()
        signed = trust_list.sign(root)
        anchor = TrustAnchor(root.public)
        anchor.accept(signed)
        root_public = root.public
    issuer_key = keydir.signing_key(KeyRole.ISSUER)
    feed_key = keydir.signing_key(KeyRole.FEED)
    binding_key = keydir.binding_key()

    def code(
        name: str,
        full_name: str,
        colour: Colour,
        *,
        issued: datetime = now,
        kind: CodeKind = CodeKind.APP,
        id_number: str = "11010519491231002X",
    ) -> str:
        claims = jkm.claims_for_person(
            issuer=keydir.issuer.region_code,
            code_id=_code_id(name),
            colour=colour,
            colour_seq=1,
            kind=kind,
            full_name=full_name,
            id_number=id_number,
            binding_key=binding_key,
            now=issued,
        )
        return jkm.issue(claims, issuer_key)

    cached = _cached_cases(folder, issuer_key.kid, now)
    if cached is None:
        cases = _make_cases(code, now)
        _save_cases(folder, issuer_key.kid, now, cases)
    else:
        cases = cached
    batch = FeedBatch(
        kind=BatchKind.DELTA,
        publisher=keydir.issuer.region_code,
        first_sequence=1,
        last_sequence=1,
        as_of_utc=now - timedelta(minutes=5),
        entries=(
            FeedEntry(
                1,
                keydir.issuer.region_code,
                _code_id("feed_red"),
                Colour.RED,
                2,
                "close_contact",
                now - timedelta(minutes=10),
            ),
        ),
    )
    feed = FeedCopy()
    feed.apply(open_signed_batch(batch.sign(feed_key), trust_list))
    camera = folder / "camera"
    return DemoWorld(
        folder=folder,
        trust_list=trust_list,
        trust_list_signed=signed,
        root_public=root_public,
        feed=feed,
        binding_keys={keydir.issuer.region_code: [binding_key]},
        cases=cases,
        camera_folder=camera,
    )


CASES_FILE = "cases.json"
CASES_REUSED_FOR = timedelta(hours=12)  # app codes live 24 h: half of that is still fresh


def _make_cases(code: Callable[..., str], now: datetime) -> list[DemoCase]:
    issued = now - timedelta(minutes=30)
    green = code("green", "张三丰", Colour.GREEN, issued=issued)
    # The order matters to the thermometer's fever switch (see DemoDirector): the cases just
    # before and after the fever case are decided without a temperature.
    return [
        DemoCase("green", green, "pass"),
        DemoCase("yellow", code("yellow", "李小龙", Colour.YELLOW, issued=issued), "deny"),
        DemoCase("red", code("red", "王大锤", Colour.RED, issued=issued), "deny"),
        DemoCase("feed_red", code("feed_red", "杨过", Colour.GREEN, issued=issued), "deny"),
        DemoCase(
            "fever", code("fever", "小龙女", Colour.GREEN, issued=issued), "refer", fever=True
        ),
        DemoCase(
            "expired",
            code(
                "expired",
                "赵敏",
                Colour.GREEN,
                issued=now - timedelta(days=15),
                kind=CodeKind.PAPER,
            ),
            "deny",
        ),
        DemoCase("forged", _forge(code("forged", "周芷若", Colour.GREEN, issued=issued)), "deny"),
        DemoCase("repeat", green, "pass"),
    ]


def _cached_cases(folder: Path, kid: bytes, now: datetime) -> list[DemoCase] | None:
    """Cases signed at an earlier start, while still fresh: re-signing and re-rendering the
    camera frames is most of demo mode's start-up."""
    path = folder / CASES_FILE
    camera = folder / "camera"
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        created = datetime.fromisoformat(saved["created"])
        if saved["kid"] != kid.hex() or not 0 <= (now - created).total_seconds() < (
            CASES_REUSED_FOR.total_seconds()
        ):
            return None
        if not any(camera.glob("frame-*.png")):
            return None
        return [DemoCase(c["name"], c["text"], c["expected"], c["fever"]) for c in saved["cases"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_cases(folder: Path, kid: bytes, now: datetime, cases: list[DemoCase]) -> None:
    render_camera_folder(folder / "camera", [case.text for case in cases])
    document = {
        "created": now.isoformat(),
        "kid": kid.hex(),
        "cases": [dataclasses.asdict(case) for case in cases],
    }
    (folder / CASES_FILE).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def code_frame(text: str | None, *, module_px: int = 4) -> np.ndarray:
    """A 1280x720 camera frame: a phone screen holding the code, or an empty counter."""
    frame = np.full((FRAME_HEIGHT, FRAME_WIDTH, 3), (188, 196, 200), dtype=np.uint8)
    if text is None:
        return frame
    matrix = np.array(segno.make(text, error="m", micro=False).matrix, dtype=np.uint8)
    quiet = 4
    matrix = np.pad(matrix, quiet, constant_values=0)
    image = np.where(np.kron(matrix, np.ones((module_px, module_px), dtype=np.uint8)), 0, 255)
    size = image.shape[0]
    top, left = (FRAME_HEIGHT - size) // 2, (FRAME_WIDTH - size) // 2
    cv2.rectangle(
        frame,
        (left - 40, top - 80),
        (left + size + 40, top + size + 120),
        (40, 40, 40),
        thickness=-1,
    )
    frame[top : top + size, left : left + size] = image[:, :, None].astype(np.uint8)
    return frame


def render_camera_folder(
    folder: Path, texts: list[str], frames_per_shot: int = FRAMES_PER_SHOT
) -> None:
    """Each code held up for `frames_per_shot` frames, then as many frames of nobody."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    blank = folder / "blank.png"
    cv2.imwrite(str(blank), code_frame(None))
    index = 0
    for number, text in enumerate(texts):
        shot = folder / f"code-{number:02d}.png"
        cv2.imwrite(str(shot), code_frame(text))
        for source in [shot] * frames_per_shot + [blank] * frames_per_shot:
            os.link(source, folder / f"frame-{index:04d}.png")
            index += 1
    for stray in folder.glob("code-*.png"):
        stray.unlink()
    blank.unlink()


class DemoThermometer:
    """The thermometer simulator on a pseudo-terminal, with a hand on its fever switch: the
    demo's fever case gets a fever reading twice (measured, then re-measured)."""

    def __init__(self) -> None:
        self.sim = SimThermometer(SimThermometerSettings(model="gy-mcu90614", interval_s=0.2))
        self.pty = PtySim(self.sim)
        self.path = self.pty.path

    def set_fever(self, fever: bool) -> None:
        self.sim.settings = dataclasses.replace(self.sim.settings, fever=fever)

    def close(self) -> None:
        self.pty.close()


class DemoDirector:
    """Flips the simulated thermometer to a fever for the demo's fever case: on when the case
    before it is scanned (so the fever person's first reading is already high), off when the
    case after it is scanned. Both neighbours are decided without a temperature."""

    def __init__(self, world: DemoWorld, thermometer: DemoThermometer) -> None:
        index = next(i for i, c in enumerate(world.cases) if c.fever)
        self._on = world.cases[index - 1].text
        self._off = world.cases[index + 1].text
        self._thermometer = thermometer

    def on_scan_text(self, text: str) -> None:
        if text == self._on:
            self._thermometer.set_fever(True)
        elif text == self._off:
            self._thermometer.set_fever(False)
