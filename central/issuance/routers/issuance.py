"""Issuance: self-declaration (API and a mobile page), proxy codes, paper codes, colour events.

Holders authenticate with the holder token their declaration returned (`Authorization:
Bearer`); those routes are on the public allow-list, each with its reason. Administrators'
routes take the scope: a region administrator issues and prints codes for people living in
its area, records clinic events for them, sets area risk levels inside it, and decides the
fever cases of its checkpoints. A `community_worker` account (a town or community) does the
proxy declarations and paper codes of its residents and nothing else: those four routes take
`IssuingScopeDep`, every other route refuses it. Every read of stored data and every proxy
issuance is audited.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import segno
from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from central.core.audit import Action, AuditDep, Auditor, _route_template
from central.core.deps import NowDep, SessionDep, SessionsDep
from central.core.errors import ApiError
from central.core.models import AreaRisk, FeverCase, Person, RecomputeJob
from central.core.regions import RegionCodeError, level_of, prefix_of
from central.core.scope import ISSUING_ROLES, PUBLIC_ROUTES, IssuingScopeDep, Role, Scope, ScopeDep
from central.issuance import changes, codes, paper, sms
from central.issuance.batching import commit_together, loop_committer
from central.issuance.codes import IssuedCode, NotVerifiedError, PersonNotFoundError
from central.issuance.declarations import (
    Declaration,
    DeclarationError,
    Holder,
    IdType,
    TravelItem,
)
from central.issuance.people import IssuerKeys, issuer_keys
from central.issuance.rules import RiskLevel, available_rulesets, load_ruleset
from healthcode.claims import CodeKind
from sync.schemas import API_PREFIX, RefusalReason

PREFIX = f"{API_PREFIX}/issuance"
PAGE_PATH = "/issuance"
PAGE_FILE = Path(__file__).resolve().parent.parent / "page.html"
router = APIRouter(tags=["issuance"])

PUBLIC_ROUTES.update(
    {
        ("GET", PAGE_PATH): "the self-declaration page; it shows no stored data",
        ("GET", f"{PREFIX}/rulesets"): "the published colour rules and their sources",
        ("POST", f"{PREFIX}/sms-codes"): "asks for a phone code (rate-limited per phone/address)",
        (
            "POST",
            f"{PREFIX}/declarations",
        ): "a self-declaration, authorised by the phone's SMS code",
        ("POST", f"{PREFIX}/code/refresh"): "the holder's own code, by the holder token",
        ("POST", f"{PREFIX}/code.png"): "the holder's own code as PNG, by the holder token",
        ("POST", f"{PREFIX}/code.svg"): "the holder's own code as SVG, by the holder token",
        ("POST", f"{PREFIX}/code.pdf"): "the holder's own paper code, by the holder token",
        ("POST", f"{PREFIX}/check-ins"): "the holder's daily check-in, by the holder token",
    }
)

_holder_bearer = HTTPBearer(auto_error=False)


def _app_keys(state: Any) -> IssuerKeys:
    """The issuer's keys, loaded once per app (kept on its state: no path hashing per request)."""
    keys: IssuerKeys | None = getattr(state, "issuer_keys", None)
    if keys is None:
        keys = state.issuer_keys = issuer_keys(state.settings.resolved_keys_dir)
    return keys


def _keys(request: Request) -> IssuerKeys:
    return _app_keys(request.app.state)


KeysDep = Annotated[IssuerKeys, Depends(_keys)]


def _holder_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_holder_bearer)],
) -> str:
    if credentials is None:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "the holder token is missing")
    return credentials.credentials


HolderTokenDep = Annotated[str, Depends(_holder_token)]


def _sender(request: Request) -> sms.SmsSender:
    sender = getattr(request.app.state, "sms_sender", None)
    if sender is None:
        sender = request.app.state.sms_sender = sms.LoggingSmsSender()
    return sender


# ---------------------------------------------------------------- schemas


