"""The server's keys: a `healthcode.keydir.KeyDir` in the data folder, and signed trust lists.

`root.key` signs trust lists only; after `central init` it can be moved offline (the service
keeps serving the newest signed list from the database).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.core.models import TrustListRecord
from healthcode.keydir import RING_FILE, KeyDir
from healthcode.keys import PublicKey
from healthcode.text import LocalText
from healthcode.trust import Issuer


class KeyStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def exists(self) -> bool:
        return (self.path / RING_FILE).is_file()

    def keydir(self) -> KeyDir:
        return KeyDir(self.path)

    def create(self, issuer: Issuer, now: datetime) -> KeyDir:
        return KeyDir.create(self.path, issuer, now)

    def root_public(self) -> PublicKey:
        return self.keydir().root_public()

    def binding_keys(self) -> dict[str, bytes]:
        keydir = self.keydir()
        return {keydir.issuer.region_code: keydir.binding_key()}


def ensure_keys(
    store: KeyStore, session: Session, issuer: Issuer, now: datetime
) -> tuple[KeyDir, bool]:
    """The key hierarchy and a first signed trust list, created when missing; True if created."""
    created = not store.exists
    keydir = store.create(issuer, now) if created else store.keydir()
    if latest_trust_list(session) is None:
        publish_trust_list(keydir, session, now)
    return keydir, created


def publish_trust_list(keydir: KeyDir, session: Session, now: datetime) -> int:
    trust_list = keydir.trust_list(now)
    session.add(
        TrustListRecord(
            sequence=trust_list.sequence, signed=trust_list.sign(keydir.root()), created_at=now
        )
    )
    session.flush()
    return trust_list.sequence


def latest_trust_list(session: Session) -> TrustListRecord | None:
    return session.scalars(
        select(TrustListRecord).order_by(TrustListRecord.sequence.desc()).limit(1)
    ).first()


def issuer_of(region_code: str, name_zh: str, name_en: str) -> Issuer:
    return Issuer(region_code, LocalText(name_zh, name_en))
