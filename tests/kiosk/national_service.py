"""A local fake of the national code's verification service, speaking HTTP on a real socket
(the assumed wire format of docs/other-regions.md, part 4): it answers what the test tells it,
records every request, and can hold an answer back until the test releases it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "national-test-token"  # noqa: S105 - a test's token
APP_ID = "shaanxi-kiosks"


@dataclass
class FakeNationalService:
    status: int = 200
    answer: Any = field(default_factory=lambda: {"result": "valid", "colour": "green"})
    requests: list[dict[str, Any]] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def __post_init__(self) -> None:
        self.release.set()  # answers at once unless the test holds them

    def hold(self) -> None:
        self.release.clear()


def _handler(service: FakeNationalService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length) or b"null")
            service.requests.append(
                {
                    "body": body,
                    "authorization": self.headers.get("authorization"),
                    "app_id": self.headers.get("x-app-id"),
                }
            )
            service.received.set()
            service.release.wait(10)
            payload = (
                service.answer
                if isinstance(service.answer, bytes)
                else json.dumps(service.answer).encode()
            )
            try:
                self.send_response(service.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (a timeout): nobody reads the answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def national_service() -> Iterator[FakeNationalService]:
    service = FakeNationalService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    server.daemon_threads = True
    service.url = f"http://127.0.0.1:{server.server_address[1]}/verify"
    thread = threading.Thread(target=server.serve_forever, name="fake-national", daemon=True)
    thread.start()
    try:
        yield service
    finally:
        service.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
