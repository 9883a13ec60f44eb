"""What every administration page shares: templates, strict headers, the viewer and its forms.

A logged-in page takes `ViewerDep`: the account's scope (`central.core.scope.page_scope`, the same
rules as the API's bearer scope, from the session cookie), an auditor bound to the page's route,
the language, and the session's CSRF form token. Pages read through the same router functions
the JSON API runs, so scope and audit are the API's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from inspect import isawaitable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from central.administration.routers.regions import may_load_regions
from central.core import regions
from central.core.audit import Auditor
from central.core.cipher import RecordCipher, record_cipher
from central.core.deps import SESSION_COOKIE, KeysDep, NowDep, PageAdminDep, SessionDep, SettingsDep
from central.core.errors import RefusedError
from central.core.models import Administrator
from central.core.scope import IssuingPageScopeDep, PageScopeDep, Scope
from central.core.settings import Settings
from central.web import csrf
from central.web.i18n import LANGUAGE_COOKIE, Translator, choose_language
from central.web.task_words import why
from sync.schemas import RefusalReason

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
MAX_FORM_BYTES = 16_384
HEADERS = {
    "Cache-Control": "no-store",  # every page behind the login shows data of some area
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "script-src 'self'; connect-src 'self'; "  # the region picker's script and look-ups
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
_STAFF = ("region_admin", "industry_department", "enterprise_admin", "epidemic_staff")
_NOT_ISSUING_ONLY = (*_STAFF, "technician", "supervisor")
# The navigation: key, page, the roles it is shown to (central/core/scope.py Role values).
NAV_ENTRIES = (
    ("nav_dashboard", "/admin", _NOT_ISSUING_ONLY),
    ("nav_proxy", "/admin/proxy-codes", ("region_admin", "community_worker")),
    ("nav_fever_cases", "/admin/fever-cases", (*_STAFF, "supervisor")),
    ("nav_tip_offs", "/admin/tip-offs", ("region_admin", "supervisor", "grid_worker")),
    ("nav_clinic", "/admin/clinic-events", ("region_admin",)),
    ("nav_area_risks", "/admin/area-risks", ("region_admin",)),
    # the province's administrator only (`province_admin` in the template)
    ("nav_national_risk", "/admin/national-risk", ("region_admin",)),
    ("nav_issuers", "/admin/issuers", ("region_admin", "technician", "enterprise_admin")),
    ("nav_check_ins", "/admin/check-ins", ("region_admin", "community_worker")),
    ("nav_accounts", "/admin/accounts", _NOT_ISSUING_ONLY),
    ("nav_enterprises", "/admin/enterprises", _NOT_ISSUING_ONLY),
    ("nav_staff", "/admin/staff", _NOT_ISSUING_ONLY),
    ("nav_fleet", "/admin/fleet", _NOT_ISSUING_ONLY),
    ("nav_alerts", "/admin/alerts", _NOT_ISSUING_ONLY),
    ("nav_reports", "/admin/reports", _NOT_ISSUING_ONLY),
    (
        "nav_regions",
        "/admin/regions",
        ("region_admin", "industry_department", "technician", "supervisor"),
    ),
    ("nav_audit", "/admin/audit", _NOT_ISSUING_ONLY),
)
STATUS_OF_REASON = {
    RefusalReason.NOT_FOUND: "not_found",
    RefusalReason.FORBIDDEN: "forbidden",
}


@cache
def _packaged_bytes(path: Path) -> bytes:
    """A file of the package (a script, a style sheet): read once; it never changes."""
    return path.read_bytes()


def static_file(path: Path, media_type: str, *, max_age_s: int = 3600) -> Response:
    """One of the package's files as the pages load it: no data in it, so browsers may keep it
    (`max_age_s`); its type is never guessed (nosniff)."""
    return Response(
        _packaged_bytes(path),
        media_type=media_type,
        headers={
            "Cache-Control": f"max-age={max_age_s}",
            "X-Content-Type-Options": HEADERS["X-Content-Type-Options"],
        },
    )


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return aware(moment).astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


def local_iso(moment: str | None) -> str:
    """An API answer's ISO time, as `local_time` shows it."""
    return local_time(datetime.fromisoformat(moment)) if moment else ""


@cache
def environment() -> Environment:
    """Built once: the templates are files of the package and never change while serving."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = local_time
    env.filters["local_iso"] = local_iso
    env.globals["nav_entries"] = NAV_ENTRIES
    env.globals["province_admin"] = may_load_regions
    return env


def language_of(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """The page in the request's language, with the strict headers; `?lang=` is remembered."""
    t = Translator(language_of(request))
    html = environment().get_template(template).render(t=t, path=request.url.path, **values)
    response = HTMLResponse(html, status_code=status_code, headers=HEADERS)
    chosen = request.query_params.get("lang")
    if chosen in ("zh", "en"):
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    parsed = parse_qs(raw[:MAX_FORM_BYTES].decode("utf-8", "replace"), max_num_fields=30)
    return {name: values[0].strip() for name, values in parsed.items()}


