"""The documented deployment: nginx in front of several `central serve` processes on one
PostgreSQL database (docs/deployment.md).

`nginx_site(...)` renders the site file from `deploy/nginx/central.conf.template`;
`nginx_main(...)` wraps it in a whole nginx configuration that runs unprivileged in one folder,
as the loopback test and `bench/fleet.py` run it. `python -m central deployment nginx-config`
prints the site file for a real host.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "central.conf.template"
# The largest body a route accepts (a kiosk's upload of up to 5,000 records, a roster import).
DEFAULT_MAX_BODY = "16m"
# A process that failed this many times in the window is skipped for the window.
FAIL_TIMEOUT_S = 10
# The internal location nginx serves feed snapshot files from (CENTRAL_FEED_FILES_ACCEL_PREFIX).
FEED_FILES_PREFIX = "/internal/feed-files/"
DEFAULT_FEED_FILES_DIR = Path("/var/lib/central/feed")


def nginx_site(
    *,
    listen: str,
    upstreams: Sequence[str],
    max_body: str = DEFAULT_MAX_BODY,
    access_log: str = "off",
    feed_files_dir: Path = DEFAULT_FEED_FILES_DIR,
) -> str:
    """The `server` and `upstream` blocks for central: `listen` as nginx writes it
    ("443 ssl", "127.0.0.1:8080"), `upstreams` the central processes ("127.0.0.1:8101"),
    `feed_files_dir` central's CENTRAL_FEED_FILES_DIR (nginx sends snapshot files from it)."""
    if not upstreams:
        raise ValueError("at least one central process is needed")
    servers = "\n".join(
        f"    server {address} max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s;" for address in upstreams
    )
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        listen=listen,
        upstream_servers=servers,
        max_body=max_body,
        access_log=access_log if access_log == "off" else f"{access_log} central_timing",
        feed_files_prefix=FEED_FILES_PREFIX,
        feed_files_dir=str(feed_files_dir).rstrip("/"),
    )


def nginx_main(folder: Path, site: str, *, as_root: bool, worker_connections: int = 4096) -> str:
    """A whole nginx.conf keeping everything (pid, logs, temporary files) in `folder`."""
    user = "user root;\n" if as_root else ""  # workers must write the folder's temp files
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\n"
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        f"events {{ worker_connections {worker_connections}; }}\n"
        "http {\n"
        f"{temp}\n"
        f"{site}\n"
        "}\n"
    )