class TravelIn(BaseModel):
    area: str | None = Field(default=None, pattern=r"^\d{6,15}$")
    abroad: bool = False
    last_day: date


class DeclarationIn(BaseModel):
    full_name: str = Field(min_length=1, max_length=50)
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field(min_length=5, max_length=24)
    residence: str = Field(pattern=r"^\d{6,15}$", description="region code, any level")
    workplace: str | None = Field(default=None, max_length=200)
    travel: list[TravelIn] = Field(default_factory=list, max_length=30)
    contacts: list[str] = Field(default_factory=list, max_length=4)
    symptoms: list[str] = Field(default_factory=list, max_length=7)
    temperature_celsius: float | None = None
    ruleset: str | None = Field(default=None, max_length=32)


class SelfDeclarationIn(DeclarationIn):
    phone: str = Field(max_length=16)
    sms_code: str = Field(min_length=4, max_length=8)
    holder: Literal["self", "guardian"] = "self"


class SmsCodeIn(BaseModel):
    phone: str = Field(max_length=16)


class CodeOut(BaseModel):
    qr_text: str
    colour: str
    colour_label: str
    colour_seq: int
    kind: str
    masked_name: str
    issued_at: str
    expires_at: str
    rule_ids: list[str] = Field(default_factory=list)
    svg: str | None = Field(description="the QR as SVG; null when asked with ?svg=false")


class IssuedOut(BaseModel):
    holder_token: str | None
    code: CodeOut


class CheckInIn(BaseModel):
    temperature_celsius: float | None = Field(default=None, ge=30, le=45)
    cough: bool = False
    symptoms: list[str] = Field(default_factory=list, max_length=7)


class ColourOut(BaseModel):
    colour: str | None


class ClinicEventIn(BaseModel):
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field(min_length=5, max_length=24)
    event: changes.ClinicEvent


class AreaRiskIn(BaseModel):
    area_code: str = Field(pattern=r"^\d{6,15}$")
    level: RiskLevel


class AreaRiskOut(BaseModel):
    area_code: str
    level: str
    changed_at: str


class JobOut(BaseModel):
    job_id: str
    area_code: str
    reason: str
    status: str
    processed: int
    changed: int
    total: int
    created_at: str
    finished_at: str | None


class FeverCaseOut(BaseModel):
    case_id: str
    checkpoint_id: str
    at: str
    temperature_celsius: float | None
    status: str


class FeverDecisionIn(BaseModel):
    decision: changes.FeverDecision


HolderName = Literal["community", "guardian", "self"]
PRINTED_HOLDERS: tuple[HolderName, ...] = ("community", "guardian")


class PaperBatchIn(BaseModel):
    area_code: str = Field(pattern=r"^\d{6,15}$")
    holders: list[HolderName] = Field(default_factory=lambda: list(PRINTED_HOLDERS))


# ---------------------------------------------------------------- helpers


def _svg(text: str) -> str:
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue().decode()


def _code_out(issued: IssuedCode, svg: bool = True) -> CodeOut:
    return CodeOut(
        qr_text=issued.qr_text,
        colour=issued.colour.value,
        colour_label=issued.colour.label.zh,
        colour_seq=issued.colour_seq,
        kind=issued.kind.value,
        masked_name=issued.masked_name,
        issued_at=issued.issued_at.isoformat(),
        expires_at=issued.expires_at.isoformat(),
        rule_ids=list(issued.rule_ids),
        svg=_svg(issued.qr_text) if svg else None,
    )


def _declaration(body: DeclarationIn, holder: Holder, phone: str | None) -> Declaration:
    return Declaration(
        full_name=body.full_name,
        id_type=body.id_type,
        id_number=body.id_number,
        residence=body.residence,
        holder=holder,
        phone=phone,
        workplace=body.workplace,
        travel=tuple(TravelItem(t.area, t.abroad, t.last_day) for t in body.travel),
        contacts=frozenset(body.contacts),
        symptoms=frozenset(body.symptoms),
        temperature_celsius=body.temperature_celsius,
        ruleset=body.ruleset,
    )


