"""Group commit: concurrent declarations of one process share a transaction and its fsync.

SQLite has one writer and every commit is an fsync (WAL, `synchronous=FULL`): about 7 ms here,
so one transaction per declaration caps the whole service near 130 declarations a second however
many requests wait. A `GroupCommitter` runs the waiting declarations' work one after the other in
one transaction and commits once; each caller returns only after that commit, so durability is
unchanged (nothing is answered before it is on disk). On PostgreSQL it saves the same round trips.

When anything goes wrong in a batch (a racing insert, a deadlock, a refused event) the whole
transaction is rolled back and every work of the batch runs again alone through `retrying`,
exactly as without batching, so one caller's error never becomes another's. (No savepoints:
pysqlite's implicit transactions make SQLite commit at a RELEASE.)

Nothing assumes one process: each process batches its own callers; the database orders them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from central.issuance import new_people
from central.issuance.transactions import retrying

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BATCH = 64

_Item = tuple[Callable[[Session], Any], "Future[Any]"]


class GroupCommitter:
    def __init__(self, sessions: sessionmaker[Session], max_batch: int = MAX_BATCH) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # for tests and figures
        self.items = 0

    def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in a shared transaction; return once it is committed."""
        return self.submit(work).result()

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        """Queue `work(session)`; the future is done once its transaction is committed (an
        async caller awaits it with `asyncio.wrap_future`, holding no thread meanwhile)."""
        future: Future[T] = Future()
        self._queue.put((work, future))
        self._ensure_thread()
        return future

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="issuance-group-commit", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._commit(batch)
            except BaseException as error:  # never leave a caller waiting
                for _work, future in batch:
                    if not future.done():
                        future.set_exception(error)

    def _commit(self, batch: list[_Item]) -> None:
        outcomes = commit_together(self._sessions, [work for work, _future in batch])
        self.batches += 1 if len(outcomes) == len(batch) and len(batch) > 1 else len(batch)
        self.items += len(batch)
        for (_work, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, _Failed):
                future.set_exception(outcome.error)
            else:
                future.set_result(outcome)


class _Failed:
    def __init__(self, error: Exception) -> None:
        self.error = error


def commit_together(
    sessions: sessionmaker[Session], works: list[Callable[[Session], Any]]
) -> list[Any]:
    """Run the works in one transaction and commit once; each work's result (or `_Failed`).
    When the shared transaction fails, it is rolled back and each work runs alone."""
    if len(works) > 1:
        try:
            with sessions() as session, session.begin():
                return [work(session) for work in works]
        except Exception as error:
            log.debug("a batch of %d failed (%s): one by one", len(works), type(error).__name__)
    return _one_by_one(sessions, works)


def _one_by_one(
    sessions: sessionmaker[Session], works: list[Callable[[Session], Any]]
) -> list[Any]:
    outcomes: list[Any] = []
    for work in works:
        try:
            outcomes.append(retrying(sessions, work))
        except Exception as error:
            outcomes.append(_Failed(error))
    return outcomes


class LoopGroupCommitter:
    """Group commit on the event loop itself, for `async` routes.

    A worker thread doing the database work while the event loop parses requests would hand
    the GIL back and forth at every statement (each waits out the other thread's switch
    interval): under load that made each SQLite statement cost a millisecond or more. Here the
    queued works run on the loop, one transaction per batch, so there is one Python thread
    doing the work. The loop is busy for the batch (a few milliseconds, including the commit);
    requests arriving meanwhile wait in their sockets and form the next batch.

    Only the COMMIT (SQLite's fsync: milliseconds on a real disk) runs in a thread of its own:
    one hand-over per batch, and while the disk syncs the loop goes on reading and checking
    the next requests."""

    def __init__(self, sessions: sessionmaker[Session], max_batch: int = MAX_BATCH) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._commits = ThreadPoolExecutor(max_workers=1, thread_name_prefix="issuance-commit")
        self._queue: asyncio.Queue[tuple[Callable[[Session], Any], asyncio.Future[Any]]] = (
            asyncio.Queue()
        )
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.items = 0

    async def run(self, work: Callable[[Session], T]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((work, future))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while True:
            batch = [await self._queue.get()]
            # Let requests already read reach the queue (they need a few loop turns).
            for _turn in range(8):
                waiting = self._queue.qsize()
                await asyncio.sleep(0)
                if self._queue.qsize() == waiting:
                    break
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            live = [(work, future) for work, future in batch if not future.cancelled()]
            try:
                outcomes = await self._commit_together([work for work, _future in live])
            except BaseException as error:  # never leave a caller waiting
                for _work, future in live:
                    if not future.done():
                        future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            self.batches += 1
            self.items += len(live)
            for (_work, future), outcome in zip(live, outcomes, strict=True):
                if future.cancelled():
                    continue  # the client went away; its work is committed all the same
                if isinstance(outcome, _Failed):
                    future.set_exception(outcome.error)
                else:
                    future.set_result(outcome)

    async def _commit_together(self, works: list[Callable[[Session], Any]]) -> list[Any]:
        """`commit_together` with the statements on the loop and the COMMIT in a thread."""
        if len(works) > 1:
            session = self._sessions()
            try:
                session.begin()
                outcomes = [work(session) for work in works]
                new_people.insert_now(session)  # here: statements stay on the loop
                session.flush()
                committed = self._commits.submit(session.commit)
                try:
                    await asyncio.wrap_future(committed)
                except asyncio.CancelledError:
                    # The loop is stopping: let a commit under way end before the session
                    # closes (at most one fsync), and say nothing to anyone.
                    with contextlib.suppress(BaseException):
                        committed.result()
                    raise
                return outcomes
            except Exception as error:
                log.debug("a batch of %d failed (%s): one by one", len(works), type(error).__name__)
                session.rollback()
            finally:
                session.close()
        return _one_by_one(self._sessions, works)


def loop_committer(state: Any, sessions: sessionmaker[Session]) -> LoopGroupCommitter:
    """The running event loop's committer, kept on the app's `state` (one per loop: a test
    client may run the same app on several loops)."""
    found: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopGroupCommitter] | None
    found = getattr(state, "declaration_committers", None)
    if found is None:
        found = state.declaration_committers = weakref.WeakKeyDictionary()
    loop = asyncio.get_running_loop()
    committer = found.get(loop)
    if committer is None:
        committer = found[loop] = LoopGroupCommitter(sessions)
    return committer


_committers: dict[int, GroupCommitter] = {}
_committers_lock = threading.Lock()


def committer(sessions: sessionmaker[Session]) -> GroupCommitter:
    """The process's committer for these sessions (one writer thread per database)."""
    with _committers_lock:
        found = _committers.get(id(sessions))
        if found is None or found._sessions is not sessions:
            found = _committers[id(sessions)] = GroupCommitter(sessions)
        return found
