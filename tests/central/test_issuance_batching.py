"""Group commit of declarations: concurrent declarations share a transaction, each caller
answers only after the commit, and one caller's failure never becomes another's."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.core.db import session_scope
from central.core.models import Person, PersonArea, StatusFeedEntry
from central.issuance import codes
from central.issuance.batching import GroupCommitter, LoopGroupCommitter
from central.issuance.declarations import Declaration, IdType
from tests.central.conftest import Central
from tests.central.issuance_world import API, id_number, keys_of, sms_of


def _declaration(serial: int, phone: str | None = None) -> Declaration:
    return Declaration(
        full_name="王五",
        id_type=IdType.RESIDENT_ID,
        id_number=id_number(serial, area="610103"),
        residence="610102001001",
        phone=phone,
    )


def test_concurrent_declarations_share_commits_and_all_land(central: Central) -> None:
    keys = keys_of(central)
    sessions = central.app.state.sessions
    results: list[Any] = []

    def one(serial: int) -> None:
        try:
            declaration = _declaration(serial, phone=f"139{serial:08d}")
            results.append(
                codes.declare(sessions, keys, declaration, central.clock(), grouped=True)
            )
        except Exception as error:  # pragma: no cover - reported below
            results.append(error)

    # the same person twice among them: the second is an update in the same batch
    serials = [*range(1, 31), 7]
    threads = [threading.Thread(target=one, args=(s,)) for s in serials]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(serials)
    assert all(isinstance(r, codes.IssuedCode) for r in results), results
    with session_scope(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 30
        sequences = list(session.scalars(select(StatusFeedEntry.sequence)))
    assert sequences == list(range(1, len(sequences) + 1))


def test_a_failing_work_is_retried_alone_and_the_others_commit(central: Central) -> None:
    sessions = central.app.state.sessions
    committer = GroupCommitter(sessions)
    with session_scope(sessions) as session:
        session.execute(text("CREATE TABLE t (v INTEGER PRIMARY KEY)"))
    gate = threading.Event()
    outcomes: dict[int, Any] = {}

    def insert(value: int) -> Any:
        def work(session: Session) -> int:
            if value == 0:
                gate.wait(5)  # hold the writer so the others queue up into one batch
            if value == 3:
                raise ValueError("refused")
            session.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
            return value

        try:
            outcomes[value] = committer.run(work)
        except ValueError as error:
            outcomes[value] = error

    threads = [threading.Thread(target=insert, args=(v,)) for v in range(6)]
    threads[0].start()
    for thread in threads[1:]:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(timeout=30)
    assert isinstance(outcomes[3], ValueError)
    assert {v: outcomes[v] for v in (0, 1, 2, 4, 5)} == {0: 0, 1: 1, 2: 2, 4: 4, 5: 5}
    with session_scope(sessions) as session:
        assert sorted(session.scalars(text("SELECT v FROM t"))) == [0, 1, 2, 4, 5]
    assert committer.items == 6


def test_the_sms_code_is_used_up_in_the_declaration_transaction(central: Central) -> None:
    phone = "13900000042"
    sms_of(central)  # keep the codes sent
    answer = central.client.post(f"{API}/sms-codes", json={"phone": phone})
    assert answer.status_code == 202, answer.text
    body = {
        "full_name": "赵六",
        "id_number": id_number(42),
        "residence": "610102001001",
        "phone": phone,
    }
    wrong = central.client.post(f"{API}/declarations", json={**body, "sms_code": "000000"})
    assert wrong.status_code == 401
    code = sms_of(central).last_code(phone)
    first = central.client.post(f"{API}/declarations?svg=false", json={**body, "sms_code": code})
    assert first.status_code == 201, first.text
    assert first.json()["code"]["svg"] is None and first.json()["code"]["qr_text"]
    again = central.client.post(f"{API}/declarations", json={**body, "sms_code": code})
    assert again.status_code == 401  # used up


def test_on_the_event_loop_a_batch_refused_at_its_commit_is_redone_one_by_one(
    central: Central,
) -> None:
    """The loop's committer runs the statements on the loop and the COMMIT in its own thread;
    a batch the database refuses only at COMMIT (a deferred foreign key) is rolled back, every
    work runs again alone, and only the faulty one fails."""
    sessions = central.app.state.sessions
    with session_scope(sessions) as session:
        session.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        session.execute(
            text(
                "CREATE TABLE child (v INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id)"
                " DEFERRABLE INITIALLY DEFERRED)"
            )
        )

    def insert(value: int) -> Any:
        def work(session: Session) -> int:
            parent = 99 if value == 3 else None  # no parent 99: refused at COMMIT
            session.execute(text("INSERT INTO child VALUES (:v, :p)"), {"v": value, "p": parent})
            return value

        return work

    async def declare_all() -> tuple[list[Any], LoopGroupCommitter]:
        committer = LoopGroupCommitter(sessions)
        runs = (committer.run(insert(value)) for value in range(6))
        return await asyncio.gather(*runs, return_exceptions=True), committer

    outcomes, committer = asyncio.run(declare_all())
    assert isinstance(outcomes[3], IntegrityError)
    assert [outcomes[v] for v in (0, 1, 2, 4, 5)] == [0, 1, 2, 4, 5]
    assert (committer.batches, committer.items) == (1, 6)  # they had shared one transaction
    with session_scope(sessions) as session:
        assert sorted(session.scalars(text("SELECT v FROM child"))) == [0, 1, 2, 4, 5]


def test_new_people_queued_in_a_transaction_land_at_its_commit_and_not_after_a_rollback(
    central: Central,
) -> None:
    keys = keys_of(central)
    sessions = central.app.state.sessions
    now = central.clock()
    works = [
        codes.declaration_work(keys, _declaration(serial, phone=f"139{serial:08d}"), now)
        for serial in (51, 52)
    ]

    def people() -> int:
        with session_scope(sessions) as session:
            return int(session.scalar(select(func.count()).select_from(Person)) or 0)

    with sessions() as session:
        session.begin()
        works[0](session)
        session.rollback()  # the rows queued by the first declaration go with it
        with session.begin():
            issued = works[1](session)
    assert issued is not None
    assert people() == 1
    with session_scope(sessions) as session:
        person = session.get_one(Person, issued.person_id)
        assert (person.colour, person.colour_seq) == (issued.colour.value, 1)
        areas = session.scalars(
            select(PersonArea.area_code).where(PersonArea.person_id == person.id)
        )
        assert list(areas) == ["610102001001"]
