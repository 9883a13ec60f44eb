"""What central distributes to kiosks, on the wire and in offline bundles (issue 11).

Every item a kiosk decides with is signed, and checked before use:

- the trust list: a COSE_Sign1 by the root key (`healthcode.trust`), checked against the pinned
  root (`TrustAnchor`);
- status-feed deltas and snapshots: COSE_Sign1 by a feed key of the trust list
  (`healthcode.feed.open_signed_batch`);
- the checkpoint's policy and staff roster: a **signed document**, a COSE_Sign1 by a feed key of
  the trust list whose payload is this JSON object (UTF-8, keys sorted):

      {"format": "healthcode-checkpoint/signed-document", "v": 1,
       "type": "policy" | "staff_roster", "checkpoint_id": "...", "version": N,
       "issued_at": "2026-11-23T08:00:00Z", "body": {...}}

  `body` is a `sync.schemas.Policy` or `sync.schemas.StaffRoster` as JSON. The type and the
  checkpoint are inside the signature, so a roster cannot pass as a policy, nor one checkpoint's
  documents as another's; `version` only moves forward at the kiosk.
- an offline bundle: a COSE_Sign1 by a feed key whose payload is a CBOR map
  `{"v": 1, "type": "bundle", "checkpoint_id", "made_at" (epoch s), "trust_list", "feed",
  "policy", "roster"}`, the four items as the signed bytes above; the kiosk checks the outer
  signature and then each item exactly as if it had been downloaded.

HTTP (all signed kiosk requests, `sync.signing`): signed items travel as `application/cose`;
conditional GETs use `ETag` / `If-None-Match` with the tags of `etag()` (the feed's
`etag("feed", N)` stands for "nothing after sequence N": a kiosk at the head gets `304`).
`GET SYNC_PATH` answers a `sync.schemas.SyncState` (JSON, not signed: it only says what to
fetch, and everything fetched is verified): an idle kiosk makes that one request per round.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import cbor2

from healthcode import cose
from healthcode.keys import SigningKey
from healthcode.text import LocalText
from healthcode.timeutil import from_epoch_s, to_epoch_s
from healthcode.trust import KeyRole, TrustList
from sync.schemas import API_PREFIX

TRUST_LIST_PATH = f"{API_PREFIX}/kiosk/trust-list"
FEED_PATH = f"{API_PREFIX}/kiosk/feed"
FEED_SNAPSHOT_PATH = f"{API_PREFIX}/kiosk/feed/snapshot"
FEED_SNAPSHOT_FILE_PATH = f"{API_PREFIX}/kiosk/feed/snapshot-file"  # healthcode.feed_file
# `blocks=columns` on the snapshot file's request: the kiosk reads column blocks (without it,
# as from a kiosk before them, central sends the file's copy in row blocks)
BLOCKS_PARAMETER = "blocks"
COLUMN_BLOCKS = "columns"
POLICY_PATH = f"{API_PREFIX}/kiosk/policy"
ROSTER_PATH = f"{API_PREFIX}/kiosk/roster"
SYNC_PATH = f"{API_PREFIX}/kiosk/sync"  # every copy's freshness at once (issue 28)

COSE_MEDIA_TYPE = "application/cose"
FEED_HEAD_HEADER = "feed-head"  # the newest feed sequence at central, on every feed answer
SNAPSHOT_REQUIRED = "snapshot_required"  # `error` of a 409 answer to GET feed: fetch a snapshot
MAX_FEED_PAGE = 5000  # entries per delta (central.issuance.feed.MAX_BATCH)
SNAPSHOT_WHEN_BEHIND = 100_000  # entries: further behind than this, a snapshot is cheaper

DOCUMENT_FORMAT = "healthcode-checkpoint/signed-document"
DOCUMENT_VERSION = 1
BUNDLE_VERSION = 1


class DocumentType(StrEnum):
    POLICY = "policy"
    STAFF_ROSTER = "staff_roster"


def etag(kind: str, version: int) -> str:
    """The entity tag of a distributed item at a version: `"trust-list-7"`, `"policy-3"`."""
    return f'"{kind}-{version}"'


class DocumentProblem(StrEnum):
    DAMAGED = "damaged"
    UNKNOWN_KEY = "unknown_key"
    NOT_A_FEED_KEY = "not_a_feed_key"
    KEY_COMPROMISED = "key_compromised"
    BAD_SIGNATURE = "bad_signature"
    WRONG_TYPE = "wrong_type"
    WRONG_CHECKPOINT = "wrong_checkpoint"

    @property
    def text(self) -> LocalText:
        return _PROBLEM_TEXT[self]


_PROBLEM_TEXT = {
    DocumentProblem.DAMAGED: LocalText("下发数据已损坏", "The downloaded data is damaged"),
    DocumentProblem.UNKNOWN_KEY: LocalText(
        "下发数据的签名密钥未知", "The downloaded data is signed by an unknown key"
    ),
    DocumentProblem.NOT_A_FEED_KEY: LocalText(
        "下发数据的签名密钥无此权限", "The downloaded data is signed by a key not allowed to"
    ),
    DocumentProblem.KEY_COMPROMISED: LocalText(
        "下发数据的签名密钥已作废", "The downloaded data is signed by a revoked key"
    ),
    DocumentProblem.BAD_SIGNATURE: LocalText(
        "下发数据签名无效", "The downloaded data's signature does not verify"
    ),
    DocumentProblem.WRONG_TYPE: LocalText(
        "下发数据类型不符", "The downloaded data is of the wrong kind"
    ),
    DocumentProblem.WRONG_CHECKPOINT: LocalText(
        "下发数据属于其他卡口", "The downloaded data is for another checkpoint"
    ),
}


class DocumentError(ValueError):
    def __init__(self, problem: DocumentProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class SignedDocument:
    type: DocumentType
    checkpoint_id: str
    version: int
    issued_at_utc: datetime
    body: dict[str, Any]


def sign_document(
    document_type: DocumentType,
    *,
    checkpoint_id: str,
    version: int,
    body: dict[str, Any],
    issued_at_utc: datetime,
    key: SigningKey,
) -> bytes:
    """A signed document (see the module's description), signed with a feed key."""
    payload = {
        "format": DOCUMENT_FORMAT,
        "v": DOCUMENT_VERSION,
        "type": document_type.value,
        "checkpoint_id": checkpoint_id,
        "version": version,
        "issued_at": issued_at_utc.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": body,
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return cose.sign(text.encode("utf-8"), key)


def _verified_payload(data: bytes, trust: TrustList) -> bytes:
    """The payload of a COSE_Sign1 made by a usable feed key of the trust list."""
    try:
        message = cose.decode(data)
    except cose.CoseError as error:
        raise DocumentError(DocumentProblem.DAMAGED, str(error)) from None
    key = trust.key(message.kid) if message.kid is not None else None
    if key is None:
        raise DocumentError(DocumentProblem.UNKNOWN_KEY, "no key in the trust list has this id")
    if key.role is not KeyRole.FEED:
        raise DocumentError(DocumentProblem.NOT_A_FEED_KEY, f"key role is {key.role.value}")
    if key.compromised:
        raise DocumentError(DocumentProblem.KEY_COMPROMISED, "the signing key was revoked")
    if message.algorithm != key.public.algorithm or not message.verify(key.public):
        raise DocumentError(DocumentProblem.BAD_SIGNATURE, "the signature does not verify")
    return message.payload


def open_signed_document(
    data: bytes, trust: TrustList, *, expected: DocumentType, checkpoint_id: str
) -> SignedDocument:
    """Verify a signed policy or roster for this checkpoint. Raises DocumentError."""
    payload = _verified_payload(data, trust)
    try:
        document = json.loads(payload.decode("utf-8"))
        if not isinstance(document, dict) or document.get("format") != DOCUMENT_FORMAT:
            raise ValueError("not a signed document")
        if document.get("v") != DOCUMENT_VERSION:
            raise ValueError(f"not a version {DOCUMENT_VERSION} signed document")
        body = document["body"]
        version = document["version"]
        if not isinstance(body, dict) or not isinstance(version, int) or isinstance(version, bool):
            raise TypeError("body or version of the wrong type")
        issued = datetime.fromisoformat(str(document["issued_at"]).replace("Z", "+00:00"))
        kind = DocumentType(document["type"])
        checkpoint = str(document["checkpoint_id"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise DocumentError(DocumentProblem.DAMAGED, str(error)) from None
    if kind is not expected:
        raise DocumentError(DocumentProblem.WRONG_TYPE, f"a {kind.value}, not a {expected.value}")
    if checkpoint != checkpoint_id:
        raise DocumentError(DocumentProblem.WRONG_CHECKPOINT, f"for checkpoint {checkpoint}")
    return SignedDocument(kind, checkpoint, version, issued.astimezone(UTC), body)


# ---------------------------------------------------------------- offline bundles


@dataclass(frozen=True)
class Bundle:
    """The four signed items of an offline bundle (each still to be verified on its own)."""

    checkpoint_id: str
    made_at_utc: datetime
    trust_list: bytes
    feed: bytes
    policy: bytes
    roster: bytes

    def sign(self, feed_key: SigningKey) -> bytes:
        body = {
            "v": BUNDLE_VERSION,
            "type": "bundle",
            "checkpoint_id": self.checkpoint_id,
            "made_at": to_epoch_s(self.made_at_utc),
            "trust_list": self.trust_list,
            "feed": self.feed,
            "policy": self.policy,
            "roster": self.roster,
        }
        return cose.sign(cbor2.dumps(body), feed_key)


def read_bundle(data: bytes) -> Bundle:
    """The bundle's contents, not yet verified (check the outer signature with `verify_bundle`
    once the trust list is known). Raises DocumentError."""
    try:
        message = cose.decode(data)
        body = cbor2.loads(message.payload)
        if not isinstance(body, dict) or body.get("v") != BUNDLE_VERSION:
            raise ValueError(f"not a version {BUNDLE_VERSION} bundle")
        if body.get("type") != "bundle":
            raise ValueError("not a bundle")
        items = [body[name] for name in ("trust_list", "feed", "policy", "roster")]
        if not all(isinstance(item, bytes) for item in items):
            raise TypeError("bundle items must be bytes")
        bundle = Bundle(
            checkpoint_id=str(body["checkpoint_id"]),
            made_at_utc=from_epoch_s(int(body["made_at"])),
            trust_list=items[0],
            feed=items[1],
            policy=items[2],
            roster=items[3],
        )
    except cose.CoseError as error:
        raise DocumentError(DocumentProblem.DAMAGED, str(error)) from None
    except Exception as error:  # cbor2's decoder errors, missing or mistyped fields
        raise DocumentError(DocumentProblem.DAMAGED, f"not a bundle: {error}") from None
    return bundle


def verify_bundle(data: bytes, trust: TrustList) -> None:
    """Check the bundle's outer signature with a feed key of the trust list."""
    _verified_payload(data, trust)
