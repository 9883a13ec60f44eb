"""A kiosk enrolls with a one-time code and receives everything it needs to work offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from healthcode.keydir import KeyDir
from healthcode.trust import TrustAnchor
from kiosk.client.enrollment import EnrollmentError, enroll
from kiosk.client.identity import IDENTITY_FILE, POLICY_FILE, KioskIdentity
from kiosk.client.roster_file import SEALED_ROSTER_FILE, load_roster
from sync.schemas import ENROLLMENTS_PATH, CheckpointType, possession_message
from tests.central.conftest import SERVER, Central
from tests.central.kiosks import enrolled_kiosk


def test_a_kiosk_enrolls_and_receives_its_identity_trust_list_policy_keys_and_roster(
    central: Central, tmp_path: Path
) -> None:
    checkpoint_id = central.register_checkpoint(checkpoint_type="pharmacy", name="大药房")
    added = central.post(
        f"/api/v1/checkpoints/{checkpoint_id}/operators", {"name": "王芳", "pin": "246813"}
    )
    assert added.status_code == 201, added.text
    code = central.enrollment_code(checkpoint_id)

    enrollment = enroll(central.client, SERVER, code, tmp_path / "kiosk")

    response = enrollment.response
    keys = KeyDir(central.settings.resolved_keys_dir)
    assert response.checkpoint.checkpoint_id == checkpoint_id
    assert response.root_public_key == keys.root_public().spki()
    anchor = TrustAnchor(keys.root_public())
    assert anchor.accept(response.trust_list).issuers[0].region_code == "610000"
    assert response.policy.checkpoint_type is CheckpointType.PHARMACY
    assert response.policy.rules["record_purchase"] is True
    assert response.policy.rules["fever_threshold_celsius"] == 37.3
    [binding] = enrollment.binding_keys.keys
    assert (binding.issuer, binding.key) == ("610000", keys.binding_key())
    [operator] = response.staff_roster.operators
    assert operator.name == "王芳"
    assert PasswordHasher().verify(operator.pin_hash, "246813")
    assert response.staff_roster.roster_version == 1
    # on the kiosk the roster is sealed under the kiosk's key: no PIN hash to guess offline
    folder = tmp_path / "kiosk"
    assert not (folder / "staff-roster.json").exists()
    sealed = folder / SEALED_ROSTER_FILE
    assert sealed.stat().st_mode & 0o777 == 0o600
    assert b"argon2" not in sealed.read_bytes() and "王芳".encode() not in sealed.read_bytes()
    kept = load_roster(KioskIdentity.load(folder), folder)
    assert kept == response.staff_roster
    other = tmp_path / "other"
    other.mkdir()
    (other / SEALED_ROSTER_FILE).write_bytes(sealed.read_bytes())
    with pytest.raises(ValueError, match="this kiosk's key"):
        load_roster(enrolled_kiosk(central, tmp_path / "k2").identity, other)
    kiosk = central.get(f"/api/v1/kiosks/{response.kiosk_id}").json()
    assert kiosk["checkpoint_id"] == checkpoint_id


def test_the_enrolled_identity_is_kept_in_the_data_folder(central: Central, tmp_path: Path) -> None:
    enrollment = enrolled_kiosk(central, tmp_path / "kiosk")
    loaded = KioskIdentity.load(tmp_path / "kiosk")
    assert loaded.kiosk_id == enrollment.identity.kiosk_id
    assert loaded.server_url == SERVER
    assert (tmp_path / "kiosk" / "signing.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "kiosk").stat().st_mode & 0o777 == 0o700
    policy = json.loads((tmp_path / "kiosk" / POLICY_FILE).read_text(encoding="utf-8"))
    assert policy["policy_version"] == 1
    assert json.loads((tmp_path / "kiosk" / IDENTITY_FILE).read_text())["kiosk_id"]


def test_binding_keys_are_sealed_to_the_kiosk_and_the_server_never_sees_them_in_clear(
    central: Central, tmp_path: Path
) -> None:
    enrollment = enrolled_kiosk(central, tmp_path / "kiosk")
    box = enrollment.response.binding_keys
    binding_key = KeyDir(central.settings.resolved_keys_dir).binding_key()
    assert binding_key not in box.ciphertext
    assert box.scheme == "x25519-hkdf-sha256-aes256gcm"


def test_an_expired_code_is_refused(central: Central, tmp_path: Path) -> None:
    code = central.enrollment_code(central.register_checkpoint())
    central.clock.advance(hours=24, seconds=1)
    with pytest.raises(EnrollmentError) as refused:
        enroll(central.client, SERVER, code, tmp_path / "kiosk")
    assert refused.value.reason == "enrollment_code_expired"
    assert not (tmp_path / "kiosk" / IDENTITY_FILE).exists()


def test_a_used_code_is_refused_the_second_time(central: Central, tmp_path: Path) -> None:
    code = central.enrollment_code(central.register_checkpoint())
    enroll(central.client, SERVER, code, tmp_path / "first")
    with pytest.raises(EnrollmentError) as refused:
        enroll(central.client, SERVER, code, tmp_path / "second")
    assert refused.value.reason == "enrollment_code_used"


def test_an_unknown_code_is_refused(central: Central, tmp_path: Path) -> None:
    with pytest.raises(EnrollmentError) as refused:
        enroll(central.client, SERVER, "ABCD-EFGH-JKMN-PQRS", tmp_path / "kiosk")
    assert refused.value.reason == "enrollment_code_unknown"


def test_a_code_typed_in_lower_case_without_dashes_works(central: Central, tmp_path: Path) -> None:
    code = central.enrollment_code(central.register_checkpoint())
    enrollment = enroll(central.client, SERVER, code.replace("-", "").lower(), tmp_path / "k")
    assert enrollment.identity.kiosk_id


def test_a_kiosk_that_cannot_prove_it_holds_its_key_is_refused(central: Central) -> None:
    code = central.enrollment_code(central.register_checkpoint())
    kiosk_key = Ed25519PrivateKey.generate()
    other_key = Ed25519PrivateKey.generate()
    raw = kiosk_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    x25519 = bytes(32)
    response = central.client.post(
        ENROLLMENTS_PATH,
        json={
            "code": code,
            "signing_public_key": _b64(raw),
            "encryption_public_key": _b64(x25519),
            "possession_signature": _b64(other_key.sign(possession_message(raw, x25519))),
            "software_version": "test",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "proof_of_possession"
    # The failed attempt did not spend the code.
    assert central.get("/api/v1/kiosks").json() == []


def test_a_folder_with_an_identity_is_not_enrolled_again(central: Central, tmp_path: Path) -> None:
    enrolled_kiosk(central, tmp_path / "kiosk")
    code = central.enrollment_code(central.register_checkpoint())
    with pytest.raises(EnrollmentError) as refused:
        enroll(central.client, SERVER, code, tmp_path / "kiosk")
    assert refused.value.reason == "already_enrolled"


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def test_an_operator_pin_has_six_digits_at_least(central: Central) -> None:
    checkpoint_id = central.register_checkpoint(checkpoint_type="pharmacy", name="大药房")
    path = f"/api/v1/checkpoints/{checkpoint_id}/operators"
    assert central.post(path, {"name": "王芳", "pin": "24681"}).status_code == 422
    letters = central.post(path, {"name": "王芳", "pin": "24681a"})
    assert letters.status_code == 400 and "6 to 8 digits" in letters.text
    assert central.post(path, {"name": "王芳", "pin": "246813"}).status_code == 201
