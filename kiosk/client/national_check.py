"""The national code's online check (GB/T 38963): one request to a verification service.

Our sources do not give the national platform's interface (docs/other-regions.md, part 4), so
the wire format here is an ASSUMED one, documented there: a JSON POST of the scanned text with
the kiosk's application id and token, answered with whether the code is valid and its colour.
An adapter speaking the platform's real interface fits behind `NationalVerifier`.

`HttpNationalVerifier.check` never raises for the network or the service: every failure is a
`NationalCheckFailure`, which keeps the verdict a manual check. It blocks (up to its timeout):
call it off the GUI thread (`kiosk.app.flow.FlowDriver` does). The code's text is never logged.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from healthcode.claims import Colour
from kiosk.checkpoint.national import NationalCheck, NationalCheckFailure

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 3.0  # a person waits at the gate: a slow service means a manual check
MAX_ANSWER_BYTES = 16_384


class NationalVerifier(Protocol):
    def check(self, text: str) -> NationalCheck: ...


@dataclass(frozen=True)
class NationalServiceConfig:
    """Where the service is and who this kiosk is to it (the `[national_check]` section)."""

    url: str
    app_id: str
    token: str = field(repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def from_files(
        cls, url: str, app_id: str, token_file: str, timeout_s: float
    ) -> NationalServiceConfig | None:
        """The configuration when a URL is set; the token is read from its (private) file."""
        if not url:
            return None
        token = Path(token_file).read_text(encoding="utf-8").strip() if token_file else ""
        return cls(url=url, app_id=app_id, token=token, timeout_s=timeout_s)


_STATUS_FAILURES = {
    400: NationalCheckFailure.CODE_NOT_READ,
    401: NationalCheckFailure.CREDENTIALS_REFUSED,
    403: NationalCheckFailure.CREDENTIALS_REFUSED,
    422: NationalCheckFailure.CODE_NOT_READ,
    429: NationalCheckFailure.RATE_LIMITED,
}


class HttpNationalVerifier:
    """The assumed wire format over an injected `httpx.Client` (its transport is the test's)."""

    def __init__(self, client: httpx.Client, config: NationalServiceConfig) -> None:
        self._client = client
        self.config = config

    def check(self, text: str) -> NationalCheck:
        config = self.config
        try:
            answer = self._client.post(
                config.url,
                json={"qr_text": text},
                headers={
                    "Authorization": f"Bearer {config.token}",
                    "X-App-Id": config.app_id,
                    "Accept": "application/json",
                },
                timeout=config.timeout_s,
            )
        except httpx.TimeoutException:
            log.info("national check: timed out after %.1f s", config.timeout_s)
            return NationalCheck.failed(NationalCheckFailure.TIMEOUT)
        except httpx.HTTPError as failed:
            log.info("national check: %s", type(failed).__name__)
            return NationalCheck.failed(NationalCheckFailure.UNREACHABLE)
        if answer.status_code != 200:
            log.info("national check: HTTP %d", answer.status_code)
            failure = _STATUS_FAILURES.get(answer.status_code, NationalCheckFailure.SERVICE_ERROR)
            return NationalCheck.failed(failure)
        return _read_answer(answer.content)


def _read_answer(content: bytes) -> NationalCheck:
    """`{"result": "valid", "colour": "green|yellow|red"}` or `{"result": "invalid"}`."""
    bad = NationalCheck.failed(NationalCheckFailure.BAD_ANSWER)
    if len(content) > MAX_ANSWER_BYTES:
        return bad
    try:
        document = json.loads(content)
    except ValueError:
        log.warning("national check: the answer is not JSON")
        return bad
    if not isinstance(document, dict):
        return bad
    result = document.get("result")
    if result == "invalid":
        return NationalCheck(valid=False)
    if result != "valid":
        log.warning("national check: no valid/invalid result in the answer")
        return bad
    try:
        colour = Colour(str(document.get("colour")))
    except ValueError:
        log.warning("national check: a valid answer without a known colour")
        return bad
    return NationalCheck(valid=True, colour=colour)
