"""The DCC's signing certificates: document signer certificates (DSCs) and the trust file that
lists the ones a kiosk recognises.

A DSC's key id is the first 8 bytes of the SHA-256 of its DER. A DSC may restrict what it signs
by extended key usage OIDs 1.3.6.1.4.1.1847.2021.1.1 (test), .2 (vaccination) and .3
(recovery); a DSC with none of them may sign every type.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509

from healthcode.keys import Algorithm, KeyFormatError, PublicKey
from healthcode.results import ForeignCertificateType

KID_LENGTH = 8
ALGORITHMS = frozenset({Algorithm.ES256, Algorithm.PS256})

# Extended key usage per certificate type; the `.0.` spelling was used by early signers and is
# accepted by the reference test harness too.
KEY_USAGE_OIDS: Mapping[ForeignCertificateType, frozenset[str]] = {
    ForeignCertificateType.TEST: frozenset(
        {"1.3.6.1.4.1.1847.2021.1.1", "1.3.6.1.4.1.0.1847.2021.1.1"}
    ),
    ForeignCertificateType.VACCINATION: frozenset(
        {"1.3.6.1.4.1.1847.2021.1.2", "1.3.6.1.4.1.0.1847.2021.1.2"}
    ),
    ForeignCertificateType.RECOVERY: frozenset(
        {"1.3.6.1.4.1.1847.2021.1.3", "1.3.6.1.4.1.0.1847.2021.1.3"}
    ),
}
DCC_KEY_USAGE_OIDS = frozenset().union(*KEY_USAGE_OIDS.values())


class DccTrustError(ValueError):
    """A DCC trust file or certificate that cannot be used."""


def kid_of_certificate(der: bytes) -> bytes:
    """A DCC key id: the first 8 bytes of the SHA-256 of the signing certificate's DER."""
    return hashlib.sha256(der).digest()[:KID_LENGTH]


@dataclass(frozen=True)
class DccSigner:
    """One document signer certificate (DSC): its key, validity and allowed certificate types."""

    kid: bytes
    public: PublicKey = field(repr=False)
    not_before_utc: datetime
    not_after_utc: datetime
    key_usages: frozenset[str]  # the certificate's extended key usage OIDs (dotted)
    country: str | None = None  # ISO 3166-1 alpha-2 of the issuing country, when known
    der: bytes = field(default=b"", repr=False, compare=False)

    @classmethod
    def from_der(cls, der: bytes, country: str | None = None) -> DccSigner:
        try:
            certificate = x509.load_der_x509_certificate(der)
        except ValueError as error:
            raise DccTrustError(f"not a DER X.509 certificate: {error}") from None
        kid = kid_of_certificate(der)
        try:
            public = PublicKey.from_key(certificate.public_key(), kid=kid)  # type: ignore[arg-type]
        except KeyFormatError as error:
            raise DccTrustError(str(error)) from None
        if public.algorithm not in ALGORITHMS:
            raise DccTrustError(f"a DCC signer key is ES256 or PS256, not {public.algorithm.name}")
        usages = _key_usages(certificate, der)
        return cls(
            kid=kid,
            public=public,
            not_before_utc=certificate.not_valid_before_utc,
            not_after_utc=certificate.not_valid_after_utc,
            key_usages=usages,
            country=country.upper() if country else None,
            der=der,
        )

    def may_sign(self, certificate_type: ForeignCertificateType) -> bool:
        """A signer with any DCC key-usage OID signs only the types it names; other extended key
        usages (e.g. a generic one) restrict it to none of the DCC types, as in the reference
        harness; a signer without the extension signs every type."""
        if not self.key_usages:
            return True
        return bool(self.key_usages & KEY_USAGE_OIDS[certificate_type])


def _key_usages(certificate: x509.Certificate, der: bytes) -> frozenset[str]:
    """The extended key usage OIDs. Some signers wrote an empty extension (\"no OID present\",
    corpus case CO15), which cryptography refuses to parse; then the DER is read directly."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return frozenset()
    except ValueError:
        return _key_usages_from_der(der)
    return frozenset(oid.dotted_string for oid in usage)


_EKU_OID = bytes.fromhex("551d25")  # 2.5.29.37, extended key usage
_DER_SEQUENCE, _DER_OID, _DER_OCTETS, _DER_EXTENSIONS = 0x30, 0x06, 0x04, 0xA3


def _der_items(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The (tag, content) items of concatenated DER; raises DccTrustError when malformed."""
    index = 0
    while index < len(data):
        if index + 2 > len(data):
            raise DccTrustError("truncated DER")
        tag, length = data[index], data[index + 1]
        index += 2
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 4 or index + count > len(data):
                raise DccTrustError("bad DER length")
            length = int.from_bytes(data[index : index + count], "big")
            index += count
        if index + length > len(data):
            raise DccTrustError("truncated DER")
        yield tag, data[index : index + length]
        index += length


