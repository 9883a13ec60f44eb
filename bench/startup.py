"""Startup: time from process start to the scan screen ready, from source and bundled, same run.

Each start is `kiosk --demo --exit-when-ready` offscreen (simulated camera, thermometer on a pty,
ID-reader simulator, the demo's trust list and feed) on a data folder prepared by a first,
unmeasured start; the kiosk prints `ready <ms>` once its window is shown, the devices are
opening and the first status refresh ran, then quits. The figure is the median wall time from
spawning the process to that line (the in-process age is printed next to it). Same-run
references: a bare `python -c pass` and `import PySide6.QtWidgets`.

The bundle is build/dist/kiosk; it is built first when missing (build/build_bundle.sh
--no-test) unless SKIP_BUNDLE=1. Also prints the bundle's size.

Goals: within 3 s from source, within 5 s bundled.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from healthcode.console import say, survives_closed_stdout

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "build" / "dist" / "kiosk"
RUNS = int(os.environ.get("STARTUP_RUNS", "5"))
TIMEOUT_S = 60


def goal(name: str, measured: float, unit: str, op: str, target: float) -> str:
    met = measured <= target if op == "<=" else measured >= target
    return (
        f"goal {name}: {measured:.2f} {unit} (target {op} {target:g}) {'met' if met else 'missed'}"
    )


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("PYTHONPATH", None)
    return env


def start_once(command: list[str]) -> tuple[float, float]:
    """(wall seconds from spawn to `ready`, the process's own age in ms at `ready`)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environment(),
        cwd=tempfile.gettempdir(),
    )
    assert process.stdout is not None
    ready: tuple[float, float] | None = None
    for line in process.stdout:
        if line.startswith("ready "):
            ready = (time.perf_counter() - started, float(line.split()[1]))
            break
    process.stdout.close()
    process.wait(TIMEOUT_S)
    if ready is None:
        raise RuntimeError(f"{command[0]} exited {process.returncode} without printing ready")
    return ready


def measure(label: str, command: list[str]) -> float:
    first, _ = start_once(command)  # creates the demo's keys and camera frames
    walls, ages = [], []
    for _ in range(RUNS):
        wall, age = start_once(command)
        walls.append(wall)
        ages.append(age)
    median = statistics.median(walls)
    say(
        f"{label}: median {median:.2f} s to the scan screen over {RUNS} starts "
        f"(min {min(walls):.2f}, max {max(walls):.2f}; in-process {statistics.median(ages):.0f} ms;"
        f" first start with demo set-up {first:.2f} s)",
    )
    return median


def reference(label: str, code: str) -> None:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=environment())
        times.append(time.perf_counter() - started)
    say(f"reference {label}: {statistics.median(times):.2f} s")


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


@survives_closed_stdout
def main() -> int:
    if hasattr(os, "getloadavg"):
        say(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    reference("python -c pass", "pass")
    reference("import PySide6.QtWidgets", "import PySide6.QtWidgets")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        data = Path(scratch)
        source = measure(
            "from source",
            [
                sys.executable,
                "-m",
                "kiosk",
                "--demo",
                "--data-dir",
                str(data / "source"),
                "--exit-when-ready",
            ],
        )
        source_line = goal("startup_source", source, "s", "<=", 3)
        executable = BUNDLE / ("kiosk.exe" if sys.platform == "win32" else "kiosk")
        if not executable.exists() and os.environ.get("SKIP_BUNDLE") != "1":
            say("building the bundle (build/build_bundle.sh --no-test) ...")
            started = time.perf_counter()
            subprocess.run(
                [
                    shutil.which("bash") or "/bin/bash",
                    str(ROOT / "build" / "build_bundle.sh"),
                    "--no-test",
                ],
                check=True,
            )
            say(f"bundle built in {time.perf_counter() - started:.0f} s")
        bundle_line = None
        if executable.exists():
            size, count = folder_size(BUNDLE)
            say(f"bundle size: {size / 1e6:.0f} MB in {count} files ({BUNDLE})")
            bundled = measure(
                "bundled",
                [
                    str(executable),
                    "--demo",
                    "--data-dir",
                    str(data / "bundle"),
                    "--exit-when-ready",
                ],
            )
            bundle_line = goal("startup_bundle", bundled, "s", "<=", 5)
        else:
            say("bundled: not measured (SKIP_BUNDLE=1 and no bundle in build/dist)")
        shutil.rmtree(data, ignore_errors=True)
    say(source_line)
    if bundle_line:
        say(bundle_line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
