"""What the task pages share: errors next to their fields in the page's language, the API's
refusals translated with their reason, and the viewer of a community worker.

A task page's form answers on the same page: what was typed is kept (`values`), each error sits
beside its field (`errors`, field -> words in the page's language), and a refusal of the API's
rules says why (`refusal`, the API's detail mapped to a `why_*` key). Nothing here decides
anything: the rules are the API router functions' own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError

from central.core.deps import NowDep, PageAdminDep, SessionDep, SettingsDep
from central.core.errors import RefusedError
from central.core.scope import IssuingPageScopeDep
from central.web.i18n import Translator
from central.web.render import CipherDep, Viewer
from central.web.task_words import INDUSTRIES

# The API's refusal details (English, for programs) -> the words a person reads.
WHY = {
    "no code was issued for this ID": "why_not_on_record",
    "only a region administrator or community worker of this area": "why_issuing_area",
    "only a region administrator of this area": "why_region_admin_area",
    "your role does not decide fever cases": "why_fever_role",
    "no open fever case with this id": "why_fever_closed",
    "no such fever case in your area": "why_fever_missing",
    "no such person in your area": "err_no_person",
    "only a confirmed case is discharged cured": "why_discharge",
    "a follow-up follows a discharge": "why_followup",
    "only a suspected case is ruled out": "why_ruled_out",
    "a confirmed case ends isolation by discharge": "why_isolation_end",
    "could not be stored; try again": "why_not_stored",
    # the administration forms: accounts, enterprises, staff, checkpoints, kiosks, exports
    "an enterprise administrator adds epidemic staff only": "why_staff_only",
    "epidemic staff are added by their 11-digit mobile number": "err_mobile",
    "epidemic staff belong to the creator's own enterprise": "why_own_enterprise",
    "epidemic staff are added by their enterprise's administrator": "why_staff_by_enterprise",
    "an enterprise administrator needs its enterprise": "err_enterprise_needed",
    "the enterprise lies outside the creator's area": "why_enterprise_outside",
    "the new account's area lies outside the creator's area": "why_area_outside",
    "region administrators create the administrators of the level just below theirs": (
        "why_next_level"
    ),
    "an industry department names its industry (lower-case code)": "err_industry",
    "enterprises are registered by a region administrator": "why_enterprise_creator",
    "the enterprise's region lies outside the creator's area": "why_area_outside",
    "an industry is a lower-case code such as manufacturing": "err_industry",
    "an enterprise gate names its enterprise": "why_gate_enterprise",
    "no such enterprise in your area": "why_enterprise_missing",
    "you may register checkpoints in your own area only": "why_checkpoint_area",
    "your role does not manage checkpoints": "why_manage_checkpoints",
    "your role does not manage kiosks": "why_manage_kiosks",
    "the last day comes before the first": "err_day_order",
    "the end must come after the start": "err_day_order",
    # issue 25: a grid worker (liaison) is created with its mobile number
    "a grid worker's tip-offs come by SMS: its 11-digit mobile number": "why_liaison_phone",
}
# Details that name a value (a user name, a region code): matched by their shape.
WHY_SHAPES = (
    (re.compile(r"^the user name .+ is taken$"), "why_username_taken"),
    (re.compile(r"^an? \w+ account creates no accounts$"), "why_creates_none"),
    (re.compile(r"^an? \w+ account needs an area"), "err_region"),
    (re.compile(r"^a community worker's area is a town"), "err_community_level"),
    (re.compile(r"^no enterprise \S+$"), "why_enterprise_missing"),
    (re.compile(r"^area \d+ lies outside region \d+$"), "err_region"),
    (re.compile(r"^(region code|issuer) "), "err_region"),
    (re.compile(r"^not a valid resident ID number"), "err_id_number"),
    (re.compile(r"^the reason \w+ does not fit a \w+$"), "fever_err_reason_fit"),
    (re.compile(r"^week .+: (write it as|\d+ has no week)"), "err_week"),
)
# A refusal that is a clash with what exists, answered 409 on a page.
CONFLICTS = frozenset({"why_username_taken"})
# A declaration's field at fault (`DeclarationError.field`, a validation error's location).
FIELD_WORDS = {
    "full_name": "err_full_name",
    "id_number": "err_id_number",
    "residence": "err_region",
    "area_code": "err_region",
    "region_code": "err_region",
    "username": "err_username",
    "mobile": "err_mobile",
    "phone": "err_mobile",
    "industry": "err_industry",
    "name": "err_name",
    "address": "err_address",
    "first_day": "err_day",
    "last_day": "err_day",
}
# Fields answered with "choose one" when left empty (a list to choose from, not a text).
CHOSEN = frozenset(
    {"event", "level", "id_type", "role", "checkpoint_type", "kind", "format", "colour", "industry"}
)


def why(detail: str) -> str:
    """The `why_*`/`err_*` key of an API refusal's detail (`people[3]: ...` and `field: ...`
    prefixes looked through); the generic words when the detail is not one the pages know."""
    text = detail
    while True:
        if text in WHY:
            return WHY[text]
        for shape, key in WHY_SHAPES:
            if shape.match(text):
                return key
        head, sep, rest = text.partition(": ")
        if not sep:
            break
        if head in FIELD_WORDS:
            return FIELD_WORDS[head]
        text = rest
    return "err_generic"


def refusal_words(t: Translator, error: RefusedError) -> str:
    return t(why(error.refusal_detail))


def refusal_status(error: RefusedError) -> int:
    """A page's status for a refusal: 409 for a clash, 400 for input the rules did not take."""
    if why(error.refusal_detail) in CONFLICTS:
        return 409
    return 400 if error.status_code == 422 else error.status_code