FormDep = Annotated[dict[str, str], Depends(_form)]


def _cipher(keys: KeysDep) -> RecordCipher:
    return record_cipher(keys.path)


CipherDep = Annotated[RecordCipher, Depends(_cipher)]


@dataclass
class Viewer:
    """One logged-in request: who, through which scope, in which language, with which forms."""

    request: Request
    session: Session
    admin: Administrator
    scope: Scope
    now: datetime
    cipher: RecordCipher
    settings: Settings

    @property
    def audit(self) -> Auditor:
        route = self.request.scope.get("route")
        template = getattr(route, "path_format", None) or self.request.url.path
        return Auditor(self.session, self.scope, self.now, f"{self.request.method} {template}")

    def auditor_for(self, scope: Scope) -> Auditor:
        """The same route's auditor for a narrower scope (a dashboard of one sub-area)."""
        audit = self.audit
        return Auditor(audit.session, scope, audit.now, audit.route)

    def region_names(self, codes: Iterable[str | None]) -> dict[str, str]:
        """The names of the regions a page lists, in its language (codes not loaded left out)."""
        english = language_of(self.request) == "en"
        return regions.names_of(self.session, (c for c in codes if c), english=english)

    @property
    def translator(self) -> Translator:
        """The page's words, for what the server builds in them (a chart's labels)."""
        return Translator(language_of(self.request))

    @property
    def csrf_token(self) -> str:
        return csrf.session_form_token(self.cipher, self.request.cookies.get(SESSION_COOKIE, ""))

    def form_is_genuine(self, form: dict[str, str]) -> bool:
        return csrf.is_valid_for_session(
            self.cipher, self.request.cookies.get(SESSION_COOKIE), form.get("csrf")
        )

    def page(
        self, template: str, *, nav: str, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        return render(
            self.request,
            template,
            status_code=status_code,
            nav=nav,
            viewer=self,
            csrf_token=self.csrf_token,
            **values,
        )

    def refusal(self, error: RefusedError, *, nav: str) -> HTMLResponse:
        """A refusal of the API's rules, as a page: 404 and 403 say nothing more; any other
        says why in the page's words (a detail the pages do not know: a generic sentence, never
        the API's English). What the refused call wrote is rolled back first, as the API's
        session dependency does."""
        self.session.rollback()
        key = STATUS_OF_REASON.get(error.reason)
        return self.page(
            "message.html",
            nav=nav,
            status_code=error.status_code,
            message_key=key or "bad_request",
            detail="" if key else self.translator(why(error.refusal_detail)),
        )

    def expired_form(self, *, nav: str) -> HTMLResponse:
        return self.page(
            "message.html", nav=nav, status_code=403, message_key="form_expired", detail=""
        )


def _viewer(
    request: Request,
    session: SessionDep,
    admin: PageAdminDep,
    scope: PageScopeDep,
    now: NowDep,
    cipher: CipherDep,
    settings: SettingsDep,
) -> Viewer:
    return Viewer(request, session, admin, scope, now, cipher, settings)


ViewerDep = Annotated[Viewer, Depends(_viewer)]


def _issuing_viewer(
    request: Request,
    session: SessionDep,
    admin: PageAdminDep,
    scope: IssuingPageScopeDep,
    now: NowDep,
    cipher: CipherDep,
    settings: SettingsDep,
) -> Viewer:
    return Viewer(request, session, admin, scope, now, cipher, settings)


# What the pages a community worker opens too use (the proxy codes' pages, the region picker's
# look-ups on them): the issuing scope, whose API checks still apply.
IssuingViewerDep = Annotated[Viewer, Depends(_issuing_viewer)]


def install_page_error_handler(app: FastAPI) -> None:
    """A page's malformed address (`/admin/reports/daily.csv?day=soon`) answers a page in its
    language, with a generic sentence (no English validation detail on a Chinese page); the
    JSON API keeps the answer installed before (the request guard's, else FastAPI's own)."""
    api_answer = app.exception_handlers.get(
        RequestValidationError, request_validation_exception_handler
    )

    async def on_invalid(request: Request, error: Exception) -> Response:
        if not isinstance(error, RequestValidationError):  # registered for it only
            raise error
        if not request.url.path.startswith("/admin"):
            answered = api_answer(request, error)
            return await answered if isawaitable(answered) else answered
        t = Translator(language_of(request))
        return render(
            request,
            "message.html",
            status_code=400,
            nav="",
            viewer=None,
            message_key="bad_request",
            detail=t("err_generic"),
        )

    app.add_exception_handler(RequestValidationError, on_invalid)
