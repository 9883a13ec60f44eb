"""What the task pages share: errors next to their fields in the page's language, the API's
refusals translated with their reason, and the viewer of a community worker.

A task page's form answers on the same page: what was typed is kept (`values`), each error sits
beside its field (`errors`, field -> words in the page's language), and a refusal of the API's
rules says why (`refusal`, the API's detail mapped to a `why_*` key). Nothing here decides
anything: the rules are the API router functions' own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError

from central.core.deps import NowDep, PageAdminDep, SessionDep, SettingsDep
from central.core.errors import RefusedError
from central.core.scope import IssuingPageScopeDep
from central.web.i18n import Translator
from central.web.render import CipherDep, Viewer
from central.web.task_words import CHOSEN, CONFLICTS, FIELD_WORDS, INDUSTRIES, why


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
