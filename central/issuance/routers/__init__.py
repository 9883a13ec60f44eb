"""Issuance: self-declaration (API and a mobile page), proxy codes, paper codes, colour events.

Holders authenticate with the holder token their declaration returned (`Authorization:
Bearer`); those routes are on the public allow-list, each with its reason. Administrators'
routes take the scope: a region administrator issues and prints codes for people living in
its area, records clinic events for them, sets area risk levels inside it, and decides the
fever cases of its checkpoints. A `community_worker` account (a town or community) does the
proxy declarations and paper codes of its residents and nothing else: those routes take
`IssuingScopeDep`, and so does the list of its residents' check-ins; every other route
refuses it. Every read of stored data and every proxy
issuance is audited.
"""

from __future__ import annotations

from fastapi import APIRouter

from central.issuance.routers import (
    area_risks,
    check_ins,
    clinic,
    declarations,
    fever_cases,
    holder,
    proxy,
)

router = APIRouter(tags=["issuance"])
for resource in (declarations, holder, proxy, clinic, area_risks, fever_cases, check_ins):
    router.include_router(resource.router)
