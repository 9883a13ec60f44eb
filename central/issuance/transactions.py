"""A transaction run again when a concurrent writer got there first: a person declared twice at
once, a row lock lost to another worker. Every issuance writer commits through `retrying`, or
through the group commit of `central.issuance.batching`, which falls back to it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 8


def retrying(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run `work` in a transaction, again when a concurrent writer got there first."""
    for attempt in range(RETRIES):
        try:
            with sessions() as session, session.begin():
                return work(session)
        except (IntegrityError, OperationalError) as error:
            if attempt == RETRIES - 1:
                raise
            log.debug("retrying after a concurrent write: %s", type(error).__name__)
    raise AssertionError("unreachable")
