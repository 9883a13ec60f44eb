"""Personal data and secrets at rest: folders only the service's user may enter (0700), files
only it may read (0600): the SQLite database (and its -wal/-shm, which SQLite creates with the
database file's mode), the keys, exports and push files."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create `path` if needed and close it to everyone but its owner; the folder."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> None:
    os.chmod(path, FILE_MODE)


def sqlite_file(database_url: str) -> Path | None:
    """The file of an SQLite URL, or None for another database or an in-memory one."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def close_sqlite(database_url: str) -> None:
    """The database file and its companions 0600, when it is an SQLite file."""
    path = sqlite_file(database_url)
    if path is None:
        return
    for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if companion.exists():
            private_file(companion)
