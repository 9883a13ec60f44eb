"""The duty staff's view of the person in front of them, from central: the code's passages in
this kiosk's area over 14 days (`POST /api/v1/kiosk/trail`, signed). Offline, or on any
failure, None: the caller shows this kiosk's own records instead (`PassageStore.trail`)."""

from __future__ import annotations

import logging

import httpx
from pydantic import ValidationError

from sync.schemas import TRAIL_PATH, TrailAnswer, TrailRequest

log = logging.getLogger(__name__)

TRAIL_TIMEOUT_S = 5.0  # staff wait at the gate: a slow network means the kiosk's own records


def fetch_trail(
    client: httpx.Client, server_url: str, issuer: str, code_id: bytes
) -> TrailAnswer | None:
    """Central's answer, or None when it cannot be had (never raises for the network)."""
    body = TrailRequest(issuer=issuer, code_id=code_id).model_dump_json().encode()
    try:
        answer = client.post(
            server_url.rstrip("/") + TRAIL_PATH,
            content=body,
            headers={"content-type": "application/json"},
            timeout=TRAIL_TIMEOUT_S,
        )
    except httpx.HTTPError as failed:
        log.info("trail: %s; the kiosk's own records are shown", type(failed).__name__)
        return None
    if answer.status_code != 200:
        log.info("trail: HTTP %d; the kiosk's own records are shown", answer.status_code)
        return None
    try:
        return TrailAnswer.model_validate_json(answer.content)
    except ValidationError:
        log.warning("trail: not a trail answer")
        return None
