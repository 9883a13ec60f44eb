"""SQLite connections with the store's durability settings, and the single writer thread.

Every connection uses WAL with `synchronous=FULL`, so a committed transaction survives a power
cut or a killed process, and readers never block the writer. All writes go through one worker
thread (one connection, one queue); callers get a Future that resolves after the commit.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
JOIN_TIMEOUT_S = 10.0
T = TypeVar("T")
Write = Callable[[sqlite3.Connection], Any]


def open_connection(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) with WAL and FULL sync."""
    # Each connection is used by one thread at a time by design (the writer's, or a reader's
    # thread-local one); the check is off only so that close() may run from another thread.
    connection = sqlite3.connect(
        str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
    mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal" and str(path) != ":memory:":
        raise sqlite3.OperationalError(f"cannot use WAL on {path}: journal mode is {mode}")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


class StoreClosedError(RuntimeError):
    """A write was submitted after the store was closed."""


class Writer:
    """The one thread that writes. Each submitted function runs in its own IMMEDIATE
    transaction; its Future resolves after COMMIT (or carries the exception after ROLLBACK).
    A function submitted with `transaction=False` runs outside one (ATTACH, DETACH)."""

    def __init__(self, path: Path | str, name: str = "store-writer") -> None:
        self._path = path
        self._queue: queue.Queue[tuple[Write, Future[Any], bool] | None] = queue.Queue()
        self._ready: Future[None] = Future()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.result(timeout=JOIN_TIMEOUT_S)

    @property
    def path(self) -> Path | str:
        return self._path

    def submit(
        self, write: Callable[[sqlite3.Connection], T], *, transaction: bool = True
    ) -> Future[T]:
        if self._closed:
            raise StoreClosedError("the store is closed")
        future: Future[T] = Future()
        self._queue.put((write, future, transaction))
        return future

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._thread.join(JOIN_TIMEOUT_S)
        if self._thread.is_alive():
            log.error("store writer did not stop within %.0f s", JOIN_TIMEOUT_S)

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def _run(self) -> None:
        try:
            connection = open_connection(self._path)
        except BaseException as error:
            self._ready.set_exception(error)
            return
        self._ready.set_result(None)
        try:
            while (item := self._queue.get()) is not None:
                write, future, transaction = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    if transaction:
                        connection.execute("BEGIN IMMEDIATE")
                    result = write(connection)
                    if transaction:
                        connection.execute("COMMIT")
                except BaseException as error:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    log.warning("store write failed: %s", type(error).__name__)
                    future.set_exception(error)
                else:
                    future.set_result(result)
        finally:
            connection.close()


class Readers:
    """One read connection per thread (SQLite connections belong to their thread)."""

    def __init__(self, path: Path | str) -> None:
        self._path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def get(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = open_connection(self._path)
            self._local.connection = connection
            with self._lock:
                self._all.append(connection)
        return connection

    def close_all(self) -> None:
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()
        self._local = threading.local()
