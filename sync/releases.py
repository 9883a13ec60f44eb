"""Signed kiosk releases (issue 15): the manifest and its signature
(the kiosk's download client is `kiosk.client.releases`).

A release is an archive (a `.tar.gz` or `.zip` of the kiosk folder) and a **manifest** that
names it: version (PEP 440), platform, the archive's SHA-256 and size, when it was made, the
oldest store schema it can migrate forward from, the program to start inside the archive, and
release notes. The manifest is signed with central's **release key** (Ed25519), a key of its
own: the code-signing keys of the trust list never sign software, and the release key never
signs codes. On the wire the signed manifest is this JSON object:

    {"format": "healthcode-kiosk/release", "v": 1,
     "manifest": "<base64 of the manifest's JSON bytes>",
     "key_id": "<hex id of the release key>", "signature": "<base64 Ed25519 signature>"}

The signature covers the manifest bytes exactly as sent. A kiosk trusts the release public keys
it was installed with (`<install root>/release-keys/*.pem`); a manifest signed by any other
key is refused (`unknown_key`) before anything else is read from it.

HTTP (signed kiosk requests, `sync.signing`): `GET /api/v1/releases/latest?platform=P` answers
the newest signed manifest (404 when none), `GET /api/v1/releases/{version}/archive?platform=P`
the archive, with its SHA-256 in `ETag` and `archive-sha256`.
"""

from __future__ import annotations

import hashlib
import json
import platform as platform_module
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from healthcode.keys import Algorithm, PublicKey, SigningKey
from sync.b64 import decode_base64, encode_base64
from sync.schemas import API_PREFIX

RELEASES_PATH = f"{API_PREFIX}/releases"
LATEST_PATH = f"{RELEASES_PATH}/latest"
ARCHIVE_SHA256_HEADER = "archive-sha256"
MANIFEST_FORMAT = "healthcode-kiosk/release"
MANIFEST_VERSION = 1
MAX_MANIFEST_BYTES = 64 * 1024
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


def archive_path(version: str) -> str:
    return f"{RELEASES_PATH}/{version}/archive"


