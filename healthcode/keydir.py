"""A key directory: one issuer's key hierarchy on disk, for the command line and the demo.

Layout: `keyring.json` (who is who: issuer, key roles and states, the trust list's sequence),
`root.key` / `root.pub` (the root; keep `root.key` offline), `next-root.key` when a rotation
is prepared, `<role>-<kid>.key` for issuer and feed keys, and `binding.key` (the secret of ID
bindings). Private files are created with mode 0600. `imported/<root kid>.trust` and
`imported/<root kid>.pub` are other issuers' published trust lists and their pinned roots
(`healthcode.federation`), merged into every trust list this directory signs.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from healthcode.claims import check_region_code
from healthcode.federation import ImportedList, check_import, merged, open_published_list
from healthcode.identity import BINDING_KEY_LENGTH
from healthcode.keys import Algorithm, KeyFormatError, PublicKey, SigningKey, write_private_file
from healthcode.text import LocalText
from healthcode.timeutil import from_epoch_s, to_epoch_s
from healthcode.trust import Issuer, KeyRole, TrustedKey, TrustList

RING_FILE = "keyring.json"
ROOT_KEY = "root.key"
ROOT_PUB = "root.pub"
NEXT_ROOT_KEY = "next-root.key"
BINDING_KEY = "binding.key"
IMPORTED = "imported"


class KeyDirError(ValueError):
    """A key directory that is missing, incomplete or asked for something it cannot do."""


@dataclass
class _KeyRecord:
    kid: str
    role: KeyRole
    file: str
    valid_from: int
    signing_ends: int | None = None
    compromised: int | None = None


class KeyDir:
    def __init__(self, path: Path) -> None:
        self.path = path
        ring = path / RING_FILE
        if not ring.is_file():
            raise KeyDirError(f"{path} is not a key directory (no {RING_FILE})")
        data = json.loads(ring.read_text(encoding="utf-8"))
        self.issuer = Issuer(data["issuer"], LocalText(data["name_zh"], data["name_en"]))
        self.sequence: int = data["sequence"]
        self._records = [
            _KeyRecord(
                kid=r["kid"],
                role=KeyRole(r["role"]),
                file=r["file"],
                valid_from=r["valid_from"],
                signing_ends=r.get("signing_ends"),
                compromised=r.get("compromised"),
            )
            for r in data["keys"]
        ]

    @classmethod
    def create(
        cls,
        path: Path,
        issuer: Issuer,
        now: datetime,
        algorithm: Algorithm = Algorithm.EDDSA,
    ) -> KeyDir:
        check_region_code(issuer.region_code)
        if (path / RING_FILE).exists():
            raise KeyDirError(f"{path} already holds keys; refusing to overwrite them")
        path.mkdir(parents=True, exist_ok=True)
        root = SigningKey.generate(algorithm)
        root.save(path / ROOT_KEY)
        _write_public(path / ROOT_PUB, root.public)
        write_private_file(path / BINDING_KEY, secrets.token_bytes(BINDING_KEY_LENGTH))
        ring: dict[str, Any] = {
            "issuer": issuer.region_code,
            "name_zh": issuer.name.zh,
            "name_en": issuer.name.en,
            "sequence": 0,
            "keys": [],
        }
        (path / RING_FILE).write_text(json.dumps(ring, indent=2), encoding="utf-8")
        keydir = cls(path)
        keydir.add_key(KeyRole.ISSUER, now, algorithm)
        keydir.add_key(KeyRole.FEED, now, algorithm)
        return keydir

    def add_key(
        self, role: KeyRole, now: datetime, algorithm: Algorithm = Algorithm.EDDSA
    ) -> SigningKey:
        key = SigningKey.generate(algorithm)
        file = f"{role.value}-{key.kid.hex()}.key"
        key.save(self.path / file)
        self._records.append(_KeyRecord(key.kid.hex(), role, file, to_epoch_s(now)))
        self._save()
        return key

    def root(self) -> SigningKey:
        return SigningKey.load(self.path / ROOT_KEY)

    def root_public(self) -> PublicKey:
        return load_public(self.path / ROOT_PUB)

    def binding_key(self) -> bytes:
        return (self.path / BINDING_KEY).read_bytes()

    def signing_key(self, role: KeyRole, kid_hex: str | None = None) -> SigningKey:
        """The newest usable key of a role, or the one named."""
        usable = [
            r
            for r in self._records
            if r.role is role and r.compromised is None and r.signing_ends is None
        ]
        if kid_hex is not None:
            usable = [r for r in usable if r.kid == kid_hex]
        if not usable:
            raise KeyDirError(f"no usable {role.value} key" + (f" {kid_hex}" if kid_hex else ""))
        return SigningKey.load(self.path / usable[-1].file)

    def retire(self, kid_hex: str, at: datetime) -> None:
        self._record(kid_hex).signing_ends = to_epoch_s(at)
        self._save()

    def revoke(self, kid_hex: str, at: datetime) -> None:
        self._record(kid_hex).compromised = to_epoch_s(at)
        self._save()

    def prepare_root_rotation(self) -> PublicKey:
        """Create the next root key (once); trust lists signed from now on name it."""
        path = self.path / NEXT_ROOT_KEY
        if path.exists():
            return SigningKey.load(path).public
        key = SigningKey.generate(self.root().algorithm)
        key.save(path)
        return key.public

    def next_root_public(self) -> PublicKey | None:
        path = self.path / NEXT_ROOT_KEY
        return SigningKey.load(path).public if path.exists() else None

    def promote_next_root(self) -> None:
        """Make the prepared next root the root; the old root key is kept as `root-<kid>.old`."""
        next_path = self.path / NEXT_ROOT_KEY
        if not next_path.exists():
            raise KeyDirError("no next root key: sign a trust list with --next-root first")
        old = self.root()
        os.replace(self.path / ROOT_KEY, self.path / f"root-{old.kid.hex()}.old")
        os.replace(next_path, self.path / ROOT_KEY)
        (self.path / ROOT_PUB).unlink()
        _write_public(self.path / ROOT_PUB, self.root().public)

    def trust_list(self, now: datetime) -> TrustList:
        """The next trust list of this issuer (its sequence is taken and saved)."""
        self.sequence += 1
        self._save()
        keys = tuple(
            TrustedKey(
                public=SigningKey.load(self.path / r.file).public,
                issuer=self.issuer.region_code,
                role=r.role,
                valid_from_utc=from_epoch_s(r.valid_from),
                signing_ends_at_utc=from_epoch_s(r.signing_ends) if r.signing_ends else None,
                compromised_at_utc=from_epoch_s(r.compromised) if r.compromised else None,
            )
            for r in self._records
        )
        own = TrustList(
            sequence=self.sequence,
            issued_at_utc=now,
            issuers=(self.issuer,),
            keys=keys,
            next_root=self.next_root_public(),
        )
        return merged(own, self.imported())

    def imported(self) -> list[ImportedList]:
        """Other issuers' lists imported here, each verified again against its pinned root."""
        folder = self.path / IMPORTED
        if not folder.is_dir():
            return []
        return [
            open_published_list(path.read_bytes(), load_public(path.with_suffix(".pub")))
            for path in sorted(folder.glob("*.trust"))
        ]

    def import_trust_list(
        self, data: bytes, pinned_root: PublicKey
    ) -> tuple[ImportedList, ImportedList | None]:
        """Import another issuer's published list (verified against its pinned root); the list
        and the earlier import it replaced. Raises TrustListError or TrustImportError."""
        candidate = open_published_list(data, pinned_root)
        previous = check_import(candidate, self.issuer, self.imported())
        folder = self.path / IMPORTED
        folder.mkdir(exist_ok=True)
        name = candidate.root.kid.hex()
        _write_public(folder / f"{name}.pub", candidate.root)
        temporary = folder / f"{name}.trust.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, folder / f"{name}.trust")
        return candidate, previous

    def remove_import(self, region_code: str) -> ImportedList:
        """Stop recognising the imported list that names this region (all of its issuers)."""
        for imported in self.imported():
            if any(i.region_code == region_code for i in imported.issuers):
                name = imported.root.kid.hex()
                (self.path / IMPORTED / f"{name}.trust").unlink()
                (self.path / IMPORTED / f"{name}.pub").unlink()
                return imported
        raise KeyDirError(f"no imported trust list names region {region_code}")

    def _record(self, kid_hex: str) -> _KeyRecord:
        for record in self._records:
            if record.kid == kid_hex:
                return record
        raise KeyDirError(f"no key {kid_hex} in {self.path}")

    def _save(self) -> None:
        ring = {
            "issuer": self.issuer.region_code,
            "name_zh": self.issuer.name.zh,
            "name_en": self.issuer.name.en,
            "sequence": self.sequence,
            "keys": [
                {
                    "kid": r.kid,
                    "role": r.role.value,
                    "file": r.file,
                    "valid_from": r.valid_from,
                    "signing_ends": r.signing_ends,
                    "compromised": r.compromised,
                }
                for r in self._records
            ],
        }
        temporary = self.path / (RING_FILE + ".tmp")
        temporary.write_text(json.dumps(ring, indent=2), encoding="utf-8")
        os.replace(temporary, self.path / RING_FILE)


def load_public(path: Path) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except ValueError as error:
        raise KeyFormatError(f"{path} is not a PEM public key: {error}") from None
    return PublicKey.from_spki(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _write_public(path: Path, key: PublicKey) -> None:
    path.unlink(missing_ok=True)
    path.write_bytes(
        key.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