def _bad(error: Exception, field: str | None = None) -> ApiError:
    detail = f"{field}: {error}" if field else str(error)
    return ApiError(400, RefusalReason.BAD_REQUEST, detail)


def _declare(
    sessions: sessionmaker[Session],
    keys: IssuerKeys,
    declaration: Declaration,
    now: datetime,
    actor: str,
    verify: Callable[[Session], bool] | None = None,
) -> IssuedCode:
    try:
        if declaration.ruleset is not None:
            load_ruleset(declaration.ruleset)
        return codes.declare(
            sessions, keys, declaration, now, actor=actor, verify=verify, grouped=True
        )
    except NotVerifiedError:
        raise ApiError(
            401, RefusalReason.NOT_AUTHENTICATED, "sms_code: wrong or expired code"
        ) from None
    except DeclarationError as error:
        raise _bad(error, error.field) from None
    except ValueError as error:
        raise _bad(error) from None


def _community_worker(scope: Scope, area_code: str) -> None:
    """Region administrators and community workers act for people living in their area."""
    if scope.role not in ISSUING_ROLES or not scope.covers(area_code):
        raise ApiError(
            403,
            RefusalReason.FORBIDDEN,
            "only a region administrator or community worker of this area",
        )


def _region_admin(scope: Scope, area_code: str) -> None:
    if scope.role is not Role.REGION_ADMIN or not scope.covers(area_code):
        raise ApiError(403, RefusalReason.FORBIDDEN, "only a region administrator of this area")


def _issuing_auditor(
    request: Request, session: SessionDep, scope: IssuingScopeDep, now: NowDep
) -> Auditor:
    """The audit log for the routes a community worker may use (`AuditDep` refuses one)."""
    return Auditor(session, scope, now, _route_template(request))


IssuingAuditDep = Annotated[Auditor, Depends(_issuing_auditor)]


def _area(code: str) -> str:
    try:
        level_of(code)
    except RegionCodeError as error:
        raise _bad(error) from None
    return code


# ---------------------------------------------------------------- the holder's routes


@router.get(PAGE_PATH, response_class=HTMLResponse, include_in_schema=False)
def page() -> HTMLResponse:
    return HTMLResponse(PAGE_FILE.read_text(encoding="utf-8"))


@router.get(f"{PREFIX}/rulesets")
def rulesets() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for ruleset_id in available_rulesets():
        rules = load_ruleset(ruleset_id)
        out.append(
            {
                "id": rules.id,
                "name_zh": rules.name_zh,
                "name_en": rules.name_en,
                "source": rules.source,
                "rules": [
                    {"id": r.id, "colour": r.colour.value, "when": dict(r.when), "cites": r.cites}
                    for r in rules.rules
                ],
            }
        )
    return out


@router.post(f"{PREFIX}/sms-codes", status_code=202)
def sms_code(
    body: SmsCodeIn, request: Request, sessions: SessionsDep, keys: KeysDep, now: NowDep
) -> dict[str, str]:
    client = request.client.host if request.client is not None else "unknown"
    try:
        sms.request_code(sessions, keys.cipher, _sender(request), body.phone, client, now)
    except sms.SmsError as error:
        status = 429 if error.reason == "rate_limited" else 400
        reason = RefusalReason.RATE_LIMITED if status == 429 else RefusalReason.BAD_REQUEST
        raise ApiError(status, reason, str(error)) from None
    return {"status": "sent"}


SvgQuery = Annotated[
    bool, Query(description="render the QR as SVG in the answer (false: the QR text only)")
]


