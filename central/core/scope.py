"""What an account may see: the one place every read is filtered through.

An account's scope is its role plus an area (a region code of any of the six levels), an
industry (industry departments) or an enterprise (enterprise administrators and their epidemic
staff). Each `*_filter` returns a SQL condition for one kind of object; routes take `ScopeDep`
and filter on the server. A route that takes no scope must be on `PUBLIC_ROUTES` or be a signed
kiosk request; tests/central/test_scope_routes.py walks the route table to hold that.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

import fastapi.routing
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.routing import APIRoute
from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from central.core.deps import CurrentAdminDep, PageAdminDep, _signed_kiosk
from central.core.errors import ApiError
from central.core.models import (
    Administrator,
    AuditEntry,
    Checkpoint,
    Enterprise,
    Kiosk,
    Person,
    Region,
)
from central.core.regions import RegionCodeError, contains, prefix_of
from sync.schemas import API_PREFIX, ENROLLMENTS_PATH, RefusalReason


class Role(StrEnum):
    REGION_ADMIN = "region_admin"  # one of the six levels, by the level of its area
    INDUSTRY_DEPARTMENT = "industry_department"  # the enterprises of its industry in its area
    ENTERPRISE_ADMIN = "enterprise_admin"  # its enterprise; adds epidemic staff
    EPIDEMIC_STAFF = "epidemic_staff"  # its enterprise's checkpoints
    TECHNICIAN = "technician"  # enrolls kiosks in its area
    SUPERVISOR = "supervisor"  # reviews the records of its area
    # Issues proxy and paper codes for the residents of its town or community; nothing else.
    COMMUNITY_WORKER = "community_worker"
    # A liaison (网格员) of its area: the tip-offs dispatched to it (issue 25); nothing else.
    GRID_WORKER = "grid_worker"


AREA_ROLES = frozenset(
    {
        Role.REGION_ADMIN,
        Role.INDUSTRY_DEPARTMENT,
        Role.TECHNICIAN,
        Role.SUPERVISOR,
        Role.COMMUNITY_WORKER,
        Role.GRID_WORKER,
    }
)
# Who issues proxy codes for the people living in its area (central/issuance/routers/proxy.py).
ISSUING_ROLES = frozenset({Role.REGION_ADMIN, Role.COMMUNITY_WORKER})
ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_STAFF})

# Routes that need no scope, and why. Everything else takes ScopeDep or a signed kiosk request.
PUBLIC_ROUTES: dict[tuple[str, str], str] = {
    ("POST", f"{API_PREFIX}/auth/setup"): "first login with a one-time setup or activation token",
    ("POST", f"{API_PREFIX}/auth/login"): "logging in (throttled, with lockout)",
    ("GET", f"{API_PREFIX}/auth/me"): "the caller's own account name, nothing else",
    ("GET", "/setup"): "the password form; it shows no data",
    ("POST", "/setup"): "the password form's post: the setup token and a CSRF token",
    ("POST", ENROLLMENTS_PATH): "a kiosk, authorised by its one-time enrollment code",
    ("GET", "/admin/login"): "the administration pages' login form; it shows no data",
    ("POST", "/admin/login"): "logging in (throttled and locked out as the API's login)",
    ("GET", "/admin/admin.css"): "the administration pages' style sheet",
}


def _within(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], prefix: str
) -> ColumnElement[bool]:
    # Codes are digits only, so the prefix needs no LIKE escaping.
    return column.startswith(prefix)


@dataclass(frozen=True)
class Scope:
    account_id: str
    role: Role
    area: str | None
    industry: str | None = None
    enterprise_id: str | None = None

    @property
    def prefix(self) -> str | None:
        if self.area is None:
            return None
        try:
            return prefix_of(self.area)
        except RegionCodeError:
            return None

    def describe(self) -> str:
        """For the audit log: which filter a read went through (no personal data)."""
        if self.role in ENTERPRISE_ROLES:
            return f"enterprise:{self.enterprise_id}"
        parts = [f"area:{self.area or '-'}"]
        if self.role is Role.INDUSTRY_DEPARTMENT:
            parts.append(f"industry:{self.industry}")
        return " ".join(parts)

    def covers(self, code: str) -> bool:
        """True when the region `code` lies in this account's area."""
        if self.area is None:
            return False
        try:
            return contains(self.area, code)
        except RegionCodeError:
            return False

    def _area(
        self, column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None]
    ) -> ColumnElement[bool]:
        prefix = self.prefix
        return false() if prefix is None else _within(column, prefix)

    # ---------------------------------------------------------------- filters, one per kind

    def enterprise_filter(self) -> ColumnElement[bool]:
        if self.role is Role.COMMUNITY_WORKER:
            return false()
        if self.role in ENTERPRISE_ROLES:
            return false() if self.enterprise_id is None else Enterprise.id == self.enterprise_id
        condition = self._area(Enterprise.area_code)
        if self.role is Role.INDUSTRY_DEPARTMENT:
            condition = condition & (Enterprise.industry == (self.industry or ""))
        return condition

    def visible_enterprise_ids(self) -> Select[str]:
        return select(Enterprise.id).where(self.enterprise_filter())

    def checkpoint_filter(self) -> ColumnElement[bool]:
        if self.role is Role.COMMUNITY_WORKER:
            return false()
        if self.role in ENTERPRISE_ROLES:
            if self.enterprise_id is None:
                return false()
            return Checkpoint.enterprise_id == self.enterprise_id
        if self.role is Role.INDUSTRY_DEPARTMENT:
            return Checkpoint.enterprise_id.in_(self.visible_enterprise_ids())
        return self._area(Checkpoint.area_code)

    def visible_checkpoint_ids(self) -> Select[str]:
        """For anything kept per checkpoint (kiosks, passages, fever cases)."""
        return select(Checkpoint.id).where(self.checkpoint_filter())

    def kiosk_filter(self) -> ColumnElement[bool]:
        return Kiosk.checkpoint_id.in_(self.visible_checkpoint_ids())

    def account_filter(self) -> ColumnElement[bool]:
        own = Administrator.id == self.account_id
        if self.role is Role.REGION_ADMIN:
            return or_(own, self._area(Administrator.area_code))
        if self.role is Role.ENTERPRISE_ADMIN and self.enterprise_id is not None:
            return or_(own, Administrator.enterprise_id == self.enterprise_id)
        return own

    def audit_filter(self) -> ColumnElement[bool]:
        """The level above reviews its area's entries; others see their own reads."""
        own = AuditEntry.actor_id == self.account_id
        if self.role is Role.REGION_ADMIN:
            return or_(own, self._area(AuditEntry.actor_area))
        if self.role is Role.ENTERPRISE_ADMIN and self.enterprise_id is not None:
            return or_(own, AuditEntry.actor_enterprise_id == self.enterprise_id)
        return own

    def region_filter(self) -> ColumnElement[bool]:
        return self._area(Region.code)

    def person_filter(self) -> ColumnElement[bool]:
        """Code holders by where they live: a region administrator's or a community worker's
        area; nobody else."""
        if self.role not in ISSUING_ROLES:
            return false()
        return self._area(Person.residence_area)

    # ---------------------------------------------------------------- what the account may do

    def may_manage_checkpoint_at(self, area_code: str, enterprise_id: str | None = None) -> bool:
        """Register checkpoints, issue enrollment codes, edit rosters, revoke kiosks."""
        if self.role in (Role.REGION_ADMIN, Role.TECHNICIAN):
            return self.covers(area_code)
        if self.role is Role.ENTERPRISE_ADMIN:
            return enterprise_id is not None and enterprise_id == self.enterprise_id
        return False


