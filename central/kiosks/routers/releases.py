"""Signed kiosk releases (issue 15): central publishes versions, kiosks fetch the newest.

Both routes answer signed kiosk requests only (`sync.signing`). `GET /latest?platform=P` gives
the newest release's signed manifest (`sync.releases`, JSON), 404 when there is none;
`GET /{version}/archive?platform=P` the archive it names, with its SHA-256 in `ETag` and
`archive-sha256`. Releases are published with `central releases publish`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response

from central.core.deps import SessionDep, SettingsDep, SignedKioskDep
from central.core.errors import ApiError
from central.kiosks.releases import RELEASES_FOLDER, find_release, latest_release
from sync.releases import ARCHIVE_SHA256_HEADER
from sync.schemas import API_PREFIX, RefusalReason

router = APIRouter(prefix=f"{API_PREFIX}/releases", tags=["releases"])

Platform = Annotated[str, Query(min_length=1, max_length=32, pattern=r"^[a-z0-9_.-]+$")]


@router.get("/latest", response_class=Response)
def latest(_kiosk: SignedKioskDep, session: SessionDep, platform: Platform) -> Response:
    """The newest release for the kiosk's platform, as its signed manifest."""
    release = latest_release(session, platform)
    if release is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no release for {platform}")
    return Response(
        content=release.manifest_signed,
        media_type="application/json",
        headers={"cache-control": "no-cache", "etag": f'"{release.archive_sha256}"'},
    )


@router.get("/{version}/archive", response_class=FileResponse)
def archive(
    version: str,
    _kiosk: SignedKioskDep,
    session: SessionDep,
    settings: SettingsDep,
    platform: Platform,
) -> FileResponse:
    """The release's archive; the kiosk checks its size and SHA-256 against the manifest."""
    release = find_release(session, platform, version)
    path = settings.data_dir / RELEASES_FOLDER / (release.archive_file if release else "")
    if release is None or not path.is_file():
        raise ApiError(404, RefusalReason.NOT_FOUND, f"no release {version} for {platform}")
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=path.name,
        headers={
            "etag": f'"{release.archive_sha256}"',
            ARCHIVE_SHA256_HEADER: release.archive_sha256,
        },
    )
