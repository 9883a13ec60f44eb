"""The feed snapshot as a file (issue 28): fetched streaming to disk, resumed, verified, applied.

A snapshot of millions of entries is never held whole in the kiosk's memory: `fetch_snapshot_
file` streams central's `feed/snapshot-file` (in column blocks: `?blocks=columns`, signed with
the request; a central before them ignores it and sends row blocks) into a temporary file
(httpx `client.stream`), and after a dropped connection asks again with `Range: bytes=<what it
has>-` and `If-Range: <the file's ETag>`, so only the rest is sent (a new file at central
answers 200 whole, and the download starts over). The partial file and its ETag stay in the
kiosk's folder between rounds, so a round cut short resumes next time. `apply_snapshot_file`
then checks the signed header with the trust list and streams the entries into the copy in use
(the kiosk store's `kiosk.store.feed` takes the file's blocks as columns,
`replace_from_snapshot_columns`; any other copy its entries, `replace_from_snapshot`), which
takes them all or none: a damaged body (count or hash wrong) leaves the copy unchanged.

A central before issue 28 answers 404 to the file's path; the caller then falls back to the
old one-batch snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import httpx

from healthcode.feed import UpdatableFeed, older_snapshot
from healthcode.feed_file import open_snapshot_file
from healthcode.trust import TrustList
from kiosk.store.feed import StoredFeed
from sync.distribution import BLOCKS_PARAMETER, COLUMN_BLOCKS, FEED_SNAPSHOT_FILE_PATH

log = logging.getLogger(__name__)

PARTIAL_NAME = "feed-snapshot.partial"
ETAG_NAME = "feed-snapshot.etag"
DEFAULT_ATTEMPTS = 4


class SnapshotFetchError(Exception):
    """No complete snapshot file could be fetched (network, server error): try again later."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class NoSnapshotFile(SnapshotFetchError):  # noqa: N818 - a condition, not a failure
    """Central does not offer snapshot files (before issue 28): use the one-batch snapshot."""


@dataclass(frozen=True)
class FetchedFile:
    path: Path
    etag: str | None
    resumed: int  # how many times the download went on from where it had stopped


class SignOnly(httpx.Auth):
    """The client's signing without its wish to read every answer whole (the kiosk's auth reads
    error bodies to learn its clock offset; httpx then buffers any body): the file streams."""

    requires_response_body = False

    def __init__(self, inner: httpx.Auth | None) -> None:
        self.inner = inner if inner is not None else httpx.Auth()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self.inner.sync_auth_flow(request)
        yield next(flow)
        flow.close()


def fetch_snapshot_file(
    client: httpx.Client, base_url: str, folder: Path, *, attempts: int = DEFAULT_ATTEMPTS
) -> FetchedFile:
    """Download the snapshot file into `folder`, resuming after dropped connections. Raises
    NoSnapshotFile (central has none) or SnapshotFetchError."""
    folder.mkdir(parents=True, exist_ok=True)
    partial, tag_file = folder / PARTIAL_NAME, folder / ETAG_NAME
    tag = tag_file.read_text(encoding="utf-8").strip() if tag_file.exists() else None
    if tag is None:
        partial.unlink(missing_ok=True)
    resumed = 0
    last_error = "no attempt"
    for _ in range(max(1, attempts)):
        have = partial.stat().st_size if partial.exists() else 0
        headers = {"range": f"bytes={have}-", "if-range": tag} if have and tag else {}
        try:
            with client.stream(
                "GET",
                base_url + FEED_SNAPSHOT_FILE_PATH,
                params={BLOCKS_PARAMETER: COLUMN_BLOCKS},  # it reads either: the faster
                headers=headers,
                auth=SignOnly(client.auth),
            ) as answer:
                if answer.status_code == 404:
                    raise NoSnapshotFile("no_snapshot_file", "central offers no snapshot file")
                if answer.status_code == 416:  # what we have is no part of the file now
                    partial.unlink(missing_ok=True)
                    tag_file.unlink(missing_ok=True)
                    tag = None
                    continue
                if answer.status_code not in (200, 206):
                    answer.read()
                    raise SnapshotFetchError(
                        f"http_{answer.status_code}", answer.text[:200] or "no body"
                    )
                tag = answer.headers.get("etag")
                if tag is not None:
                    tag_file.write_text(tag, encoding="utf-8")
                else:
                    tag_file.unlink(missing_ok=True)
                if answer.status_code == 206:
                    resumed += 1
                mode = "ab" if answer.status_code == 206 else "wb"
                with partial.open(mode) as out:
                    for chunk in answer.iter_bytes():
                        out.write(chunk)
            done = folder / "feed-snapshot.snap"
            partial.replace(done)
            tag_file.unlink(missing_ok=True)
            return FetchedFile(done, tag, resumed)
        except httpx.HTTPError as error:
            last_error = f"{type(error).__name__}: {error}"
            log.info("snapshot download stopped (%s); resuming", type(error).__name__)
    raise SnapshotFetchError("network", last_error)


def apply_snapshot_file(path: Path, trust: TrustList, feed: UpdatableFeed) -> int:
    """Verify a fetched snapshot file with the trust list and stream it into the copy in use
    (`replace_from_snapshot`: all or nothing); the entries taken. Raises FeedError (the
    header's problems, DAMAGED for a body that does not match it, OLDER_SNAPSHOT) with the copy
    unchanged. The file is removed either way."""
    try:
        with open_snapshot_file(path, trust) as reader:
            header = reader.header
            refusal = older_snapshot(header.last_sequence, feed.last_sequence)
            if refusal is not None:
                raise refusal
            if isinstance(feed, StoredFeed):  # the kiosk's: in bulk, a block at a time
                return feed.replace_from_snapshot_columns(
                    reader.columns(),
                    last_sequence=header.last_sequence,
                    as_of_utc=header.as_of_utc,
                    horizon_utc=header.horizon_utc,
                )
            return feed.replace_from_snapshot(
                reader.entries(),
                last_sequence=header.last_sequence,
                as_of_utc=header.as_of_utc,
                horizon_utc=header.horizon_utc,
            )
    finally:
        path.unlink(missing_ok=True)
