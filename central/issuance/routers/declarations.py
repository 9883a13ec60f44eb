"""Self-declaration: the published rules, SMS codes and the declaration (the page that calls
them is central/web/issuance_page.py)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from central.core.deps import NowDep, SessionsDep
from central.core.errors import ApiError
from central.core.scope import PUBLIC_ROUTES
from central.issuance import codes, phone_change, sms
from central.issuance.batching import loop_committer
from central.issuance.declarations import DeclarationError, Holder
from central.issuance.routers.common import (
    PREFIX,
    KeysDep,
    SvgQuery,
    app_keys,
    bad_request,
    code_out,
    declaration_of,
    sender_of,
)
from central.issuance.rules import available_rulesets, load_ruleset
from central.issuance.schemas import (
    IssuedOut,
    RecordedPhoneCodeIn,
    SelfDeclarationIn,
    SmsCodeIn,
)
from sync.schemas import RefusalReason

router = APIRouter()

PUBLIC_ROUTES.update(
    {
        ("GET", f"{PREFIX}/rulesets"): "the published colour rules and their sources",
        ("POST", f"{PREFIX}/sms-codes"): "asks for a phone code (rate-limited per phone/address)",
        (
            "POST",
            f"{PREFIX}/declarations",
        ): "a self-declaration, authorised by the phone's SMS code",
        ("POST", f"{PREFIX}/sms-codes/recorded-phone"): (
            "a code to the phone an ID was declared with (rate-limited; says nothing of the ID)"
        ),
    }
)


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
    sms.request_code(
        sessions,
        keys.cipher,
        sender_of(request),
        body.phone,
        client,
        now,
        per_phone_per_minute=request.app.state.settings.sms_codes_per_phone_per_minute,
    )
    return {"status": "sent"}


@router.post(f"{PREFIX}/sms-codes/recorded-phone", status_code=202)
def recorded_phone_code(
    body: RecordedPhoneCodeIn, request: Request, sessions: SessionsDep, keys: KeysDep, now: NowDep
) -> dict[str, str]:
    """For a declaration from a new phone: a code to the phone on record, if any (the same
    answer either way)."""
    client = request.client.host if request.client is not None else "unknown"
    phone_change.request_holder_code(
        sessions,
        keys,
        sender_of(request),
        body.id_type.value,
        body.id_number,
        client,
        now,
        per_phone_per_minute=request.app.state.settings.sms_codes_per_phone_per_minute,
    )
    return {"status": "sent"}


@router.post(f"{PREFIX}/declarations", status_code=201, response_model=IssuedOut)
async def declare(body: SelfDeclarationIn, request: Request, svg: SvgQuery = True) -> Response:
    """Declare with the phone's SMS code: the code is used up in the declaration's transaction.

    The hot path of issuance, so it is `async` with no thread-pool dependencies: the checks run
    here, the transaction is shared with the declarations arriving meanwhile (group commit on
    the event loop, `batching.LoopGroupCommitter`) and this answers once it is committed."""
    state = request.app.state
    keys = app_keys(state)
    now: datetime = state.clock()
    try:
        phone = sms.check_phone(body.phone)
    except sms.SmsError as error:
        raise bad_request(error, "phone") from None

    def verified(session: Session) -> bool:
        return sms.verify_code(session, keys.cipher, phone, body.sms_code, now)

    declaration = declaration_of(body, Holder(body.holder), phone)
    proven_phone_ix = None
    if body.previous_phone_code is not None:  # rare: a known ID moving to this phone
        proven_phone_ix = await run_in_threadpool(
            phone_change.verify_holder_code,
            state.sessions,
            keys,
            body.id_type.value,
            body.id_number,
            body.previous_phone_code,
            now,
        )
    try:
        if declaration.ruleset is not None:
            load_ruleset(declaration.ruleset)
        work = codes.declaration_work(
            keys, declaration, now, actor="holder", verify=verified, proven_phone_ix=proven_phone_ix
        )
        issued = await loop_committer(state, state.sessions).run(work)
    except DeclarationError as error:
        raise bad_request(error, error.field) from None
    except ValueError as error:
        raise bad_request(error) from None
    if issued is None:
        raise ApiError(401, RefusalReason.NOT_AUTHENTICATED, "sms_code: wrong or expired code")
    # Drawing the SVG takes tens of milliseconds of pure Python: not on the event loop.
    code = await run_in_threadpool(code_out, issued, True) if svg else code_out(issued, False)
    # Serialised here by pydantic's own encoder: FastAPI's response validation of a model
    # built a line above would cost a tenth of the request.
    answer = IssuedOut(holder_token=issued.holder_token, code=code)
    return Response(answer.model_dump_json(), status_code=201, media_type="application/json")
