"""Helpers for tests that act as a kiosk against an in-process central service."""

from __future__ import annotations

from pathlib import Path

import httpx

from kiosk.client.enrollment import Enrollment, enroll
from sync.signing import SIGNATURE_HEADERS
from tests.central.conftest import SERVER, Central


def enrolled_kiosk(central: Central, data_dir: Path, **checkpoint: str) -> Enrollment:
    code = central.enrollment_code(central.register_checkpoint(**checkpoint))
    return enroll(central.client, SERVER, code, data_dir)


def signed_copy(request: httpx.Request) -> dict[str, str]:
    """The signature headers of an already signed request, to send them again."""
    return {name: request.headers[name] for name in SIGNATURE_HEADERS}
