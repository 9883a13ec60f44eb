"""The API's documentation page (`/docs`, Swagger UI) with its assets served by central itself.

FastAPI's own `/docs` loads Swagger UI's script and style sheet from a CDN: on a network with no
internet the page stays blank. Here the files come from the installed `fastapi-offline` package,
which ships a current Swagger UI build (only its files are used, not its app class), through
FastAPI's documented `get_swagger_ui_html(swagger_js_url=..., swagger_css_url=...)`.
The setting `api_docs = false` (CENTRAL_API_DOCS) switches the page and /openapi.json off.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from central.core.scope import PUBLIC_ROUTES
from central.web.render import static_file

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
SWAGGER_FILES = Path(fastapi_offline.__file__).resolve().parent / "static"
# The only files served, with their media types: nothing else of the folder is reachable.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}

PUBLIC_ROUTES.update(
    {
        ("GET", DOCS_PATH): "the API's documentation page (setting api_docs)",
        ("GET", ASSETS_PATH + "/{name}"): "Swagger UI's script, style sheet and icon",
    }
)


def install_api_docs(app: FastAPI) -> None:
    """Add /docs and its assets to an app built with `docs_url=None`."""
    router = APIRouter(include_in_schema=False)
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title

    @router.get(DOCS_PATH)
    def docs_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} · API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )

    @router.get(ASSETS_PATH + "/{name}")
    def docs_asset(name: str) -> Response:
        media_type = ASSETS.get(name)
        if media_type is None:
            return Response(status_code=404)
        return static_file(SWAGGER_FILES / name, media_type, max_age_s=86400)

    app.include_router(router)
