"""`python -m drivers.camera SOURCE`: show the live frame rate and what the camera decodes.

SOURCE is a folder of images, a video file, a camera path (`/dev/v4l/by-id/...`) or `usb:N`;
`--list` prints the cameras' stable paths. Text output, one status line per second, one line
per scan (through the scan gate, so a code held up is reported once) and per camera event.
Exit status 0 (also when the reader stops early: `| head`), 2 when SOURCE cannot be opened.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Sequence

from drivers.camera.capture import Capture
from drivers.camera.sources import CameraError, open_source, stable_camera_paths
from drivers.qr.gate import ScanGate
from drivers.qr.pipeline import default_pipeline
from drivers.serialio.cli import say, survives_closed_stdout
from drivers.serialio.events import DeviceStateEvent


def _state(event: DeviceStateEvent) -> None:
    say(f"camera {event.state}: {event.reason} {event.text}")


@survives_closed_stdout
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drivers.camera", description=__doc__)
    parser.add_argument("source", nargs="?", help="folder, video file, /dev/... path or usb:N")
    parser.add_argument("--list", action="store_true", help="list stable camera paths and exit")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=float, default=None, help="requested/played frame rate")
    parser.add_argument("--no-decode", action="store_true", help="only show the frame rate")
    parser.add_argument(
        "--result-s", type=float, default=3.0, help="how long a result screen would stay open"
    )
    args = parser.parse_args(argv)
    if args.list:
        for path in stable_camera_paths():
            say(path)
        return 0
    if not args.source:
        parser.error("give a SOURCE (or --list)")
    try:
        source = open_source(args.source, width=args.width, height=args.height, fps=args.fps)
    except CameraError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    pipeline = None if args.no_decode else default_pipeline()
    gate = ScanGate()
    capture = Capture(source, on_state=_state)
    capture.start()
    started = time.monotonic()
    window_start, window_frames, decode_ms = started, 0, []
    last_seq, closed_at = 0, None
    try:
        while args.seconds is None or time.monotonic() - started < args.seconds:
            got = capture.next_frame(last_seq, timeout_s=0.5)
            now_mono = time.monotonic()
            if got is not None:
                last_seq = got.seq
                window_frames += 1
                if pipeline is not None:
                    result = pipeline.decode(got.frame)
                    decode_ms.append(result.ms)
                    now = dt.datetime.now(dt.UTC)
                    if closed_at is not None and now >= closed_at:
                        gate.result_closed(now)
                        closed_at = None
                    event = gate.observe(result.texts, now)
                    if event is not None:
                        closed_at = now + dt.timedelta(seconds=args.result_s)
                        seen = (
                            f"repeat, passed here {event.since_last_s:.0f} s ago"
                            if event.repeat
                            else "new"
                        )
                        if not say(f"scan ({seen}, {result.decoder}): {event.text}"):
                            break  # the reader has gone: it chose to stop
            if now_mono - window_start >= 1.0:
                fps = window_frames / (now_mono - window_start)
                line = f"fps {fps:5.1f}  frames {capture.frames_captured}"
                if decode_ms:
                    line += f"  decode median {statistics.median(decode_ms):.1f} ms"
                if not say(line):  # also False when a camera event met the closed pipe
                    break
                window_start, window_frames, decode_ms = now_mono, 0, []
    except KeyboardInterrupt:
        pass
    finally:
        if not capture.stop(timeout_s=2.0):
            print("warning: the camera thread did not stop in time", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
