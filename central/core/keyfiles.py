"""Central's own secret key files (records, people, transfer keys): created once, 0600."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def create_once(path: Path, data: bytes) -> bytes:
    """Write a private file unless it exists; whoever wins a race, every process reads one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_bytes()


def key_pair(path: Path, key_bytes: int, what: str) -> tuple[bytes, bytes]:
    """Two random keys of `key_bytes` kept together in one private file, made at first use (an
    encryption key and a blind-index key); ValueError when the file holds anything else."""
    data = path.read_bytes() if path.exists() else b""
    if not data:
        data = create_once(path, secrets.token_bytes(2 * key_bytes))
    if len(data) != 2 * key_bytes:
        raise ValueError(f"{path} is not {what}")
    return data[:key_bytes], data[key_bytes:]
