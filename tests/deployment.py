"""The deployment of docs/deployment.md on loopback: nginx in front of several `central serve`
processes sharing one database, for tests/central/test_deployment.py and bench/fleet.py.

`LoopbackDeployment` runs `central init` in a folder, starts the processes on free ports and
nginx (Debian's) in front of them, and can kill one process to show the others carry on.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from central.deployment import FEED_FILES_PREFIX, nginx_main, nginx_site

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
READY_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def nginx_available() -> bool:
    return Path(NGINX).is_file()


def central_environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CENTRAL_")}
    env["CENTRAL_SMS_PROVIDER"] = "log"  # the fleet sends no SMS
    env["CENTRAL_DATA_DIR"] = str(data_dir)
    env["CENTRAL_DATABASE_URL"] = database_url
    # This checkout's code first: a virtualenv shared between checkouts may hold another one's
    # editable install, and the fleet would then measure that code instead.
    checkout = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (checkout, env.get("PYTHONPATH")) if p)
    env["CENTRAL_TRUSTED_PROXIES"] = '["127.0.0.1"]'  # nginx on loopback forwards the client
    env["CENTRAL_FEED_FILES_ACCEL_PREFIX"] = FEED_FILES_PREFIX  # nginx sends snapshot files
    env.update(extra)
    return env


def wait_until_ready(process: subprocess.Popen[bytes], url: str) -> None:
    """Poll `url` until it answers; the pause between polls waits on the process."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            try:
                process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
    raise RuntimeError(f"{url} did not answer within {READY_TIMEOUT_S} s")


@dataclass
class LoopbackDeployment:
    """nginx on a free loopback port in front of `processes` central processes."""

    folder: Path
    database_url: str
    processes: int = 2
    environment: dict[str, str] = field(default_factory=dict)
    url: str = ""
    centrals: list[subprocess.Popen[bytes]] = field(default_factory=list)
    central_urls: list[str] = field(default_factory=list)
    _nginx: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LoopbackDeployment:
        data_dir = self.folder / "central"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = central_environment(self.database_url, data_dir, **self.environment)
        self.environment = env
        subprocess.run(
            [sys.executable, "-m", "central", "init"],
            cwd=data_dir, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        try:
            for _ in range(self.processes):
                self._start_central(data_dir, env)
            self._start_nginx()
        except BaseException:
            self.close()
            raise
        return self

    def _start_central(self, data_dir: Path, env: dict[str, str]) -> None:
        port = free_port()
        log = (self.folder / f"central-{port}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "central", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        self.centrals.append(process)
        url = f"http://127.0.0.1:{port}"
        self.central_urls.append(url)
        wait_until_ready(process, url + "/openapi.json")

    def _start_nginx(self) -> None:
        prefix = self.folder / "nginx"
        prefix.mkdir(exist_ok=True)
        port = free_port()
        site = nginx_site(
            listen=f"127.0.0.1:{port}",
            upstreams=[url.removeprefix("http://") for url in self.central_urls],
            feed_files_dir=self.folder / "central" / "feed",
            access_log=str(self.access_log),
        )
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_main(prefix, site, as_root=os.geteuid() == 0), encoding="utf-8")
        with (prefix / "stderr.log").open("wb") as stderr:  # the child keeps its own copy
            self._nginx = subprocess.Popen(
                [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self.url = f"http://127.0.0.1:{port}"
        wait_until_ready(self._nginx, self.url + "/openapi.json")

    @property
    def access_log(self) -> Path:
        """nginx's access log: a line per request, ending with its time in nginx and central."""
        return self.folder / "nginx" / "access.log"

    def kill_central(self, index: int) -> None:
        """SIGKILL one central process, as a crash would: nothing is flushed or said."""
        process = self.centrals[index]
        process.send_signal(signal.SIGKILL)
        process.wait(30)

    def rss_kib(self) -> dict[str, int]:
        """Resident memory of each live process (central's by port, and nginx)."""
        sizes: dict[str, int] = {}
        named = [
            (url.rsplit(":", 1)[1], p)
            for url, p in zip(self.central_urls, self.centrals, strict=True)
        ]
        if self._nginx is not None:
            named.append(("nginx", self._nginx))
        for name, process in named:
            if process.poll() is None:
                sizes[name] = _tree_rss_kib(process.pid)
        return sizes

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) of each central process so far, from /proc."""
        ticks = os.sysconf("SC_CLK_TCK")
        spent: dict[str, float] = {}
        for url, process in zip(self.central_urls, self.centrals, strict=True):
            if process.poll() is None:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                spent[url.rsplit(":", 1)[1]] = (int(fields[11]) + int(fields[12])) / ticks
        return spent

    def close(self) -> None:
        for process in [*self.centrals, *([self._nginx] if self._nginx else [])]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.centrals, *([self._nginx] if self._nginx else [])]:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _tree_rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