def refusal_beside(
    t: Translator, error: RefusedError, fields: Mapping[str, str], default: str
) -> dict[str, str]:
    """The refusal's words beside the field its reason is about (`fields`: key -> field)."""
    key = why(error.refusal_detail)
    return {fields.get(key, default): t(key)}


def validation_errors(t: Translator, error: ValidationError) -> dict[str, str]:
    """Field -> the error beside it, in the page's language."""
    found: dict[str, str] = {}
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if isinstance(part, str)]
        if not location:
            continue
        name = location[-1]
        if item.get("type") == "missing" or (item.get("input") in ("", None)):
            key = "err_choose" if name in CHOSEN else "err_required"
            key = "err_region" if name in ("residence", "area_code") else key
        elif name in CHOSEN:
            key = "err_choose"
        else:
            key = FIELD_WORDS.get(name, "err_generic")
        found.setdefault(name, t(key))
    return found


def industry_names(t: Translator) -> dict[str, str]:
    """Industry code -> its name in the page's language (the choices of the forms)."""
    return {code: t(f"industry_{code}") for code in INDUSTRIES}


def form_values(form: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """What was typed into a form's fields, trimmed, to show again."""
    return {name: str(form.get(name) or "").strip() for name in names}


def declaration_field(error: RefusedError) -> str | None:
    """The field a declaration's refusal names (`id_number: ...`), if it names one."""
    head, sep, _ = error.refusal_detail.partition(": ")
    return head if sep and head in FIELD_WORDS else None


def _issuing_viewer(
    request: Request,
    session: SessionDep,
    admin: PageAdminDep,
    scope: IssuingPageScopeDep,
    now: NowDep,
    cipher: CipherDep,
    settings: SettingsDep,
) -> Viewer:
    """The viewer of the pages a community worker may open too (the API's `IssuingScopeDep`):
    the same scope; each page still calls the API's own checks of role and residence."""
    return Viewer(request, session, admin, scope, now, cipher, settings)


IssuingViewerDep = Annotated[Viewer, Depends(_issuing_viewer)]
