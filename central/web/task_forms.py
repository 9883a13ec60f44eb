"""What the task pages share: errors next to their fields in the page's language, the API's
refusals translated with their reason, and the viewer of a community worker.

A task page's form answers on the same page: what was typed is kept (`values`), each error sits
beside its field (`errors`, field -> words in the page's language), and a refusal of the API's
rules says why (`refusal`, the API's detail mapped to a `why_*` key). Nothing here decides
anything: the rules are the API router functions' own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError

from central.core.deps import NowDep, PageAdminDep, SessionDep, SettingsDep
from central.core.errors import RefusedError
from central.core.scope import IssuingPageScopeDep
from central.web.i18n import Translator
from central.web.render import CipherDep, Viewer

# The API's refusal details (English, for programs) -> the words a person reads.
WHY = {
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
}
# A declaration's field at fault (`DeclarationError.field`, a validation error's location).
FIELD_WORDS = {
    "full_name": "err_full_name",
    "id_number": "err_id_number",
    "residence": "err_region",
    "area_code": "err_region",
}


def why(detail: str) -> str:
    """The `why_*`/`err_*` key of an API refusal's detail (`people[3]: ...` and `field: ...`
    prefixes looked through); the generic words when the detail is not one the pages know."""
    text = detail
    while True:
        if text in WHY:
            return WHY[text]
        head, sep, rest = text.partition(": ")
        if not sep:
            break
        if head in FIELD_WORDS:
            return FIELD_WORDS[head]
        text = rest
    return "err_generic"


def refusal_words(t: Translator, error: RefusedError) -> str:
    return t(why(error.refusal_detail))


def validation_errors(t: Translator, error: ValidationError) -> dict[str, str]:
    """Field -> the error beside it, in the page's language."""
    found: dict[str, str] = {}
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if isinstance(part, str)]
        if not location:
            continue
        name = location[-1]
        if item.get("type") == "missing" or (item.get("input") in ("", None)):
            key = "err_choose" if name in ("event", "level", "id_type") else "err_required"
            key = "err_region" if name in ("residence", "area_code") else key
        else:
            key = FIELD_WORDS.get(name, "err_generic")
        found.setdefault(name, t(key))
    return found


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
