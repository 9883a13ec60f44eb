"""The kiosk's side of offline transfer (`sync.outbox_file`): central's transfer key, fetched
with a signed request and kept in the identity folder, and the outbox written to a file that
only central can open (`kiosk export-outbox`, for a site with no network)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import httpx
from pydantic import ValidationError

from healthcode.keydir import load_public
from healthcode.keys import KeyFormatError
from healthcode.trust import TrustList, TrustListError, open_signed_trust_list
from kiosk.client.identity import ROOT_PUBLIC_FILE, TRUST_LIST_FILE, KioskIdentity
from kiosk.client.outbox import Outbox
from sync.outbox_file import FILE_SUFFIX, OutboxFileError, make_outbox_file, verify_transfer_key
from sync.schemas import TRANSFER_KEY_PATH, TransferKey

TRANSFER_KEY_FILE = "central-transfer-key.json"


def _pinned_trust_list(data_dir: Path) -> TrustList:
    try:
        root = load_public(data_dir / ROOT_PUBLIC_FILE)
        trust_list, _signer = open_signed_trust_list(
            (data_dir / TRUST_LIST_FILE).read_bytes(), [root]
        )
    except (OSError, KeyFormatError, TrustListError) as error:
        raise OutboxFileError(f"no verified trust list in {data_dir}: {error}") from None
    return trust_list


def fetch_transfer_key(client: httpx.Client, server_url: str, data_dir: Path) -> bytes:
    """Ask central (signed request) for its transfer key, check it and keep it for exports."""
    answer = client.get(server_url.rstrip("/") + TRANSFER_KEY_PATH)
    if not answer.is_success:
        raise OutboxFileError(f"central did not give its transfer key: HTTP {answer.status_code}")
    try:
        key = TransferKey.model_validate_json(answer.content)
    except ValidationError as error:
        raise OutboxFileError(f"not a transfer key: {error}") from None
    public = verify_transfer_key(key, _pinned_trust_list(data_dir))
    (data_dir / TRANSFER_KEY_FILE).write_text(key.model_dump_json(indent=2), "utf-8")
    return public


def kept_transfer_key(data_dir: Path) -> bytes:
    """The transfer key fetched earlier, checked again against the pinned trust list."""
    try:
        key = TransferKey.model_validate_json((data_dir / TRANSFER_KEY_FILE).read_bytes())
    except (OSError, ValidationError) as error:
        raise OutboxFileError(
            f"no central transfer key in {data_dir} (the kiosk gets it at its first upload or"
            f" with `python -m kiosk.client upload`): {error}"
        ) from None
    return verify_transfer_key(key, _pinned_trust_list(data_dir))


def export_outbox(
    outbox: Outbox,
    identity: KioskIdentity,
    transfer_public_key: bytes,
    out_dir: Path,
    *,
    now: datetime,
    limit: int = 1_000_000,
) -> tuple[Path, int] | None:
    """Write the unsettled outbox items (what the next uploads would send, nothing more) to a
    new file in `out_dir`; None when there is nothing to send. The items become `sent`: they
    stay in the outbox until central answers for them (an upload after the import is answered
    `duplicate` and settles them)."""
    items = outbox.outbox_batch(limit)
    if not items:
        return None
    data = make_outbox_file(
        [item.record for item in items],
        kiosk_id=identity.kiosk_id,
        signing_key=identity.signing_key,
        transfer_public_key=transfer_public_key,
        created_at=now,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"outbox-{identity.kiosk_id}-{stamp}{FILE_SUFFIX}"
    temporary = path.with_name(path.name + ".part")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    outbox.mark_sent([item.outbox_id for item in items]).result()
    return path, len(items)
