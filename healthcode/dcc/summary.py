"""What staff see of a verified DCC: a `ForeignCertificate` summary (type, dates, name)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from healthcode.dcc.steps import TYPE_KEYS, DccClaims
from healthcode.identity import mask_name
from healthcode.results import ForeignCertificate, ForeignCertificateType

TEST_NOT_DETECTED = "260415000"
TEST_DETECTED = "260373001"
_MAX_NAME_LENGTH = 80


def summarise(claims: DccClaims, kind: ForeignCertificateType) -> ForeignCertificate:
    """What staff see; tolerant of odd values (they were already schema-checked)."""
    payload = claims.payload
    entry: Mapping[str, Any] = payload[next(k for k, v in TYPE_KEYS.items() if v is kind)][0]
    raw_names = payload.get("nam")
    names: Mapping[str, Any] = raw_names if isinstance(raw_names, Mapping) else {}
    given = _text(names.get("gn")) or _text(names.get("gnt"))
    family = _text(names.get("fn")) or _text(names.get("fnt"))
    holder = " ".join(part for part in (given, family) if part)[:_MAX_NAME_LENGTH]
    identifier = _text(entry.get("ci"))
    country = _text(entry.get("co")) or claims.issuer or ""
    detected = None
    if entry.get("tr") in (TEST_DETECTED, TEST_NOT_DETECTED):
        detected = entry.get("tr") == TEST_DETECTED
    return ForeignCertificate(
        certificate_type=kind,
        issuing_country=country.upper()[:2],
        holder_name=holder,
        date_of_birth=_text(payload.get("dob")),
        masked_name=" ".join(mask_name(part) for part in holder.split()),
        code_id=hashlib.sha256(identifier.encode("utf-8")).digest()[:16],
        issued_at_utc=claims.issued_at_utc,
        expires_at_utc=claims.expires_at_utc,
        vaccination_date=_date(entry.get("dt")),
        dose_number=_int(entry.get("dn")),
        total_doses=_int(entry.get("sd")),
        test_sampled_at_utc=_datetime(entry.get("sc")),
        test_detected=detected,
        test_type=_text(entry.get("tt")) or None,
        recovery_first_positive=_date(entry.get("fr")),
        recovery_valid_from=_date(entry.get("df")),
        recovery_valid_until=_date(entry.get("du")),
        certificate_issuer=_text(entry.get("is"))[:_MAX_NAME_LENGTH],
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
