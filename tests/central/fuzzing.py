"""Property-based fuzzing of every route of central's OpenAPI document (issue 27), with
schemathesis: for each operation, requests that fit the schema and requests that do not, sent
in process; any answer of 500 or more is a failure. Used by tests/central/test_fuzzing.py and
bench/hardening.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from starlette.testclient import TestClient

# Routes that hash a password (argon2, a third of a second each) get fewer examples.
SLOW_OPERATIONS = frozenset({"POST /api/v1/login", "POST /api/v1/setup"})


@dataclass
class FuzzTally:
    requests: int = 0
    operations: int = 0
    server_errors: list[str] = field(default_factory=list)


def _request(kwargs: dict[str, Any], auth: dict[str, str]) -> dict[str, Any]:
    """schemathesis's requests-style arguments as httpx's (the test client's)."""
    headers = {str(k): str(v) for k, v in (kwargs.get("headers") or {}).items()}
    if not any(name.lower() == "authorization" for name in headers):
        headers.update(auth)
    cookies = kwargs.get("cookies") or {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": headers,
        "params": kwargs.get("params") or None,
    }
    if "json" in kwargs:
        request["json"] = kwargs["json"]
    data = kwargs.get("data")
    if isinstance(data, str | bytes):
        request["content"] = data
    elif data is not None:
        request["data"] = data
    if kwargs.get("files"):
        request["files"] = kwargs["files"]
    return request


def fuzz_every_route(
    app: FastAPI, client: TestClient, auth: dict[str, str], *, examples: int
) -> FuzzTally:
    """Up to `examples` fitting and `examples` unfitting requests per operation (derandomized:
    the same requests every run), sent with the administrator's `auth` unless the case sets
    its own Authorization."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    tally = FuzzTally()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        count = 2 if operation.label in SLOW_OPERATIONS else examples
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=count,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def send(case: Any) -> None:
                try:
                    request = _request(
                        case.as_transport_kwargs(base_url=str(client.base_url)), auth
                    )
                    answer = client.request(**request)
                except (httpx.InvalidURL, UnicodeError, ValueError, TypeError):
                    return  # the client cannot send it (a header that is not ASCII, ...)
                tally.requests += 1
                if answer.status_code >= 500:
                    tally.server_errors.append(
                        f"{answer.status_code} {request['method']} {request['url']}"
                    )

            try:
                send()
            except Unsatisfiable:
                continue  # nothing to make unfitting (no parameters, no body)
    return tally
