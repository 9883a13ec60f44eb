"""The transfer key that offline outbox files are sealed to. The kiosks' uploads (signed batches
of passages, fever reports and overrides, answered per record) are in `central.kiosks.fast_lane`."""

from __future__ import annotations

from fastapi import APIRouter

from central.core.deps import (
    KeysDep,
    SignedKioskDep,
)
from central.kiosks.ingest import (
    signed_transfer_key,
)
from sync.schemas import (
    TRANSFER_KEY_PATH,
    TransferKey,
)

router = APIRouter(tags=["upload"])


@router.get(TRANSFER_KEY_PATH)
def transfer_key(_kiosk: SignedKioskDep, keys: KeysDep) -> TransferKey:
    """Central's X25519 key for offline outbox files, signed by a feed key of the trust list."""
    return signed_transfer_key(keys.path)
