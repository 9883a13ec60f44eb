"""Frame sources: a folder of images and a video file as cameras, the source picker, pacing."""

from __future__ import annotations

import queue
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera import (
    CameraError,
    Capture,
    ImageFolder,
    UsbCamera,
    VideoFile,
    open_source,
    stable_camera_paths,
)
from drivers.camera.sources import _Paced
from drivers.qr.pipeline import default_pipeline
from drivers.serialio.events import DeviceFault, DeviceState, DeviceStateEvent
from tests.qrset.generate import make_sample


def write_images(folder: Path, values: list[int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, value in enumerate(values):
        cv2.imwrite(str(folder / f"{i:03d}.png"), np.full((8, 10, 3), value, np.uint8))


def test_a_folder_plays_its_images_in_name_order_and_loops(tmp_path: Path) -> None:
    write_images(tmp_path, [10, 20, 30])
    (tmp_path / "notes.txt").write_text("not an image")
    source = ImageFolder(tmp_path, fps=None)
    source.open()
    seen = []
    for _ in range(5):
        image = source.read()
        assert image is not None
        seen.append(int(image[0, 0, 0]))
    assert seen == [10, 20, 30, 10, 20]


def test_a_folder_without_looping_ends_like_an_unplugged_camera(tmp_path: Path) -> None:
    write_images(tmp_path, [1])
    source = ImageFolder(tmp_path, fps=None, loop=False)
    source.open()
    assert source.read() is not None
    assert source.read() is None


def test_an_empty_or_missing_folder_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="no images"):
        ImageFolder(tmp_path).open()
    with pytest.raises(CameraError, match="no image folder"):
        ImageFolder(tmp_path / "missing").open()


def test_a_video_file_plays_as_a_camera_and_loops(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (64, 48))
    assert writer.isOpened()
    for value in (0, 100, 200):
        writer.write(np.full((48, 64, 3), value, np.uint8))
    writer.release()
    source = VideoFile(path, fps=None)
    source.open()
    levels = []
    for _ in range(4):
        image = source.read()
        assert image is not None
        assert image.shape == (48, 64, 3)
        levels.append(int(image.mean()))
    source.close()
    assert [round(v, -2) for v in levels] == [0, 100, 200, 0]


def test_a_missing_video_file_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="no video file"):
        VideoFile(tmp_path / "none.mp4").open()


def test_an_unplugged_usb_camera_path_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="not plugged in"):
        UsbCamera(str(tmp_path / "usb-Vendor_Cam-video-index0")).open()


def test_the_source_kind_comes_from_the_string(tmp_path: Path) -> None:
    write_images(tmp_path / "frames", [1])
    assert isinstance(open_source(str(tmp_path / "frames")), ImageFolder)
    assert isinstance(open_source(str(tmp_path / "clip.mp4")), VideoFile)
    by_id = open_source("/dev/v4l/by-id/usb-Cam-video-index0", width=640, height=480, fps=15)
    assert isinstance(by_id, UsbCamera)
    assert (by_id.device, by_id.width, by_id.height, by_id.fps) == (
        "/dev/v4l/by-id/usb-Cam-video-index0",
        640,
        480,
        15,
    )
    usb = open_source("usb:0")
    assert isinstance(usb, UsbCamera)
    assert usb.device == 0
    with pytest.raises(CameraError, match="one image"):
        open_source(str(tmp_path / "frames" / "000.png"))
    with pytest.raises(CameraError, match="cannot tell"):
        open_source("rtsp-ish-nonsense")


def test_stable_camera_paths_lists_the_by_id_video_nodes(tmp_path: Path) -> None:
    (tmp_path / "usb-Acme_Cam_123-video-index0").touch()
    (tmp_path / "usb-Acme_Cam_123-video-index1").touch()  # metadata node, not frames
    assert stable_camera_paths(tmp_path) == [str(tmp_path / "usb-Acme_Cam_123-video-index0")]
    assert stable_camera_paths(tmp_path / "absent") == []


def test_pacing_holds_frames_to_the_frame_rate() -> None:
    now = [100.0]
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(round(seconds, 6))
        now[0] += seconds

    pace = _Paced(10.0, clock=lambda: now[0], wait=wait)
    for _ in range(3):
        pace.pace()
    now[0] += 0.5  # a slow consumer: no catching up with a burst
    pace.pace()
    pace.pace()
    assert waits == [0.1, 0.1, 0.1]


def test_the_virtual_camera_feeds_codes_to_the_pipeline_through_the_capture_thread(
    tmp_path: Path,
) -> None:
    sample = make_sample("clean", 2)
    cv2.imwrite(str(tmp_path / "code.png"), sample.frame)
    states: queue.Queue[DeviceStateEvent] = queue.Queue()
    capture = Capture(ImageFolder(tmp_path, fps=100), on_state=states.put)
    capture.start()
    try:
        assert states.get(timeout=5).state is DeviceState.CONNECTED
        got = capture.next_frame(0, timeout_s=5)
        assert got is not None
        assert default_pipeline().decode(got.frame).texts == (sample.text,)
    finally:
        assert capture.stop(timeout_s=5)
    last = states.get(timeout=5)
    assert (last.state, last.reason) == (DeviceState.DISCONNECTED, DeviceFault.NONE)
