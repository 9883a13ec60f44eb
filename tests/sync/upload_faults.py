"""A transport that injects network faults in front of a real one (the app, or a real server)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx


class _CutStream(httpx.SyncByteStream):
    """Half of the answer, then the connection drops."""

    def __init__(self, part: bytes) -> None:
        self.part = part

    def __iter__(self) -> Iterator[bytes]:
        yield self.part
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message")


class FaultyTransport(httpx.BaseTransport):
    """Plays one fault per request from a script, then passes requests through.

    down: refused before it reaches the server; 500: the proxy answers 500; timeout: the server
    handles it, the answer is lost; cut: the connection drops mid-answer; duplicate: the network
    delivers it twice; replay: an attacker captures it and sends it again afterwards."""

    def __init__(self, inner: httpx.BaseTransport, script: list[str] | None = None) -> None:
        self.inner = inner
        self.script = list(script or [])
        self.seen: list[httpx.Request] = []
        self.attacker_answers: list[httpx.Response] = []

    def _forward(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.script.pop(0) if self.script else "ok"
        self.seen.append(request)
        if fault == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if fault == "500":
            return httpx.Response(500, text="Internal Server Error")
        response = self._forward(request)
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "cut":
            content = response.content
            headers = {k: v for k, v in response.headers.items() if k != "content-length"}
            return httpx.Response(
                response.status_code,
                headers=headers,
                stream=_CutStream(content[: len(content) // 2]),
            )
        if fault in ("duplicate", "replay"):
            again = self._forward(request)
            if fault == "replay":
                self.attacker_answers.append(again)
        return response

    def close(self) -> None:
        self.inner.close()
