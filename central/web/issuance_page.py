"""The self-declaration page (`GET /issuance`): one static page for a phone, no login.

Its script calls the public issuance API (central/issuance/routers/declarations.py and
holder.py) with the holder token the declaration returns; the page itself shows no stored data.
It is a template beside the administration pages', rendered with no values.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from central.core.scope import PUBLIC_ROUTES
from central.web.render import environment

PAGE_PATH = "/issuance"
TEMPLATE = "issuance.html"
router = APIRouter(tags=["issuance"])

PUBLIC_ROUTES[("GET", PAGE_PATH)] = "the self-declaration page; it shows no stored data"


@router.get(PAGE_PATH, response_class=HTMLResponse, include_in_schema=False)
def page() -> HTMLResponse:
    return HTMLResponse(environment().get_template(TEMPLATE).render())
