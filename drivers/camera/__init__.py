"""Camera frame sources (USB camera, video file, folder of images) and the capture thread that
keeps only the newest frame, reports connect/disconnect/stall and reopens after an unplug."""

from drivers.camera.capture import Capture, CapturedFrame
from drivers.camera.sources import (
    CameraError,
    Frame,
    FrameSource,
    ImageFolder,
    UsbCamera,
    VideoFile,
    open_source,
    stable_camera_paths,
)

__all__ = [
    "CameraError",
    "Capture",
    "CapturedFrame",
    "Frame",
    "FrameSource",
    "ImageFolder",
    "UsbCamera",
    "VideoFile",
    "open_source",
    "stable_camera_paths",
]