@router.post(f"{PREFIX}/declarations", status_code=201, response_model=IssuedOut)
async def declare(body: SelfDeclarationIn, request: Request, svg: SvgQuery = True) -> Response:
    """Declare with the phone's SMS code: the code is used up in the declaration's transaction.

    The hot path of issuance, so it is `async` with no thread-pool dependencies: the checks run
    here, the transaction is shared with the declarations arriving meanwhile (group commit on
    the event loop, `batching.LoopGroupCommitter`) and this answers once it is committed."""
    state = request.app.state
    keys = _app_keys(state)
    now: datetime = state.clock()
    try:
        phone = sms.check_phone(body.phone)
    except sms.SmsError as error:
        raise _bad(error, "phone") from None

    def verified(session: Session) -> bool:
        return sms.verify_code(session, keys.cipher, phone, body.sms_code, now)

    declaration = _declaration(body, Holder(body.holder), phone)
    try:
        if declaration.ruleset is not None:
            load_ruleset(declaration.ruleset)
        work = codes.declaration_work(keys, declaration, now, actor="holder", verify=verified)
        issued = await loop_committer(state, state.sessions).run(work)
    except DeclarationError as error:
        raise _bad(error, error.field) from None
    except ValueError as error:
        raise _bad(error) from None
    if issued is None:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "sms_code: wrong or expired code")
    # Drawing the SVG takes tens of milliseconds of pure Python: not on the event loop.
    code = await run_in_threadpool(_code_out, issued, True) if svg else _code_out(issued, False)
    # Serialised here by pydantic's own encoder: FastAPI's response validation of a model
    # built a line above would cost a tenth of the request.
    answer = IssuedOut(holder_token=issued.holder_token, code=code)
    return Response(answer.model_dump_json(), status_code=201, media_type="application/json")


def _refreshed(
    sessions: sessionmaker[Session], keys: IssuerKeys, token: str, now: object
) -> IssuedCode:
    try:
        return codes.refresh(sessions, keys, token, now)  # type: ignore[arg-type]
    except PersonNotFoundError:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "unknown holder token") from None


@router.post(f"{PREFIX}/code/refresh")
def refresh(token: HolderTokenDep, sessions: SessionsDep, keys: KeysDep, now: NowDep) -> CodeOut:
    return _code_out(_refreshed(sessions, keys, token, now))


@router.post(f"{PREFIX}/code.png", response_class=Response)
def code_png(token: HolderTokenDep, sessions: SessionsDep, keys: KeysDep, now: NowDep) -> Response:
    out = io.BytesIO()
    issued = _refreshed(sessions, keys, token, now)
    segno.make(issued.qr_text, error="m", micro=False).save(out, kind="png", scale=6, border=4)
    return Response(out.getvalue(), media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post(f"{PREFIX}/code.svg", response_class=Response)
def code_svg(token: HolderTokenDep, sessions: SessionsDep, keys: KeysDep, now: NowDep) -> Response:
    issued = _refreshed(sessions, keys, token, now)
    return Response(
        _svg(issued.qr_text), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


@router.post(f"{PREFIX}/code.pdf", response_class=Response)
def code_pdf(token: HolderTokenDep, sessions: SessionsDep, keys: KeysDep, now: NowDep) -> Response:
    _refreshed(sessions, keys, token, now)  # re-checks time-based rules first
    with sessions() as session:
        person = codes.person_of_token(session, token)
        if person is None:
            raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "unknown holder token")
        kind = CodeKind.PAPER if person.holder == Holder.SELF.value else CodeKind.PROXY
        issued = codes.sign(person, keys, now, kind)
    pdf = paper.render([_paper_code(issued, keys)])
    return Response(pdf, media_type="application/pdf", headers={"Cache-Control": "no-store"})


def _paper_code(issued: IssuedCode, keys: IssuerKeys, community: str = "") -> paper.PaperCode:
    return paper.PaperCode(
        qr_text=issued.qr_text,
        masked_name=issued.masked_name,
        colour=issued.colour,
        issuer_name=keys.issuer_name_zh,
        expires_at=issued.expires_at,
        community=community,
    )


@router.post(f"{PREFIX}/check-ins")
def check_in(
    body: CheckInIn, token: HolderTokenDep, sessions: SessionsDep, now: NowDep
) -> ColourOut:
    entry = changes.CheckIn(body.temperature_celsius, body.cough, frozenset(body.symptoms))
    try:
        colour = changes.check_in(sessions, token, entry, now)
    except PersonNotFoundError:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "unknown holder token") from None
    return ColourOut(colour=colour.value)


