"""The tip-offs' writes, made together: a group commit.

A hundred tip-offs a second, each with its own commit, queue behind the disk's sync (SQLite
syncs its log at each commit: about 10 ms here) and the residents' answers and liaisons' SMS
wait ever longer. So each post leaves its row here and waits; whichever thread finds no write
under way writes every row and SMS outcome left so far in one transaction, again until none is
left, and wakes the posts it wrote. A post returns only once its row is committed (its
resident's receipt means stored); an SMS outcome is not waited for (its tip-off then shows
unsent on the staff page, and alerts when not visited in time).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from central.core.models import TipOff

log = logging.getLogger(__name__)

_TIP_OFFS = cast(Table, TipOff.__table__)
_INSERT = insert(_TIP_OFFS)
_RECORD_OUTCOME = (
    update(_TIP_OFFS)
    .where(_TIP_OFFS.c.id == bindparam("id_"))
    .values(notified_at=bindparam("at_"), notify_error=bindparam("error_"))
)
NUMBER_TRIES = 5


class NotStoredError(Exception):
    """A tip-off that could not be written (its number drawn five times over, or the database
    refused): the resident is asked to send it again."""


@dataclass
class _Waiting:
    row: dict[str, Any]
    draw_number: Callable[[], str]
    done: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None


class TipOffWriter:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._rows: list[_Waiting] = []
        self._outcomes: list[dict[str, object]] = []

    def store(self, row: dict[str, Any], draw_number: Callable[[], str]) -> None:
        """Insert the row; return once it is committed, or raise `NotStoredError`."""
        waiting = _Waiting(row, draw_number)
        with self._lock:
            self._rows.append(waiting)
        self._write_while_pending()
        waiting.done.wait()
        if waiting.error is not None:
            raise NotStoredError from waiting.error

    def record(self, tip_off_id: str, at: datetime | None, error: str | None) -> None:
        """An SMS outcome: when the provider took it, or why not."""
        with self._lock:
            self._outcomes.append({"id_": tip_off_id, "at_": at, "error_": error})
        self._write_while_pending()

    def _write_while_pending(self) -> None:
        while self._writing.acquire(blocking=False):
            try:
                self._drain()
            finally:
                self._writing.release()
            with self._lock:  # left while the last batch was being written: write it too
                if not self._rows and not self._outcomes:
                    return

    def _drain(self) -> None:
        while True:
            with self._lock:
                rows, self._rows = self._rows, []
                outcomes, self._outcomes = self._outcomes, []
            if not rows and not outcomes:
                return
            try:
                self._write(rows, outcomes)
            finally:
                for waiting in rows:
                    waiting.done.set()

    def _write(self, rows: list[_Waiting], outcomes: list[dict[str, object]]) -> None:
        try:
            with self._sessions() as session, session.begin():
                connection = session.connection()
                if rows:
                    connection.execute(_INSERT, [w.row for w in rows])
                if outcomes:
                    connection.execute(_RECORD_OUTCOME, outcomes)
            return
        except IntegrityError:
            pass  # a number drawn twice: each row alone, drawing again
        except Exception as error:
            log.warning("%d tip-offs not stored (%s)", len(rows), type(error).__name__)
            for waiting in rows:
                waiting.error = error
            return
        for waiting in rows:
            self._write_alone(waiting)
        if outcomes:
            with self._sessions() as session, session.begin():
                session.connection().execute(_RECORD_OUTCOME, outcomes)

    def _write_alone(self, waiting: _Waiting) -> None:
        for _try in range(NUMBER_TRIES):
            try:
                with self._sessions() as session, session.begin():
                    session.connection().execute(_INSERT, [waiting.row])
                waiting.error = None
                return
            except IntegrityError as error:
                waiting.error = error
                waiting.row["number"] = waiting.draw_number()
        log.warning("a tip-off not stored: no free number in %d tries", NUMBER_TRIES)