def scope_of(admin: Administrator) -> Scope:
    try:
        role = Role(admin.role)
    except ValueError:
        role = Role.SUPERVISOR  # an unknown role gets the narrowest scope with an area
    return Scope(
        account_id=admin.id,
        role=role,
        area=admin.area_code or admin.region_code,
        industry=admin.industry,
        enterprise_id=admin.enterprise_id,
    )


def _not_issuing_only(scope: Scope) -> Scope:
    if scope.role is Role.COMMUNITY_WORKER:
        raise ApiError(
            403, RefusalReason.FORBIDDEN, "a community worker issues proxy and paper codes only"
        )
    if scope.role is Role.GRID_WORKER:
        raise ApiError(403, RefusalReason.FORBIDDEN, "a grid worker handles its tip-offs only")
    return scope


def current_scope(admin: CurrentAdminDep) -> Scope:
    """The scope of every administrator's route; a community worker is refused (403) here, so
    a route admits one only by asking for `IssuingScopeDep` instead."""
    return _not_issuing_only(scope_of(admin))


ScopeDep = Annotated[Scope, Depends(current_scope)]


def issuing_scope(admin: CurrentAdminDep) -> Scope:
    """The scope of the issuance routes a community worker may use (proxy and paper codes);
    each such route still checks the role and the residence (central/issuance/routers/)."""
    return scope_of(admin)


