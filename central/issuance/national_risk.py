"""The national list of risk areas (issue 26): a signed document, imported from a file or polled
from a URL, applied to travel declarations.

A province's administrator may set levels only inside the province (`area_risks`, 403 outside):
a traveller from Wuhan (420100) stays green until the national list says Wuhan is high risk. The
list arrives as COSE_Sign1 (the same envelope as our codes and trust lists) over CBOR
`{"v": 1, "kind": "national_risk_areas", "seq": n, "issued_at": epoch seconds,
"areas": [[code, level], ...]}`, the whole list each time, signed by the publisher's key, which
the settings pin (`national_risk_key_file`, a PEM public key): a list signed by any other key,
damaged, or not newer than the one in force is refused and changes nothing.

Importing replaces the national areas, records the list, and queues one recompute job over every
area whose level changed (added, removed or moved; `recompute_jobs.areas`), worked in batches
like any area change (`central.issuance.recompute`). The levels the rules see
(`effective_levels`) are the province's own settings, plus the national areas outside the
province, plus those inside it that no setting of the province covers (the area itself or an
area above it): inside its area the province's own settings win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import cbor2
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from central.core.errors import RefusedError
from central.core.models import AreaRisk, NationalRiskArea, NationalRiskList, RecomputeJob
from central.core.regions import RegionCodeError, contains, level_of, parent_of
from central.issuance.rules import RiskLevel
from central.issuance.transactions import retrying
from healthcode import cose
from healthcode.keys import PublicKey, SigningKey
from healthcode.timeutil import from_epoch_s, to_epoch_s

LIST_VERSION = 1
LIST_KIND = "national_risk_areas"
MAX_AREAS = 100_000
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024


class NationalListError(RefusedError, ValueError):
    """A national list that cannot be used; the list in force stays. `kind` names the
    problem for the pages' words (`central.web.national_words`): one of PROBLEMS."""

    status_code = 422

    def __init__(self, message: str, kind: str = "damaged") -> None:
        super().__init__(message)
        self.kind = kind


# What can be wrong with a list, as the pages name it.
PROBLEMS = (
    "too_large",
    "not_signed",
    "wrong_key",
    "bad_signature",
    "damaged",
    "not_newer",
    "no_key",
)


@dataclass(frozen=True)
class NationalRiskDocument:
    sequence: int
    issued_at_utc: datetime
    areas: Mapping[str, RiskLevel]

    def encode(self) -> bytes:
        return cbor2.dumps(
            {
                "v": LIST_VERSION,
                "kind": LIST_KIND,
                "seq": self.sequence,
                "issued_at": to_epoch_s(self.issued_at_utc),
                "areas": [[code, level.value] for code, level in sorted(self.areas.items())],
            }
        )

    def sign(self, key: SigningKey) -> bytes:
        """The signed document (the publisher's side; tests and the bench make lists so)."""
        return cose.sign(self.encode(), key)


