"""The kiosk's release client: the newest signed manifest and its archive from central, through
the kiosk-signed httpx client; the manifest's checks are the contract's (`sync.releases`)."""

from __future__ import annotations

from pathlib import Path

import httpx

from sync.releases import (
    CHUNK_BYTES,
    LATEST_PATH,
    MAX_ARCHIVE_BYTES,
    ReleaseError,
    ReleaseManifest,
    archive_path,
)
from sync.signing import refusal_of


class ReleaseClient:
    """Asks central for the newest release and downloads archives, through a kiosk-signed
    httpx client (`KioskIdentity.auth()`)."""

    def __init__(self, client: httpx.Client, server_url: str) -> None:
        self.client = client
        self.base = server_url.rstrip("/")

    def latest(self, platform: str) -> bytes | None:
        """The newest signed manifest for `platform`, unverified; None when central has none."""
        response = self._get(LATEST_PATH, platform)
        if response.status_code == 404:
            return None
        return response.content

    def download(self, manifest: ReleaseManifest, destination: Path) -> Path:
        """The archive into `destination` (a file), stopped as soon as it is longer than the
        manifest says; size and digest are checked by the caller (`check_archive`)."""
        url = self.base + archive_path(manifest.version)
        limit = min(manifest.archive_size_bytes, MAX_ARCHIVE_BYTES)
        try:
            with (
                self.client.stream("GET", url, params={"platform": manifest.platform}) as response,
                destination.open("wb") as out,
            ):
                if response.status_code != 200:
                    response.read()
                    raise self._refused(response)
                written = 0
                for chunk in response.iter_bytes(CHUNK_BYTES):
                    written += len(chunk)
                    if written > limit:
                        raise ReleaseError(
                            "size_mismatch", f"the archive is longer than {limit} bytes"
                        )
                    out.write(chunk)
        except httpx.HTTPError as error:
            raise ReleaseError("network", f"{type(error).__name__}: {error}") from None
        return destination

    def _get(self, path: str, platform: str) -> httpx.Response:
        try:
            response = self.client.get(self.base + path, params={"platform": platform})
        except httpx.HTTPError as error:
            raise ReleaseError("network", f"{type(error).__name__}: {error}") from None
        if response.status_code not in (200, 404):
            raise self._refused(response)
        return response

    @staticmethod
    def _refused(response: httpx.Response) -> ReleaseError:
        refusal = refusal_of(response)
        reason = refusal.error.value if refusal is not None else f"http_{response.status_code}"
        return ReleaseError(reason, refusal.detail if refusal else response.text[:200])
