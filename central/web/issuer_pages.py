"""Accepted issuers as a page (issue 26): which other issuers' trust lists central has imported
(issuer, keys, when signed and imported; `healthcode trust-list import` on the server's key
folder), and per checkpoint which issuers its kiosks accept (the policy rule
`accepted_issuers`), changed by whoever manages that checkpoint (`Scope.may_manage_checkpoint_at`:
the area's administrator or technician, the enterprise's administrator). A change raises the
checkpoint's policy version, so its kiosks download the new policy; it is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from central.core.audit import Action
from central.core.errors import ApiError
from central.core.keystore import KeyStore
from central.core.models import Checkpoint
from central.core.scope import Role
from central.web.render import FormDep, Viewer, ViewerDep, language_of
from healthcode.keydir import IMPORTED, KeyDirError
from healthcode.trust import TrustListError
from sync.schemas import RefusalReason

router = APIRouter(include_in_schema=False)

NAV = "nav_issuers"
MAX_CHECKPOINTS = 200
ROLES = (Role.REGION_ADMIN, Role.TECHNICIAN, Role.ENTERPRISE_ADMIN)


@dataclass(frozen=True)
class KnownIssuer:
    code: str
    name: str
    own: bool


@dataclass(frozen=True)
class ImportRow:
    issuers: tuple[KnownIssuer, ...]
    keys: int
    sequence: int
    signed_at: datetime
    imported_at: datetime | None


def _imports(viewer: Viewer) -> tuple[list[KnownIssuer], list[ImportRow]]:
    """Our own issuer and the imported lists, as the page names them."""
    store: KeyStore = viewer.request.app.state.keys
    english = language_of(viewer.request) == "en"
    if not store.exists:
        return [], []
    keydir = store.keydir()

    def named(issuer: Any, own: bool) -> KnownIssuer:
        name = issuer.name.en if english and issuer.name.en else issuer.name.zh
        return KnownIssuer(issuer.region_code, name, own)

    known = [named(keydir.issuer, True)]
    rows = []
    try:
        imported = keydir.imported()
    except (TrustListError, KeyDirError, OSError, ValueError):
        imported = []  # a damaged import is the server operator's; `trust-list imports` says
    for item in imported:
        issuers = tuple(named(issuer, False) for issuer in item.issuers)
        known.extend(issuers)
        path = keydir.path / IMPORTED / f"{item.root.kid.hex()}.trust"
        at = datetime.fromtimestamp(path.stat().st_mtime, UTC) if path.exists() else None
        rows.append(
            ImportRow(
                issuers,
                item.issuer_key_count,
                item.trust_list.sequence,
                item.trust_list.issued_at_utc,
                at,
            )
        )
    return known, rows


def _page(
    viewer: Viewer,
    *,
    saved: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    scope = viewer.scope
    if scope.role not in ROLES:
        return viewer.refusal(
            ApiError(403, RefusalReason.FORBIDDEN, "checkpoint managers only"), nav=NAV
        )
    known, imports = _imports(viewer)
    checkpoints = viewer.session.scalars(
        select(Checkpoint)
        .where(scope.checkpoint_filter())
        .order_by(Checkpoint.name)
        .limit(MAX_CHECKPOINTS)
    ).all()
    editable = {
        c.id for c in checkpoints if scope.may_manage_checkpoint_at(c.area_code, c.enterprise_id)
    }
    viewer.audit.record(Action.LIST, "checkpoint", len(checkpoints))
    return viewer.page(
        "issuers.html",
        nav=NAV,
        status_code=status_code,
        known=known,
        names={k.code: k.name for k in known},
        imports=imports,
        checkpoints=checkpoints,
        editable=editable,
        saved=saved,
        errors=errors or {},
    )


@router.get("/admin/issuers")
def issuers_page(viewer: ViewerDep) -> HTMLResponse:
    return _page(viewer)


@router.post("/admin/issuers/{checkpoint_id}")
def set_accepted_issuers(checkpoint_id: str, viewer: ViewerDep, form: FormDep) -> HTMLResponse:
    """`mode` = all (every issuer on the trust list) or listed (the ticked `issuer_<code>`)."""
    if not viewer.form_is_genuine(form):
        return viewer.expired_form(nav=NAV)
    scope = viewer.scope
    checkpoint = viewer.session.scalars(
        select(Checkpoint).where(Checkpoint.id == checkpoint_id, scope.checkpoint_filter())
    ).first()
    if checkpoint is None:
        return viewer.refusal(ApiError(404, RefusalReason.NOT_FOUND, "no checkpoint"), nav=NAV)
    if scope.role not in ROLES or not scope.may_manage_checkpoint_at(
        checkpoint.area_code, checkpoint.enterprise_id
    ):
        return viewer.refusal(
            ApiError(403, RefusalReason.FORBIDDEN, "your role does not manage it"), nav=NAV
        )
    known, _ = _imports(viewer)
    codes = {k.code for k in known}
    accepted: list[str] | None = None
    if form.get("mode") == "listed":
        accepted = sorted(
            name.removeprefix("issuer_")
            for name, value in form.items()
            if name.startswith("issuer_") and value == "1" and name[7:] in codes
        )
        if not accepted:
            t = viewer.translator
            return _page(viewer, errors={checkpoint.id: t("is_err_none")}, status_code=400)
    if accepted != checkpoint.accepted_issuers:
        checkpoint.accepted_issuers = accepted
        checkpoint.policy_version += 1
        viewer.audit.record(Action.CHANGE, "checkpoint", 1)
        viewer.session.commit()
    return _page(viewer, saved=checkpoint.id)
