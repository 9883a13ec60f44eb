"""The resident's pages, phone first, no login (issue 24):

- `GET /issuance`: the self-declaration, which gives the code;
- `GET /issuance/my-code`: "我的健康码": the code again (refreshed by itself while open), or
  found by ID number, phone and that phone's SMS code on a new phone;
- `GET /issuance/check-in`: the daily health check-in.

Each is a template in the page's language (Chinese first, `?lang=en`), rendered with no stored
data; `static/resident.js` calls the public issuance API (central/issuance/routers/
declarations.py and holder.py) with the holder token kept in the browser's session storage, and
shows each refusal beside the field it is about, in the page's language (the words come with the
page). Script and style are served here, so the strict headers allow no inline script.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from central.core.scope import PUBLIC_ROUTES
from central.web.i18n import Translator
from central.web.render import STATIC, language_of, render, static_file

PAGE_PATH = "/issuance"
MY_CODE_PATH = "/issuance/my-code"
CHECK_IN_PATH = "/issuance/check-in"
ASSETS_PATH = "/static/resident"
ASSETS = {
    "resident.js": "text/javascript; charset=utf-8",
    "resident.css": "text/css; charset=utf-8",
}
REFRESH_EVERY_S = 300  # the open code page fetches the current colour this often
SMS_WAIT_S = 60  # one SMS code a minute per phone (central.issuance.sms)
router = APIRouter(tags=["issuance"])

PUBLIC_ROUTES.update(
    {
        ("GET", PAGE_PATH): "the self-declaration page; it shows no stored data",
        ("GET", MY_CODE_PATH): "the resident's code page; the code comes by the holder token",
        ("GET", CHECK_IN_PATH): "the daily check-in page; it shows no stored data",
        ("GET", ASSETS_PATH + "/{name}"): "the resident pages' script and style sheet",
    }
)

# The words the script needs, by key of central/web/i18n.py: field errors, refusals, the code.
SCRIPT_WORDS = (
    "r_err_full_name",
    "r_err_id_number",
    "r_err_phone",
    "r_err_sms_code",
    "r_err_sms_code_wrong",
    "r_err_residence",
    "r_err_travel",
    "r_err_temperature_celsius",
    "r_err_symptoms",
    "r_err_contacts",
    "r_err_workplace",
    "r_err_rate_limited",
    "r_err_sms_failed",
    "r_err_network",
    "r_err_server",
    "r_err_check",
    "r_err_not_found",
    "r_sms_sent",
    "r_sms_wait",
    "r_sms_send",
    "r_now",
    "r_valid_until",
    "r_name",
    "r_refreshed_at",
    "r_checked_in",
    "green",
    "yellow",
    "red",
    "r_colour_green",
    "r_colour_yellow",
    "r_colour_red",
    "r_err_previous_phone_code",
    "r_err_previous_phone_code_wrong",
    "r_prev_sent",
    "r_prev_needed",
)


def _words(t: Translator) -> dict[str, str]:
    return {key: t(key) for key in SCRIPT_WORDS}


def _page(request: Request, template: str, page: str) -> HTMLResponse:
    t = Translator(language_of(request))
    return render(
        request,
        template,
        page=page,
        words=_words(t),
        refresh_every_s=REFRESH_EVERY_S,
        sms_wait_s=SMS_WAIT_S,
        viewer=None,
    )


@router.get(PAGE_PATH, response_class=HTMLResponse, include_in_schema=False)
def declaration_page(request: Request) -> HTMLResponse:
    return _page(request, "resident_declare.html", "declare")


@router.get(MY_CODE_PATH, response_class=HTMLResponse, include_in_schema=False)
def my_code_page(request: Request) -> HTMLResponse:
    return _page(request, "resident_code.html", "my-code")


@router.get(CHECK_IN_PATH, response_class=HTMLResponse, include_in_schema=False)
def check_in_page(request: Request) -> HTMLResponse:
    return _page(request, "resident_check_in.html", "check-in")


@router.get(ASSETS_PATH + "/{name}", include_in_schema=False)
def resident_asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        return Response(status_code=404)
    return static_file(STATIC / name, media_type)
