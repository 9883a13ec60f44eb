"""The holder's own code, by the holder token: refreshed, as PNG, SVG or paper, and daily
check-ins."""

from __future__ import annotations

import io

import segno
from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker

from central.core.deps import NowDep, SessionsDep
from central.core.errors import ApiError
from central.core.scope import PUBLIC_ROUTES
from central.issuance import changes, codes, paper, sms
from central.issuance.codes import IssuedCode, PersonNotFoundError
from central.issuance.declarations import Holder
from central.issuance.people import IssuerKeys
from central.issuance.routers.common import (
    PREFIX,
    HolderTokenDep,
    KeysDep,
    bad_request,
    code_out,
    paper_code,
    svg_of,
)
from central.issuance.schemas import CheckInIn, CodeOut, ColourOut, IssuedOut, LookUpIn
from healthcode.claims import CodeKind
from sync.schemas import RefusalReason

router = APIRouter()

PUBLIC_ROUTES.update(
    {
        ("POST", f"{PREFIX}/code/refresh"): "the holder's own code, by the holder token",
        ("POST", f"{PREFIX}/code.png"): "the holder's own code as PNG, by the holder token",
        ("POST", f"{PREFIX}/code.svg"): "the holder's own code as SVG, by the holder token",
        ("POST", f"{PREFIX}/code.pdf"): "the holder's own paper code, by the holder token",
        ("POST", f"{PREFIX}/check-ins"): "the holder's daily check-in, by the holder token",
        ("POST", f"{PREFIX}/code/look-up"): "one's own code by ID, phone and that phone's SMS code",
    }
)


def _refreshed(
    sessions: sessionmaker[Session], keys: IssuerKeys, token: str, now: object
) -> IssuedCode:
    try:
        return codes.refresh(sessions, keys, token, now)  # type: ignore[arg-type]
    except PersonNotFoundError:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "unknown holder token") from None


@router.post(f"{PREFIX}/code/refresh")
def refresh(token: HolderTokenDep, sessions: SessionsDep, keys: KeysDep, now: NowDep) -> CodeOut:
    return code_out(_refreshed(sessions, keys, token, now))


@router.post(f"{PREFIX}/code/look-up", response_model=IssuedOut)
def look_up(body: LookUpIn, sessions: SessionsDep, keys: KeysDep, now: NowDep) -> IssuedOut:
    """One's own code again (a new phone, a cleared browser): a new holder token. Wrong code,
    unknown person and another's phone all answer the same 401."""
    try:
        phone = sms.check_phone(body.phone)
    except sms.SmsError as error:
        raise bad_request(error, "phone") from None

    def verified(session: Session) -> bool:
        return sms.verify_code(session, keys.cipher, phone, body.sms_code, now)

    issued = codes.look_up(sessions, keys, body.id_type.value, body.id_number, phone, verified, now)
    if issued is None:
        raise ApiError(
            401, RefusalReason.NOT_AUTHENTICATED, "sms_code: no code for this ID and phone"
        )
    return IssuedOut(holder_token=issued.holder_token, code=code_out(issued))


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
        svg_of(issued.qr_text), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
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
    pdf = paper.render([paper_code(issued, keys)])
    return Response(pdf, media_type="application/pdf", headers={"Cache-Control": "no-store"})


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