def open_document(data: bytes, publisher: PublicKey) -> NationalRiskDocument:
    """Verify and read a signed list. Raises NationalListError saying what is wrong."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise NationalListError(
            f"the document is larger than {MAX_DOCUMENT_BYTES} bytes", "too_large"
        )
    try:
        message = cose.decode(data)
    except cose.CoseError as error:
        raise NationalListError(f"not a signed document: {error}", "not_signed") from None
    if message.kid != publisher.kid:
        raise NationalListError("signed by another key than the pinned publisher key", "wrong_key")
    if message.algorithm != publisher.algorithm or not message.verify(publisher):
        raise NationalListError("the signature does not verify", "bad_signature")
    try:
        body = cbor2.loads(message.payload)
        if not isinstance(body, dict) or body.get("v") != LIST_VERSION:
            raise ValueError(f"not a version {LIST_VERSION} document")
        if body.get("kind") != LIST_KIND:
            raise ValueError(f"not a list of {LIST_KIND}")
        entries = body["areas"]
        if not isinstance(entries, list) or len(entries) > MAX_AREAS:
            raise ValueError(f"areas must be a list of at most {MAX_AREAS}")
        areas: dict[str, RiskLevel] = {}
        for code, level in entries:
            level_of(str(code))  # a GB/T 2260 code of one of the six levels
            areas[str(code)] = RiskLevel(level)
        return NationalRiskDocument(
            sequence=_int(body["seq"]),
            issued_at_utc=from_epoch_s(_int(body["issued_at"])),
            areas=areas,
        )
    except (ValueError, KeyError, TypeError, RegionCodeError) as error:
        raise NationalListError(f"the list is damaged: {error}") from None
    except Exception as error:  # cbor2's decoder errors
        raise NationalListError(f"the list is not CBOR: {error}") from None


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class ImportResult:
    sequence: int
    areas: int
    changed_areas: int
    job_id: str | None  # the recompute job, None when no level changed


def import_list(
    sessions: sessionmaker[Session],
    data: bytes,
    publisher: PublicKey,
    own_area: str,
    now: datetime,
    *,
    source: str,
    actor: str = "system",
) -> ImportResult:
    """Verify, store and apply a national list; the job that recomputes the people it affects.
    Raises NationalListError (nothing changes)."""
    document = open_document(data, publisher)

    def work(session: Session) -> ImportResult:
        latest = session.scalar(
            select(NationalRiskList.sequence).order_by(NationalRiskList.sequence.desc()).limit(1)
        )
        if latest is not None and document.sequence <= latest:
            raise NationalListError(
                f"list {document.sequence} is not newer than list {latest} in force", "not_newer"
            )
        before = {
            code: level
            for code, level in session.execute(
                select(NationalRiskArea.area_code, NationalRiskArea.level)
            )
        }
        after = {code: level.value for code, level in document.areas.items()}
        changed = sorted(
            code for code in before.keys() | after.keys() if before.get(code) != after.get(code)
        )
        session.execute(delete(NationalRiskArea))
        if after:
            session.execute(
                insert(NationalRiskArea),
                [{"area_code": code, "level": level} for code, level in after.items()],
            )
        job_id = None
        if changed:
            job = RecomputeJob(
                area_code="",
                areas=changed,
                reason=f"national_risk:{document.sequence}"[:64],
                status="pending",
                cursor="",
                processed=0,
                changed=0,
                total=0,
                created_by=actor[:36] if actor != "system" else None,
                created_at=now,
            )
            session.add(job)
            session.flush()
            job_id = job.id
        session.add(
            NationalRiskList(
                sequence=document.sequence,
                issued_at=document.issued_at_utc,
                imported_at=now,
                source=source[:255],
                areas=len(after),
                own_area=own_area,
                job_id=job_id,
                publisher=publisher.kid.hex(),
                imported_by=None if actor == "system" else actor[:36],
            )
        )
        return ImportResult(document.sequence, len(after), len(changed), job_id)

    return retrying(sessions, work)


def effective_levels(session: Session) -> dict[str, RiskLevel]:
    """The levels the colour rules see: the province's own, the national list's outside the
    province, and inside it only where no setting of the province covers the area."""
    own = {
        code: RiskLevel(level)
        for code, level in session.execute(select(AreaRisk.area_code, AreaRisk.level))
    }
    national = session.execute(select(NationalRiskArea.area_code, NationalRiskArea.level)).all()
    if not national:
        return own
    own_area = session.scalar(
        select(NationalRiskList.own_area).order_by(NationalRiskList.sequence.desc()).limit(1)
    )
    levels = dict(own)
    for code, level in national:
        if own_area and contains(own_area, code) and _covered(code, own):
            continue
        levels.setdefault(code, RiskLevel(level))
    return levels


def _covered(code: str, own: Mapping[str, Any]) -> bool:
    """Whether the province set a level on this area or on an area above it."""
    current: str | None = code
    while current is not None:
        if current in own:
            return True
        try:
            current = parent_of(current)
        except RegionCodeError:
            return False
    return False


def latest_list(session: Session) -> NationalRiskList | None:
    return session.scalars(
        select(NationalRiskList).order_by(NationalRiskList.sequence.desc()).limit(1)
    ).first()
