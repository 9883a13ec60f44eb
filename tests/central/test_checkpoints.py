"""Administrators register checkpoints and issue one-time enrollment codes (text and QR)."""

from __future__ import annotations

import base64

from tests.central.conftest import Central


def test_a_registered_checkpoint_can_be_read_back(central: Central) -> None:
    checkpoint_id = central.register_checkpoint(
        checkpoint_type="enterprise_gate", enterprise="秦川机床厂", name="二号门"
    )
    body = central.get(f"/api/v1/checkpoints/{checkpoint_id}").json()
    assert body["checkpoint_type"] == "enterprise_gate"
    assert body["enterprise"] == "秦川机床厂"
    assert body["region_code"] == "610102"
    assert [c["checkpoint_id"] for c in central.get("/api/v1/checkpoints").json()] == [
        checkpoint_id
    ]


def test_an_enterprise_gate_without_its_enterprise_is_refused(central: Central) -> None:
    response = central.post(
        "/api/v1/checkpoints",
        {
            "name": "gate",
            "checkpoint_type": "enterprise_gate",
            "region_code": "610102",
            "address": "x",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_an_unknown_checkpoint_type_is_refused(central: Central) -> None:
    response = central.post(
        "/api/v1/checkpoints",
        {"name": "x", "checkpoint_type": "airport", "region_code": "610102", "address": "x"},
    )
    assert response.status_code == 422


def test_an_enrollment_code_comes_as_text_and_as_a_qr_png(central: Central) -> None:
    checkpoint_id = central.register_checkpoint()
    response = central.post(f"/api/v1/checkpoints/{checkpoint_id}/enrollment-codes")
    body = response.json()
    assert len(body["code"]) == 19 and body["code"].count("-") == 3
    assert base64.b64decode(body["qr_png"]).startswith(b"\x89PNG\r\n\x1a\n")
    expires = body["expires_at"]
    assert expires.startswith("2026-11-24T08:00:00")


def test_checkpoints_need_a_logged_in_administrator(central: Central) -> None:
    response = central.client.get("/api/v1/checkpoints")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    wrong = central.client.get("/api/v1/checkpoints", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_the_openapi_document_is_served(central: Central) -> None:
    paths = central.client.get("/openapi.json").json()["paths"]
    assert "/api/v1/enrollments" in paths
    assert "/api/v1/checkpoints/{checkpoint_id}/enrollment-codes" in paths
