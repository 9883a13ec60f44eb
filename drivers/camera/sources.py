"""Frame sources behind one interface: a USB camera, a video file, a folder of images.

A source blocks in `read()` until its next frame and returns None when it has lost the device
(unplugged, stream ended, read failed); the capture thread (`drivers.camera.capture`) owns
it, reopens it and keeps only the newest frame. `open_source(spec)` picks the kind from a
string, the way serial devices are opened from a URL. Heavy imports stay inside the classes.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Frame = npt.NDArray[np.uint8]

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov", ".webm", ".mjpg", ".mjpeg"})
BY_ID_DIR = Path("/dev/v4l/by-id")


class CameraError(OSError):
    """A source that cannot be opened (missing device, unreadable file, empty folder)."""


class FrameSource(Protocol):
    """What the capture thread needs of a camera."""

    @property
    def name(self) -> str: ...

    def open(self) -> None:
        """Open (or reopen) the device; CameraError when it is not there."""
        ...

    def read(self) -> Frame | None:
        """The next frame, blocking until it comes; None when the device was lost."""
        ...

    def close(self) -> None: ...


def _cv2() -> Any:
    import cv2  # heavy: imported where it is needed

    return cv2


class UsbCamera:
    """A V4L2/DirectShow camera through OpenCV, opened by its stable path.

    On Linux pass `/dev/v4l/by-id/usb-...-video-index0` (it survives replugging and USB port
    changes, unlike /dev/videoN or an index); an integer index works everywhere. `width`,
    `height` and `fps` are requests: the camera picks the nearest mode it has. MJPG is asked
    for because most USB cameras only reach 720p at 30 fps compressed.
    """

    def __init__(
        self,
        device: str | int,
        *,
        width: int | None = 1280,
        height: int | None = 720,
        fps: float | None = 30.0,
        mjpg: bool = True,
    ) -> None:
        self.device = device
        self.width, self.height, self.fps, self.mjpg = width, height, fps, mjpg
        self._capture: Any = None

    @property
    def name(self) -> str:
        return f"usb:{self.device}"

    def open(self) -> None:
        cv2 = _cv2()
        if isinstance(self.device, str) and not Path(self.device).exists():
            raise CameraError(f"camera {self.device} is not plugged in")
        backend = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
        capture = cv2.VideoCapture(self.device, backend)
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"cannot open camera {self.device}")
        if self.mjpg:
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        if self.width:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        if self.height:
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        if self.fps:
            capture.set(cv2.CAP_PROP_FPS, self.fps)
        # One buffered frame: the newest frame is what we want, never a queue of old ones.
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        log.info(
            "camera %s open: %dx%d at %.0f fps",
            self.device,
            capture.get(cv2.CAP_PROP_FRAME_WIDTH),
            capture.get(cv2.CAP_PROP_FRAME_HEIGHT),
            capture.get(cv2.CAP_PROP_FPS),
        )
        self._capture = capture

    def read(self) -> Frame | None:
        if self._capture is None:
            return None
        ok, frame = self._capture.read()
        return np.asarray(frame, dtype=np.uint8) if ok and frame is not None else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class _Paced:
    """Delivers frames no faster than `fps` (a file plays like a live camera)."""

    def __init__(
        self,
        fps: float | None,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[float], object] | None = None,
    ) -> None:
        self._period = 1.0 / fps if fps else 0.0
        self._clock = clock
        # Waiting on an event that is never set is a sleep that a test can replace.
        self._wait = wait or threading.Event().wait
        self._next = 0.0

    def pace(self) -> None:
        if not self._period:
            return
        now = self._clock()
        if self._next > now:
            self._wait(self._next - now)
            now = self._next
        # From the frame just delivered: a late consumer gets no burst of catch-up frames.
        self._next = now + self._period


class VideoFile:
    """A video file played as a camera, looping by default, paced at `fps` (None: as fast as
    it decodes)."""

    def __init__(self, path: str | Path, *, fps: float | None = 30.0, loop: bool = True) -> None:
        self.path = Path(path)
        self.loop = loop
        self._pace = _Paced(fps)
        self._capture: Any = None

    @property
    def name(self) -> str:
        return f"file:{self.path}"

    def open(self) -> None:
        cv2 = _cv2()
        if not self.path.is_file():
            raise CameraError(f"no video file {self.path}")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"cannot play {self.path}")
        self._capture = capture

    def read(self) -> Frame | None:
        if self._capture is None:
            return None
        self._pace.pace()
        ok, frame = self._capture.read()
        if not ok and self.loop:
            self._capture.set(_cv2().CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        return np.asarray(frame, dtype=np.uint8) if ok and frame is not None else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFolder:
    """The virtual camera of demo mode and tests: the images of a folder, in name order,
    over and over, paced at `fps` (None: as fast as they load). Images are re-listed on each
    open, so files dropped in while running show up after a reopen."""

    def __init__(self, path: str | Path, *, fps: float | None = 10.0, loop: bool = True) -> None:
        self.path = Path(path)
        self.loop = loop
        self._pace = _Paced(fps)
        self._files: list[Path] = []
        self._index = 0

    @property
    def name(self) -> str:
        return f"folder:{self.path}"

    def open(self) -> None:
        if not self.path.is_dir():
            raise CameraError(f"no image folder {self.path}")
        self._files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._files:
            raise CameraError(f"no images in {self.path}")
        self._index = 0

    def read(self) -> Frame | None:
        if not self._files:
            return None
        if self._index >= len(self._files):
            if not self.loop:
                return None
            self._index = 0
        self._pace.pace()
        path = self._files[self._index]
        self._index += 1
        image = _cv2().imread(str(path), _cv2().IMREAD_COLOR)
        if image is None:
            log.warning("skipping unreadable image %s", path)
            return self.read() if self._index < len(self._files) or self.loop else None
        return np.asarray(image, dtype=np.uint8)

    def close(self) -> None:
        self._files = []


def open_source(
    spec: str,
    *,
    width: int | None = 1280,
    height: int | None = 720,
    fps: float | None = None,
) -> FrameSource:
    """A source from a string: a folder of images, a video file, a camera device path
    (`/dev/v4l/by-id/...`, `/dev/video0`), `usb:<path or index>`, or a bare index.

    The source is not opened here; the capture thread opens it (and reopens it)."""
    if spec.startswith("usb:"):
        spec = spec[4:]
        return UsbCamera(int(spec) if spec.isdigit() else spec, width=width, height=height, fps=fps)
    if spec.isdigit():
        return UsbCamera(int(spec), width=width, height=height, fps=fps)
    path = Path(spec)
    if spec.startswith("/dev/"):
        return UsbCamera(spec, width=width, height=height, fps=fps)
    if path.is_dir():
        return ImageFolder(path, fps=fps or 10.0)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return VideoFile(path, fps=fps or 30.0)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        raise CameraError(f"{spec} is one image: give its folder to play it as a camera")
    raise CameraError(f"cannot tell what kind of camera {spec!r} is")


def stable_camera_paths(by_id: Path = BY_ID_DIR) -> list[str]:
    """The cameras' stable paths (Linux), to write into the kiosk's configuration."""
    if not by_id.is_dir():
        return []
    return sorted(str(p) for p in by_id.iterdir() if p.name.endswith("-video-index0"))