# ---------------------------------------------------------------- administrators' routes


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
    _community_worker(scope, _area(body.residence))
    declaration = _declaration(body, Holder.COMMUNITY, None)
    issued = _declare(sessions, keys, declaration, now, scope.account_id)
    audit.record(Action.EXPORT, "proxy_code", 1)
    return IssuedOut(holder_token=None, code=_code_out(issued, svg))


MAX_PROXY_BATCH = 500


class ProxyBatchIn(BaseModel):
    people: list[DeclarationIn] = Field(min_length=1, max_length=MAX_PROXY_BATCH)


class BatchIssuedOut(BaseModel):
    index: int
    code: CodeOut


class BatchRefusedOut(BaseModel):
    index: int
    detail: str


class ProxyBatchOut(BaseModel):
    issued: list[BatchIssuedOut]
    refused: list[BatchRefusedOut]


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
            _community_worker(scope, _area(person.residence))
        except ApiError as error:
            detail = f"people[{index}]: {error.detail}"
            raise ApiError(error.status_code, error.reason, detail) from None
    works: list[codes.DeclarationWork] = []
    positions: list[int] = []
    refused: list[BatchRefusedOut] = []
    for index, person in enumerate(body.people):
        declaration = _declaration(person, Holder.COMMUNITY, None)
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
            issued.append(BatchIssuedOut(index=index, code=_code_out(outcome, svg=False)))
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
    _community_worker(scope, _area(body.area_code))
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
        _paper_code(issued, keys, body.area_code)
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
        _code_out(issued, svg=False)
        for issued, _name in codes.paper_codes(session, keys, people, now)
    ]


@router.post(f"{PREFIX}/clinic-events")
def clinic_event(
    body: ClinicEventIn,
    scope: ScopeDep,
    sessions: SessionsDep,
    keys: KeysDep,
    now: NowDep,
    audit: AuditDep,
) -> ColourOut:
    """A clinic's finding about a person living in the reader's area."""
    id_ix = keys.cipher.id_index(body.id_type.value, body.id_number)
    with sessions() as session:
        person = session.scalars(
            select(Person).where(Person.issuer == keys.issuer, Person.id_ix == id_ix)
        ).first()
        found = person is not None and scope.covers(person.residence_area)
    audit.record(Action.READ, "person", 1 if found else 0)
    if person is None or not found:
        raise ApiError(404, RefusalReason.NOT_FOUND, "no such person in your area")
    if scope.role is not Role.REGION_ADMIN:
        raise ApiError(403, RefusalReason.FORBIDDEN, "only a region administrator of this area")
    try:
        colour = changes.record_event(sessions, person.id, body.event, now, actor=scope.account_id)
    except changes.EventRefusedError as error:
        raise ApiError(409, RefusalReason.BAD_REQUEST, str(error)) from None
    return ColourOut(colour=colour.value)


@router.post(f"{PREFIX}/area-risks", status_code=202)
def set_area_risk(
    body: AreaRiskIn,
    scope: ScopeDep,
    sessions: SessionsDep,
    now: NowDep,
    request: Request,
    background: BackgroundTasks,
) -> dict[str, str]:
    """Set a level; everyone it may affect is recomputed in the background (see the job)."""
    _region_admin(scope, _area(body.area_code))
    job_id = changes.set_area_risk(
        sessions, body.area_code, body.level, now, actor=scope.account_id
    )
    background.add_task(changes.run_job, sessions, job_id, request.app.state.clock)
    return {"job_id": job_id}