class ReleaseError(Exception):
    """A release that must not be installed. `reason` is a stable code: `bad_format`,
    `unknown_key`, `bad_signature`, `wrong_platform`, `downgrade`, `refused_before`,
    `store_too_old`,
    `size_mismatch`, `digest_mismatch`, `bad_archive`, `network`, `http_<status>`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def current_platform() -> str:
    """`linux-x86_64`, `linux-aarch64`, `windows-amd64`...: what a release is built for."""
    system = "windows" if sys.platform == "win32" else sys.platform
    return f"{system}-{platform_module.machine().lower()}"


def parse_version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise ReleaseError("bad_format", f"{text!r} is not a version (PEP 440)") from None


def is_newer(candidate: str, installed: str) -> bool:
    return parse_version(candidate) > parse_version(installed)


@dataclass(frozen=True)
class ReleaseManifest:
    version: str  # PEP 440 (semantic versions like 1.2.3 are valid)
    platform: str  # `current_platform()` of the kiosks it is for
    archive_name: str
    archive_sha256: str  # lowercase hex
    archive_size_bytes: int
    created_at_utc: datetime
    min_store_schema: int  # the oldest kiosk database (user_version) it migrates forward from
    entry: str  # the program inside the archive, e.g. "kiosk/kiosk" ("/"-separated)
    notes: str = ""

    def to_bytes(self) -> bytes:
        fields = asdict(self)
        fields["created_at_utc"] = self.created_at_utc.astimezone(UTC).isoformat()
        return json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> ReleaseManifest:
        try:
            fields = json.loads(data)
            manifest = cls(
                version=str(fields["version"]),
                platform=str(fields["platform"]),
                archive_name=str(fields["archive_name"]),
                archive_sha256=str(fields["archive_sha256"]).lower(),
                archive_size_bytes=int(fields["archive_size_bytes"]),
                created_at_utc=datetime.fromisoformat(fields["created_at_utc"]),
                min_store_schema=int(fields["min_store_schema"]),
                entry=str(fields["entry"]),
                notes=str(fields.get("notes", "")),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ReleaseError("bad_format", f"the manifest cannot be read: {error}") from None
        parse_version(manifest.version)
        if len(manifest.archive_sha256) != 64 or manifest.archive_size_bytes < 0:
            raise ReleaseError("bad_format", "the manifest's archive digest or size is not valid")
        entry = Path(manifest.entry)
        if entry.is_absolute() or ".." in entry.parts or not manifest.entry:
            raise ReleaseError("bad_format", f"entry {manifest.entry!r} is not inside the archive")
        return manifest


def sign_manifest(manifest: ReleaseManifest, key: SigningKey) -> bytes:
    """The signed manifest as sent to kiosks (see the module's docstring)."""
    if key.algorithm is not Algorithm.EDDSA:
        raise ReleaseError("bad_format", "release keys are Ed25519")
    payload = manifest.to_bytes()
    envelope = {
        "format": MANIFEST_FORMAT,
        "v": MANIFEST_VERSION,
        "manifest": encode_base64(payload),
        "key_id": key.kid.hex(),
        "signature": encode_base64(key.sign(payload)),
    }
    return json.dumps(envelope, sort_keys=True).encode("ascii")


def verify_manifest(signed: bytes, trusted: Sequence[PublicKey]) -> ReleaseManifest:
    """The manifest, if one of the `trusted` release keys signed it; ReleaseError otherwise."""
    payload, signature, key_id = _open_envelope(signed)
    keys = [key for key in trusted if key.kid == key_id and key.algorithm is Algorithm.EDDSA]
    if not keys:
        known = ", ".join(key.kid.hex() for key in trusted) or "none"
        raise ReleaseError(
            "unknown_key",
            f"signed by key {key_id.hex()}, which is not a trusted release key (trusted: {known})",
        )
    if not keys[0].verify(signature, payload):
        raise ReleaseError("bad_signature", f"the signature by key {key_id.hex()} does not verify")
    return ReleaseManifest.from_bytes(payload)


def installed_manifest(signed: bytes) -> ReleaseManifest:
    """The manifest of a version verified when it was staged, read again without checking the
    signature: an installed version keeps starting after its release key is retired."""
    return ReleaseManifest.from_bytes(_open_envelope(signed)[0])


def _open_envelope(signed: bytes) -> tuple[bytes, bytes, bytes]:
    """(manifest bytes, signature, key id) of a signed manifest, unverified."""
    if len(signed) > MAX_MANIFEST_BYTES:
        raise ReleaseError("bad_format", f"the signed manifest is over {MAX_MANIFEST_BYTES} bytes")
    try:
        envelope: dict[str, Any] = json.loads(signed)
        if envelope.get("format") != MANIFEST_FORMAT or envelope.get("v") != MANIFEST_VERSION:
            raise ValueError(f"format {envelope.get('format')!r} v{envelope.get('v')!r}")
        payload = decode_base64(envelope["manifest"])
        signature = decode_base64(envelope["signature"])
        key_id = bytes.fromhex(str(envelope["key_id"]))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ReleaseError("bad_format", f"not a signed release manifest: {error}") from None
    return payload, signature, key_id


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def check_archive(path: Path, manifest: ReleaseManifest) -> None:
    """The archive file is exactly the one the manifest names (size, then SHA-256)."""
    size = path.stat().st_size
    if size != manifest.archive_size_bytes:
        raise ReleaseError(
            "size_mismatch",
            f"{path.name} has {size} bytes, the manifest says {manifest.archive_size_bytes}",
        )
    actual = file_sha256(path)
    if actual != manifest.archive_sha256:
        raise ReleaseError(
            "digest_mismatch",
            f"{path.name} has SHA-256 {actual[:16]}..., the manifest says "
            f"{manifest.archive_sha256[:16]}...",
        )


def trusted_keys(pems: Iterable[bytes]) -> list[PublicKey]:
    """Release public keys from PEM (SubjectPublicKeyInfo) texts."""
    from cryptography.hazmat.primitives import serialization

    keys: list[PublicKey] = []
    for pem in pems:
        loaded = serialization.load_pem_public_key(pem)
        spki = loaded.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        keys.append(PublicKey.from_spki(spki))
    return keys
