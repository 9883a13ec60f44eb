"""What the issuance routes share: the issuer's keys, the holder token, who may act for whom,
and how an issued code is answered."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import segno
from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from central.core.audit import Auditor, _route_template
from central.core.deps import NowDep, SessionDep
from central.core.errors import ApiError
from central.core.regions import level_of
from central.core.scope import ISSUING_ROLES, IssuingScopeDep, Role, Scope
from central.issuance import codes, paper, sms
from central.issuance.codes import IssuedCode, NotVerifiedError
from central.issuance.declarations import Declaration, DeclarationError, Holder, TravelItem
from central.issuance.people import IssuerKeys, issuer_keys
from central.issuance.rules import load_ruleset
from central.issuance.schemas import CodeOut, DeclarationIn
from sync.schemas import API_PREFIX, RefusalReason

PREFIX = f"{API_PREFIX}/issuance"


_holder_bearer = HTTPBearer(auto_error=False)


def app_keys(state: Any) -> IssuerKeys:
    """The issuer's keys, loaded once per app (kept on its state: no path hashing per request)."""
    keys: IssuerKeys | None = getattr(state, "issuer_keys", None)
    if keys is None:
        keys = state.issuer_keys = issuer_keys(state.settings.resolved_keys_dir)
    return keys


def _keys(request: Request) -> IssuerKeys:
    return app_keys(request.app.state)


KeysDep = Annotated[IssuerKeys, Depends(_keys)]


def _holder_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_holder_bearer)],
) -> str:
    if credentials is None:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "the holder token is missing")
    return credentials.credentials


HolderTokenDep = Annotated[str, Depends(_holder_token)]


def sender_of(request: Request) -> sms.SmsSender:
    """The sender `create_app` chose from the settings."""
    sender: sms.SmsSender = request.app.state.sms_sender
    return sender


SvgQuery = Annotated[
    bool, Query(description="render the QR as SVG in the answer (false: the QR text only)")
]


def svg_of(text: str) -> str:
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue().decode()


def code_out(issued: IssuedCode, svg: bool = True) -> CodeOut:
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
        svg=svg_of(issued.qr_text) if svg else None,
    )


def declaration_of(body: DeclarationIn, holder: Holder, phone: str | None) -> Declaration:
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


def bad_request(error: Exception, field: str | None = None) -> ApiError:
    detail = f"{field}: {error}" if field else str(error)
    return ApiError(400, RefusalReason.BAD_REQUEST, detail)


def declare_for(
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
        raise bad_request(error, error.field) from None
    except ValueError as error:
        raise bad_request(error) from None


def community_worker(scope: Scope, area_code: str) -> None:
    """Region administrators and community workers act for people living in their area."""
    if scope.role not in ISSUING_ROLES or not scope.covers(area_code):
        raise ApiError(
            403,
            RefusalReason.FORBIDDEN,
            "only a region administrator or community worker of this area",
        )


def region_admin(scope: Scope, area_code: str) -> None:
    if scope.role is not Role.REGION_ADMIN or not scope.covers(area_code):
        raise ApiError(403, RefusalReason.FORBIDDEN, "only a region administrator of this area")


def _issuing_auditor(
    request: Request, session: SessionDep, scope: IssuingScopeDep, now: NowDep
) -> Auditor:
    """The audit log for the routes a community worker may use (`AuditDep` refuses one)."""
    return Auditor(session, scope, now, _route_template(request))


IssuingAuditDep = Annotated[Auditor, Depends(_issuing_auditor)]


def checked_area(code: str) -> str:
    level_of(code)  # a RegionCodeError is the refusal
    return code


def paper_code(issued: IssuedCode, keys: IssuerKeys, community: str = "") -> paper.PaperCode:
    return paper.PaperCode(
        qr_text=issued.qr_text,
        masked_name=issued.masked_name,
        colour=issued.colour,
        issuer_name=keys.issuer_name_zh,
        expires_at=issued.expires_at,
        community=community,
    )
