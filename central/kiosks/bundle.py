"""What central distributes to a checkpoint's kiosks, signed; and offline bundles of it all.

The trust list comes from the database as the root signed it; the status feed from
`central.issuance.feed`; the policy and staff roster are signed documents
(`sync.distribution.sign_document`) by the newest feed key. A bundle (`central export-bundle`)
holds the four, the feed as a snapshot, signed again as a whole for a site without a network.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from central.administration.checkpoints import get_checkpoint, operators_of
from central.core.keystore import latest_trust_list
from central.core.models import Checkpoint
from central.issuance.feed import signed_snapshot
from central.kiosks.policy import checkpoint_policy
from healthcode.keydir import KeyDir
from healthcode.keys import SigningKey
from healthcode.trust import KeyRole
from sync.distribution import Bundle, DocumentType, sign_document
from sync.schemas import StaffMember, StaffRoster


@dataclass(frozen=True)
class Publisher:
    """Who signs what kiosks download: the newest feed key, in the issuer's name."""

    key: SigningKey
    issuer: str

    @classmethod
    def of(cls, keys_dir: Path) -> Publisher:
        keydir = KeyDir(keys_dir)
        return cls(keydir.signing_key(KeyRole.FEED), keydir.issuer.region_code)


def signed_policy(
    session: Session, checkpoint: Checkpoint, publisher: Publisher, now: datetime
) -> bytes:
    policy = checkpoint_policy(session, checkpoint)
    return sign_document(
        DocumentType.POLICY,
        checkpoint_id=checkpoint.id,
        version=policy.policy_version,
        body=policy.model_dump(mode="json"),
        issued_at_utc=now,
        key=publisher.key,
    )


def staff_roster(session: Session, checkpoint: Checkpoint) -> StaffRoster:
    return StaffRoster(
        roster_version=checkpoint.roster_version,
        operators=[
            StaffMember(operator_id=o.id, name=o.name, pin_hash=o.pin_hash)
            for o in operators_of(session, checkpoint.id)
        ],
    )


def signed_roster(
    session: Session, checkpoint: Checkpoint, publisher: Publisher, now: datetime
) -> bytes:
    roster = staff_roster(session, checkpoint)
    return sign_document(
        DocumentType.STAFF_ROSTER,
        checkpoint_id=checkpoint.id,
        version=roster.roster_version,
        body=roster.model_dump(mode="json"),
        issued_at_utc=now,
        key=publisher.key,
    )


def export_bundle(session: Session, checkpoint_id: str, keys_dir: Path, now: datetime) -> bytes:
    """One signed file for a checkpoint's kiosks: trust list, feed snapshot, policy, roster."""
    checkpoint = get_checkpoint(session, checkpoint_id)
    trust_list = latest_trust_list(session)
    if trust_list is None:
        raise LookupError("no trust list: run `central init` first")
    publisher = Publisher.of(keys_dir)
    bundle = Bundle(
        checkpoint_id=checkpoint.id,
        made_at_utc=now.replace(microsecond=0),
        trust_list=trust_list.signed,
        feed=signed_snapshot(session, now, key=publisher.key, publisher=publisher.issuer),
        policy=signed_policy(session, checkpoint, publisher, now),
        roster=signed_roster(session, checkpoint, publisher, now),
    )
    return bundle.sign(publisher.key)
