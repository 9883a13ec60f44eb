"""Proxy and paper codes: a region administrator or community worker declares for the people
living in its area who have no phone, one by one or in batches, and prints their codes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select

from central.core.audit import Action
from central.core.deps import NowDep, SessionDep, SessionsDep
from central.core.errors import ApiError, RefusedError
from central.core.models import Person
from central.core.regions import prefix_of
from central.core.scope import IssuingScopeDep
from central.issuance import codes, paper, phone_change, sms
from central.issuance.batching import commit_together
from central.issuance.codes import IssuedCode
from central.issuance.declarations import DeclarationError, Holder
from central.issuance.routers.common import (
    PREFIX,
    IssuingAuditDep,
    KeysDep,
    SvgQuery,
    checked_area,
    code_out,
    community_worker,
    declaration_of,
    declare_for,
    paper_code,
)
from central.issuance.rules import load_ruleset
from central.issuance.schemas import (
    BatchIssuedOut,
    BatchRefusedOut,
    CodeOut,
    DeclarationIn,
    IssuedOut,
    PaperBatchIn,
    PhoneResetIn,
    ProxyBatchIn,
    ProxyBatchOut,
)
from sync.schemas import RefusalReason

router = APIRouter()


@router.post(f"{PREFIX}/phone-resets")
def phone_reset(
    body: PhoneResetIn,
    scope: IssuingScopeDep,
    session: SessionDep,
    keys: KeysDep,
    now: NowDep,
    audit: IssuingAuditDep,
) -> dict[str, str]:
    """In person, after seeing the ID card: the resident's new phone replaces the recorded one
    (one person, one code); the resident then declares from it. Audited."""
    try:
        person = phone_change.reset_phone(
            session, keys, body.id_type.value, body.id_number, body.phone, now
        )
    except sms.SmsError as error:
        raise ApiError(400, RefusalReason.BAD_REQUEST, f"phone: {error}") from None
    try:
        community_worker(scope, person.residence_area)
    except ApiError:
        session.rollback()
        raise
    audit.record(Action.CHANGE, "person", 1)  # commits the reset with its entry
    return {"status": "reset"}


@router.post(f"{PREFIX}/proxy-declarations", status_code=201)
def proxy_declaration(
    body: DeclarationIn,
    scope: IssuingScopeDep,
    sessions: SessionsDep,
    keys: KeysDep,
    now: NowDep,
    audit: IssuingAuditDep,
    svg: SvgQuery = True,
) -> IssuedOut:
    """A community worker applies for a person without a phone; print the code on paper."""
    community_worker(scope, checked_area(body.residence))
    declaration = declaration_of(body, Holder.COMMUNITY, None)
    issued = declare_for(sessions, keys, declaration, now, scope.account_id)
    audit.record(Action.EXPORT, "proxy_code", 1)
    return IssuedOut(holder_token=None, code=code_out(issued, svg))


@router.post(f"{PREFIX}/proxy-declarations/batch")
def proxy_declaration_batch(
    body: ProxyBatchIn,
    scope: IssuingScopeDep,
    sessions: SessionsDep,
    keys: KeysDep,
    now: NowDep,
    audit: IssuingAuditDep,
) -> ProxyBatchOut:
    """A community worker issues codes for a list of people (up to 500) in one request: every
    residence must be in the worker's area (else nothing is issued); each person is checked
    apart, and a refused one (named by its index) does not stop the others. All are stored in
    one transaction; the answers carry the QR text (print them with `paper-batch`)."""
    for index, person in enumerate(body.people):
        try:
            community_worker(scope, checked_area(person.residence))
        except RefusedError as error:
            detail = f"people[{index}]: {error.refusal_detail}"
            raise ApiError(error.status_code, error.reason, detail) from None
    works: list[codes.DeclarationWork] = []
    positions: list[int] = []
    refused: list[BatchRefusedOut] = []
    for index, person in enumerate(body.people):
        declaration = declaration_of(person, Holder.COMMUNITY, None)
        try:
            if declaration.ruleset is not None:
                load_ruleset(declaration.ruleset)
            works.append(codes.declaration_work(keys, declaration, now, actor=scope.account_id))
        except DeclarationError as error:
            refused.append(BatchRefusedOut(index=index, detail=f"{error.field}: {error}"))
            continue
        except ValueError as error:
            refused.append(BatchRefusedOut(index=index, detail=str(error)))
            continue
        positions.append(index)
    issued: list[BatchIssuedOut] = []
    for index, outcome in zip(positions, commit_together(sessions, works), strict=True):
        if isinstance(outcome, IssuedCode):
            issued.append(BatchIssuedOut(index=index, code=code_out(outcome, svg=False)))
        else:
            refused.append(BatchRefusedOut(index=index, detail="could not be stored; try again"))
    audit.record(Action.EXPORT, "proxy_code", len(issued))
    return ProxyBatchOut(issued=issued, refused=sorted(refused, key=lambda r: r.index))


@router.post(f"{PREFIX}/paper-batch", response_class=Response)
def paper_batch(
    body: PaperBatchIn,
    scope: IssuingScopeDep,
    session: SessionDep,
    keys: KeysDep,
    now: NowDep,
    audit: IssuingAuditDep,
) -> Response:
    """Paper codes (14 days) of the people living in a community, six to an A4 page."""
    community_worker(scope, checked_area(body.area_code))
    people = session.scalars(
        select(Person)
        .where(
            Person.residence_area.startswith(prefix_of(body.area_code)),
            Person.holder.in_(body.holders),
            Person.issuer == keys.issuer,
        )
        .order_by(Person.residence_area, Person.created_at)
        .limit(600)
    ).all()
    audit.record(Action.EXPORT, "paper_code", len(people))
    printed = [
        paper_code(issued, keys, body.area_code)
        for issued, _name in codes.paper_codes(session, keys, people, now)
    ]
    return Response(paper.render(printed), media_type="application/pdf")


@router.get(f"{PREFIX}/proxy-codes")
def proxy_codes(
    scope: IssuingScopeDep,
    session: SessionDep,
    keys: KeysDep,
    now: NowDep,
    audit: IssuingAuditDep,
) -> list[CodeOut]:
    """The proxy codes the reader issued for people still living in its area (up to 600),
    signed again with the same code ids and 14 days of validity; QR text only, no SVG."""
    prefix = scope.prefix
    people = (
        session.scalars(
            select(Person)
            .where(
                Person.issued_by_id == scope.account_id,
                Person.residence_area.startswith(prefix),
                Person.issuer == keys.issuer,
            )
            .order_by(Person.residence_area, Person.created_at)
            .limit(600)
        ).all()
        if prefix
        else []
    )
    audit.record(Action.LIST, "proxy_code", len(people))
    return [
        code_out(issued, svg=False)
        for issued, _name in codes.paper_codes(session, keys, people, now)
    ]