IssuingScopeDep = Annotated[Scope, Depends(issuing_scope)]


COMMUNITY_WORKER_PAGE = "/admin/proxy-codes"
GRID_WORKER_PAGE = "/admin/tip-offs"
# The one page each of the narrow roles is sent to when it opens another.
HOME_PAGES = {Role.COMMUNITY_WORKER: COMMUNITY_WORKER_PAGE, Role.GRID_WORKER: GRID_WORKER_PAGE}


def page_scope(request: Request, admin: PageAdminDep) -> Scope:
    """The same scope for the administration pages, whose session travels in a cookie. A
    community worker opening another page is sent to its own (a post is refused, 403)."""
    scope = scope_of(admin)
    home = HOME_PAGES.get(scope.role)
    if home is not None and request.method == "GET":
        raise HTTPException(303, "the account's own page", headers={"Location": home})
    return _not_issuing_only(scope)


PageScopeDep = Annotated[Scope, Depends(page_scope)]


def issuing_page_scope(admin: PageAdminDep) -> Scope:
    """`issuing_scope` for the pages: the proxy and paper code pages and the start page, which
    a community worker opens too; each still runs the API's checks of role and residence."""
    return scope_of(admin)


IssuingPageScopeDep = Annotated[Scope, Depends(issuing_page_scope)]


def tip_off_page_scope(admin: PageAdminDep) -> Scope:
    """The tip-off pages' scope (central/web/tip_off_pages.py): a grid worker's own page, also
    open to the area's administrators and supervisors; a community worker is refused (403)."""
    scope = scope_of(admin)
    if scope.role is Role.COMMUNITY_WORKER:
        _not_issuing_only(scope)
    return scope


TipOffPageScopeDep = Annotated[Scope, Depends(tip_off_page_scope)]


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Every API route of the app with its full path, routers included."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    if contexts is None:  # FastAPI before 0.160 keeps a flat route list
        return [(r.path, r) for r in app.routes if isinstance(r, APIRoute)]
    return [
        (str(context.path), context.original_route)
        for context in contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]


def route_guard(path: str, route: APIRoute) -> str | None:
    """How a route is guarded: `scope`, `kiosk`, `public`, or None when it is not."""
    calls = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        calls.add(dependant.call)
        pending.extend(dependant.dependencies)
    guards = (current_scope, page_scope, issuing_scope, issuing_page_scope, tip_off_page_scope)
    if any(guard in calls for guard in guards):
        return "scope"
    if _signed_kiosk in calls:
        return "kiosk"
    if any((method, path) in PUBLIC_ROUTES for method in route.methods or ()):
        return "public"
    return None
