"""Publishing kiosk versions (issue 15): signed manifests, archives kept by their SHA-256.

The **release key** (`keys/release.key`, Ed25519, 0600) signs release manifests and nothing
else; its public half `keys/release.pub` is what kiosks are installed with
(`<install root>/release-keys/`). It is made on first use by `central.core.keyfiles.create_once`.
Rotation: make the new key's public half known to the kiosks first (ship it in a release signed
by the old key, or install it), then move the old `release.key` away; the next publish makes a
new one. See docs/bundle.md, "Updates".

Archives are copied to `<data_dir>/releases/<sha256><suffix>`: several `central serve`
processes on one PostgreSQL database must share that folder.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from central.core.keyfiles import create_once
from central.core.models import KioskRelease
from healthcode.keys import SigningKey
from sync.releases import (
    ReleaseError,
    ReleaseManifest,
    file_sha256,
    parse_version,
    sign_manifest,
)

RELEASE_KEY_FILE = "release.key"
RELEASE_PUBLIC_FILE = "release.pub"
RELEASES_FOLDER = "releases"
DEFAULT_ENTRY = "kiosk/kiosk"


def release_key(keys_dir: Path) -> SigningKey:
    """The release signing key, created (with its public half) when missing."""
    pem = create_once(keys_dir / RELEASE_KEY_FILE, SigningKey.generate().to_pem())
    key = SigningKey.from_pem(pem)
    public = keys_dir / RELEASE_PUBLIC_FILE
    if not public.exists():
        public.write_bytes(release_public_pem(key))
    return key


def release_public_pem(key: SigningKey) -> bytes:
    return key.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True)
class PublishedRelease:
    version: str
    platform: str
    archive_sha256: str
    archive_size_bytes: int
    release_key_id: str
    created_at_utc: datetime
    notes: str

    @classmethod
    def of(cls, row: KioskRelease) -> PublishedRelease:
        return cls(
            row.version,
            row.platform,
            row.archive_sha256,
            row.archive_size_bytes,
            row.release_key_id,
            row.created_at,
            row.notes,
        )


def publish_release(
    session: Session,
    archive: Path,
    *,
    version: str,
    platform: str,
    notes: str,
    keys_dir: Path,
    releases_dir: Path,
    now: datetime,
    min_store_schema: int = 1,
    entry: str = DEFAULT_ENTRY,
) -> PublishedRelease:
    """Sign a manifest for `archive` and keep both; ReleaseError for a version that is not
    newer than every release of the platform (kiosks never go back)."""
    version = str(parse_version(version))
    newest = latest_release(session, platform)
    if newest is not None and parse_version(newest.version) >= parse_version(version):
        raise ReleaseError(
            "downgrade", f"{platform} already has release {newest.version}; publish a newer one"
        )
    sha256 = file_sha256(archive)
    manifest = ReleaseManifest(
        version=version,
        platform=platform,
        archive_name=archive.name,
        archive_sha256=sha256,
        archive_size_bytes=archive.stat().st_size,
        created_at_utc=now,
        min_store_schema=min_store_schema,
        entry=entry,
        notes=notes,
    )
    key = release_key(keys_dir)
    signed = sign_manifest(manifest, key)
    releases_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".zip" if archive.name.lower().endswith(".zip") else ".tar.gz"
    stored = releases_dir / f"{sha256}{suffix}"
    if not stored.exists():
        temporary = stored.with_name(f".{stored.name}.copying")
        shutil.copyfile(archive, temporary)
        temporary.replace(stored)
    row = KioskRelease(
        version=version,
        platform=platform,
        archive_file=stored.name,
        archive_sha256=sha256,
        archive_size_bytes=manifest.archive_size_bytes,
        manifest_signed=signed,
        release_key_id=key.kid.hex(),
        notes=notes,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return PublishedRelease.of(row)


def releases_of(session: Session, platform: str | None = None) -> list[KioskRelease]:
    """Newest version first."""
    query = select(KioskRelease)
    if platform is not None:
        query = query.where(KioskRelease.platform == platform)
    rows = list(session.scalars(query))
    return sorted(rows, key=lambda row: (row.platform, parse_version(row.version)), reverse=True)


def latest_release(session: Session, platform: str) -> KioskRelease | None:
    rows = releases_of(session, platform)
    return rows[0] if rows else None


def find_release(session: Session, platform: str, version: str) -> KioskRelease | None:
    return session.scalars(
        select(KioskRelease).where(
            KioskRelease.platform == platform, KioskRelease.version == version
        )
    ).first()
