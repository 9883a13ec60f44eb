"""The app factory: `create_app(settings)` builds everything; nothing is built at import."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from central import __doc__ as central_doc
from central.administration.routers import accounts as accounts_router
from central.administration.routers import audit as audit_router
from central.administration.routers import auth, checkpoints
from central.administration.routers import employees as employees_router
from central.administration.routers import enterprises as enterprises_router
from central.administration.routers import regions as regions_router
from central.core.clock import Clock, TokenSource, system_clock, system_tokens
from central.core.db import make_engine, make_sessions
from central.core.errors import install_error_handlers
from central.core.keystore import KeyStore
from central.core.ratelimit import MemoryWindows
from central.core.request_guard import install_request_guard
from central.core.settings import Settings
from central.issuance import routers as issuance_router
from central.issuance.sms import SmsSender
from central.issuance.sms_senders import sender_from_settings
from central.kiosks import passage_months
from central.kiosks.fast_lane import FastLane
from central.kiosks.routers import distribution as distribution_router
from central.kiosks.routers import enrollments, kiosks, passages, trail
from central.kiosks.routers import fleet as fleet_router
from central.kiosks.routers import releases as releases_router
from central.reports.routers import alerts as alerts_router
from central.reports.routers import exports as exports_router
from central.reports.routers import reports as reports_router
from central.web import issuance_page, region_picker, setup_page
from central.web import router as web_router
from central.web.api_docs import install_api_docs
from central.web.render import install_page_error_handler

VERSION = "0.1.0"

# A serving process's collector: the young generation is collected after this many new
# container objects (Python's default is 700). One request allocates thousands; at the default
# a busy server spent about 15% of its time in the collector (measured on self-declarations).
SERVING_GC_THRESHOLDS = (10_000, 50, 100)


def tune_gc_for_serving() -> None:
    """For the process that serves the app, once it is built: everything alive now (modules,
    routes, models, the app) lives as long as the process, so it is moved out of the
    collector's sight (`gc.freeze`), and young collections are made rarer. Self-declarations
    through HTTP went from about 1,200 to 1,500 a second (bench/issuance.py). Not done by
    `create_app`: a test process builds many apps and keeps its own collector settings."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVING_GC_THRESHOLDS)


def create_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    tokens: TokenSource = system_tokens,
    sms_sender: SmsSender | None = None,
) -> FastAPI:
    """An app on the database and keys the settings name (migrated and initialised already).

    The SMS sender is the one the settings name (`sender_from_settings`: refused when they name
    none), unless one is given."""
    if sms_sender is None:
        sms_sender = sender_from_settings(settings)
    engine = make_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[None]:
        passage_months.ensure_ahead(served.state.sessions, clock())  # issue 28: months ahead
        yield
        engine.dispose()
        close = getattr(sms_sender, "close", None)
        if callable(close):
            close()

    app = FastAPI(
        title="Health-code central service",
        version=VERSION,
        description=(central_doc or "").strip(),
        lifespan=lifespan,
        docs_url=None,  # central/web/api_docs.py: the same page, with assets served from here
        redoc_url=None,
        openapi_url="/openapi.json" if settings.api_docs else None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessions(engine)
    app.state.clock = clock
    app.state.tokens = tokens
    app.state.keys = KeyStore(settings.resolved_keys_dir)
    app.state.sms_sender = sms_sender
    app.state.region_lookups = MemoryWindows()  # the public region picker's rate limit
    install_error_handlers(app)
    # Issue 28: the hot kiosk routes (sync, feed poll, heartbeat, upload) answered in front of
    # FastAPI's routing; added before the guard, so the guard wraps it.
    app.add_middleware(FastLane)
    install_request_guard(app, clock)  # issue 27: bounded bodies, no input in a log or a 500
    install_page_error_handler(app)  # issue 24: a page's 400 in the page's language
    # Routes are matched in order: the busiest ones (the public's declarations, the kiosks'
    # uploads) first. No two routers share a path, so the order changes nothing else.
    app.include_router(issuance_page.router)  # issue 13: the self-declaration page
    app.include_router(issuance_router.router)  # issue 13
    app.include_router(region_picker.public_router)  # issue 24: regions by name, no login
    for module in (passages, auth, checkpoints, enrollments, kiosks, setup_page, trail):
        app.include_router(module.router)
    for module in (accounts_router, audit_router, regions_router):  # issue 12
        app.include_router(module.router)
    app.include_router(enterprises_router.router)  # issue 12: self-registration
    app.include_router(employees_router.router)  # issue 12: rosters
    app.include_router(distribution_router.router)  # issue 11
    for module in (alerts_router, fleet_router, reports_router, exports_router):  # issue 14
        app.include_router(module.router)
    app.include_router(web_router)  # issue 14: the administration pages
    app.include_router(releases_router.router)  # issue 15: signed kiosk releases
    if settings.api_docs:
        install_api_docs(app)  # issue 24: /docs with no internet
    return app