@router.get(f"{PREFIX}/area-risks")
def area_risks(scope: ScopeDep, session: SessionDep, audit: AuditDep) -> list[AreaRiskOut]:
    prefix = scope.prefix
    rows = (
        session.scalars(
            select(AreaRisk)
            .where(AreaRisk.area_code.startswith(prefix))
            .order_by(AreaRisk.area_code)
        ).all()
        if prefix
        else []
    )
    audit.record(Action.LIST, "area_risk", len(rows))
    return [
        AreaRiskOut(area_code=r.area_code, level=r.level, changed_at=r.changed_at.isoformat())
        for r in rows
    ]


@router.get(f"{PREFIX}/recompute-jobs")
def recompute_jobs(
    scope: ScopeDep,
    session: SessionDep,
    audit: AuditDep,
    job_id: Annotated[str | None, Query(max_length=36)] = None,
) -> list[JobOut]:
    """Progress of the recomputations in the reader's area, newest first."""
    prefix = scope.prefix
    query = select(RecomputeJob).order_by(RecomputeJob.created_at.desc()).limit(100)
    if job_id is not None:
        query = query.where(RecomputeJob.id == job_id)
    rows = (
        session.scalars(query.where(RecomputeJob.area_code.startswith(prefix))).all()
        if prefix
        else []
    )
    audit.record(Action.LIST, "recompute_job", len(rows))
    return [
        JobOut(
            job_id=r.id,
            area_code=r.area_code,
            reason=r.reason,
            status=r.status,
            processed=r.processed,
            changed=r.changed,
            total=r.total,
            created_at=r.created_at.isoformat(),
            finished_at=r.finished_at.isoformat() if r.finished_at else None,
        )
        for r in rows
    ]


@router.get(f"{PREFIX}/fever-cases")
def fever_cases(
    scope: ScopeDep,
    session: SessionDep,
    audit: AuditDep,
    status: Annotated[str, Query(pattern="^(open|confirmed|dismissed|closed)$")] = "open",
) -> list[FeverCaseOut]:
    """Fever reports from the reader's checkpoints: no names, no code ids."""
    rows = session.scalars(
        select(FeverCase)
        .where(
            FeverCase.checkpoint_id.in_(scope.visible_checkpoint_ids()), FeverCase.status == status
        )
        .order_by(FeverCase.at.desc())
        .limit(500)
    ).all()
    audit.record(Action.LIST, "fever_case", len(rows))
    return [
        FeverCaseOut(
            case_id=r.id,
            checkpoint_id=r.checkpoint_id,
            at=r.at.isoformat(),
            temperature_celsius=r.temperature_celsius,
            status=r.status,
        )
        for r in rows
    ]


_DECIDERS = {Role.REGION_ADMIN, Role.SUPERVISOR, Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_STAFF}


@router.post(f"{PREFIX}/fever-cases/{{case_id}}/decision")
def decide_fever_case(
    case_id: str,
    body: FeverDecisionIn,
    scope: ScopeDep,
    sessions: SessionsDep,
    keys: KeysDep,
    now: NowDep,
    audit: AuditDep,
) -> ColourOut:
    """Confirm (the holder's colour turns yellow) or dismiss a kiosk's fever report."""
    with sessions() as session:
        visible = session.scalar(
            select(FeverCase.id).where(
                FeverCase.id == case_id, FeverCase.checkpoint_id.in_(scope.visible_checkpoint_ids())
            )
        )
    audit.record(Action.READ, "fever_case", 1 if visible else 0)
    if visible is None:
        raise ApiError(404, RefusalReason.NOT_FOUND, "no such fever case in your area")
    if scope.role not in _DECIDERS:
        raise ApiError(403, RefusalReason.FORBIDDEN, "your role does not decide fever cases")
    try:
        colour = changes.decide_fever_case(
            sessions, case_id, body.decision, keys.issuer, now, actor=scope.account_id
        )
    except changes.EventRefusedError as error:
        raise ApiError(409, RefusalReason.BAD_REQUEST, str(error)) from None
    return ColourOut(colour=colour.value if colour else None)