def _oid_text(content: bytes) -> str:
    first, *rest = content or b"\x00"
    parts = [str(min(first // 40, 2)), str(first - 40 * min(first // 40, 2))]
    value = 0
    for byte in rest:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(str(value))
            value = 0
    return ".".join(parts)


def _key_usages_from_der(der: bytes) -> frozenset[str]:
    ((_, certificate),) = [item for item in _der_items(der) if item[0] == _DER_SEQUENCE][:1]
    tbs = next(content for tag, content in _der_items(certificate) if tag == _DER_SEQUENCE)
    for tag, wrapped in _der_items(tbs):
        if tag != _DER_EXTENSIONS:
            continue
        for _, extensions in _der_items(wrapped):
            for _, extension in _der_items(extensions):
                fields = list(_der_items(extension))
                if fields and fields[0] == (_DER_OID, _EKU_OID):
                    value = next(content for tag, content in fields if tag == _DER_OCTETS)
                    usages = [
                        _oid_text(oid)
                        for _, sequence in _der_items(value)
                        for tag, oid in _der_items(sequence)
                        if tag == _DER_OID
                    ]
                    return frozenset(usages)
    return frozenset()


@dataclass(frozen=True)
class DccTrustList:
    """The trusted DCC signing certificates by key id (a key id may name several certificates).

    File format (JSON, UTF-8): either a list of entries or an object with a `certificates` list.
    Each entry: `certificate` (required: base64 of the DER X.509 certificate), `country`
    (optional: ISO 3166-1 alpha-2 of the issuing country) and `kid` (optional: base64 of the
    8-byte key id; when present it must equal the first 8 bytes of the certificate's SHA-256).
    An entry that cannot be used makes the whole file refused, so a kiosk keeps its old list.
    """

    signers: tuple[DccSigner, ...] = ()

    def __post_init__(self) -> None:
        index: dict[bytes, tuple[DccSigner, ...]] = {}
        for signer in self.signers:
            index[signer.kid] = (*index.get(signer.kid, ()), signer)
        object.__setattr__(self, "_by_kid", index)

    def signers_for(self, kid: bytes) -> tuple[DccSigner, ...]:
        by_kid: dict[bytes, tuple[DccSigner, ...]] = getattr(self, "_by_kid")  # noqa: B009
        return by_kid.get(kid, ())

    def __len__(self) -> int:
        return len(self.signers)

    @classmethod
    def from_certificates(cls, certificates: Iterable[tuple[bytes, str | None]]) -> DccTrustList:
        """From (DER, country) pairs."""
        return cls(tuple(DccSigner.from_der(der, country) for der, country in certificates))

    @classmethod
    def from_json(cls, data: bytes | str) -> DccTrustList:
        try:
            document = json.loads(data)
        except ValueError as error:
            raise DccTrustError(f"not JSON: {error}") from None
        entries = document.get("certificates") if isinstance(document, dict) else document
        if not isinstance(entries, list):
            raise DccTrustError("expected a list of certificates")
        signers = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("certificate"), str):
                raise DccTrustError(f"entry {number}: no base64 `certificate`")
            country = entry.get("country")
            if country is not None and not (isinstance(country, str) and len(country) == 2):
                raise DccTrustError(f"entry {number}: `country` is a two-letter code")
            try:
                der = base64.b64decode(entry["certificate"], validate=True)
                kid = base64.b64decode(entry["kid"], validate=True) if "kid" in entry else None
            except (binascii.Error, TypeError) as error:
                raise DccTrustError(f"entry {number}: bad base64: {error}") from None
            try:
                signer = DccSigner.from_der(der, country)
            except DccTrustError as error:
                raise DccTrustError(f"entry {number}: {error}") from None
            if kid is not None and kid != signer.kid:
                raise DccTrustError(f"entry {number}: `kid` is not the certificate's key id")
            signers.append(signer)
        return cls(tuple(signers))

    @classmethod
    def load(cls, path: Path) -> DccTrustList:
        return cls.from_json(path.read_bytes())

    def to_json(self) -> str:
        return json.dumps(
            {
                "certificates": [
                    {
                        "kid": base64.b64encode(signer.kid).decode(),
                        "country": signer.country,
                        "certificate": base64.b64encode(signer.der).decode(),
                    }
                    for signer in self.signers
                ]
            },
            indent=1,
        )
