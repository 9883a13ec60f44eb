"""Helpers for tests that need received passages without uploading them: rows put straight in,
counted into the trends' day counters as ingest counts them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central.core.cipher import record_cipher
from central.core.db import session_scope
from central.core.models import Checkpoint, FeverCase, Kiosk, ReceivedPassage
from central.kiosks.passage_days import count_passages
from tests.central.conftest import Central


def add_checkpoint_and_kiosk(
    central: Central, checkpoint_id: str, kiosk_id: str, *, region: str, name: str, **kiosk: Any
) -> None:
    with session_scope(central.app.state.sessions) as session:
        session.add(
            Checkpoint(
                id=checkpoint_id,
                name=name,
                checkpoint_type="residential_compound",
                region_code=region,
                address="地址",
                area_code=region,
                created_at=central.clock(),
            )
        )
        session.flush()
        session.add(
            Kiosk(
                id=kiosk_id,
                checkpoint_id=checkpoint_id,
                signing_public_key=bytes(32),
                encryption_public_key=bytes(32),
                enrolled_at=central.clock(),
                **kiosk,
            )
        )


def add_passage(
    central: Central,
    record_id: str,
    kiosk_id: str,
    checkpoint_id: str,
    at: datetime,
    *,
    region: str,
    code_ix: bytes | None = b"c" * 16,
    masked_name: str | None = "张*",
    id_masked: str | None = "6101**********0011",
    **columns: Any,
) -> None:
    cipher = record_cipher(central.settings.resolved_keys_dir)
    row: dict[str, Any] = {
        "kiosk_seq": 1,
        "clock_trusted": True,
        "issuer": "610000",
        "colour_in_code": "green",
        "colour_applied": "green",
        "outcome": "pass",
        "reasons": "[]",
        "temperature_celsius": 36.5,
        "fever": False,
        "id_match": "not_checked",
        "direction": None,
        "policy_version": 1,
        "repeat": False,
    } | columns
    with session_scope(central.app.state.sessions) as session:
        session.add(
            ReceivedPassage(
                id=record_id,
                kiosk_id=kiosk_id,
                checkpoint_id=checkpoint_id,
                region_code=region,
                at=at,
                received_at=at,
                code_ix=code_ix,
                code_enc=cipher.seal(b"code", record_id, "code"),
                name_enc=cipher.seal(masked_name, record_id, "name"),
                id_masked_enc=cipher.seal(id_masked, record_id, "id_masked"),
                **row,
            )
        )
        count_passages(
            session, [{"checkpoint_id": checkpoint_id, "at": at, "outcome": row["outcome"]} | row]
        )
        if row["fever"]:
            session.add(
                FeverCase(
                    id=record_id,
                    kiosk_id=kiosk_id,
                    checkpoint_id=checkpoint_id,
                    region_code=region,
                    at=at,
                    received_at=at,
                    temperature_celsius=row["temperature_celsius"],
                    issuer="610000",
                    code_ix=code_ix,
                    status="open",
                )
            )
