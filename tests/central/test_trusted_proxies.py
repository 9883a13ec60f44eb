"""Issue 27: the throttles' client address is the peer's unless the peer is a trusted proxy."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import uvicorn
from starlette.types import Receive, Scope, Send

from central.cli import proxy_options
from central.core.settings import Settings


async def _echo_client(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers the client address the app (and so every throttle) sees."""
    if scope["type"] != "http":
        return
    host = (scope.get("client") or ("none", 0))[0]
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": host.encode()})


def _seen_address(settings: Settings, peer: str, forwarded_for: str) -> str:
    """The address an app served by uvicorn with the settings' proxy options sees."""
    config = uvicorn.Config(_echo_client, **proxy_options(settings))
    config.load()
    transport = httpx.ASGITransport(config.loaded_app, client=(peer, 40000))

    async def ask() -> str:
        async with httpx.AsyncClient(transport=transport, base_url="http://central") as client:
            answer = await client.get("/", headers={"X-Forwarded-For": forwarded_for})
            return answer.text

    return asyncio.run(ask())


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path, _env_file=None, **values)  # type: ignore[call-arg]


def test_trusted_proxies_are_empty_by_default(tmp_path: Path) -> None:
    assert _settings(tmp_path).trusted_proxies == []


def test_a_forwarded_for_header_from_loopback_is_ignored_when_no_proxy_is_trusted(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    seen = {_seen_address(settings, "127.0.0.1", f"203.0.113.{n}") for n in range(1, 31)}
    assert seen == {"127.0.0.1"}  # 30 rotated headers still count as one client


def test_a_trusted_proxy_passes_on_the_clients_address(tmp_path: Path) -> None:
    settings = _settings(tmp_path, trusted_proxies=["10.0.0.5"])
    assert _seen_address(settings, "10.0.0.5", "203.0.113.7") == "203.0.113.7"
    # anyone else's header is still ignored
    assert _seen_address(settings, "127.0.0.1", "203.0.113.7") == "127.0.0.1"
