"""The national list of risk areas as a page (issue 26): the list in force, its history, the
upload of a signed list file and the polled URL's last result. The province's administrator
only (as for loading the region file); every read and import is audited.

An uploaded file goes through `central.issuance.national_risk.import_list`, as the CLI's and
the poll's do: verified against the pinned publisher key, refused whole with the reason beside
the form in the page's language, or applied (its recompute job worked by the periodic jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from starlette.datastructures import UploadFile

from central.administration.routers.regions import may_load_regions
from central.core.audit import Action
from central.core.errors import ApiError
from central.core.models import Administrator, NationalRiskList, RecomputeJob
from central.issuance.national_cli import last_poll, publisher_key
from central.issuance.national_risk import (
    MAX_DOCUMENT_BYTES,
    ImportResult,
    NationalListError,
    import_list,
)
from central.web.render import Viewer, ViewerDep
from sync.schemas import RefusalReason

router = APIRouter(include_in_schema=False)

NAV = "nav_national_risk"
HISTORY_ROWS = 50


@dataclass(frozen=True)
class ListRow:
    """One imported list as the page shows it."""

    sequence: int
    publisher: str
    issued_at: Any
    imported_at: Any
    source: str
    areas: int
    imported_by: str  # a username, or "" for the server's own import
    job_status: str  # "", pending, running or done
    people_changed: int
    people_processed: int


def _forbidden() -> ApiError:
    return ApiError(403, RefusalReason.FORBIDDEN, "the province's administrator only")


def _rows(viewer: Viewer) -> list[ListRow]:
    session = viewer.session
    lists = session.scalars(
        select(NationalRiskList).order_by(NationalRiskList.sequence.desc()).limit(HISTORY_ROWS)
    ).all()
    job_ids = [item.job_id for item in lists if item.job_id]
    jobs = {
        job.id: job
        for job in session.scalars(select(RecomputeJob).where(RecomputeJob.id.in_(job_ids)))
    }
    account_ids = [item.imported_by for item in lists if item.imported_by]
    names: dict[str, str] = {
        account_id: username
        for account_id, username in session.execute(
            select(Administrator.id, Administrator.username).where(
                Administrator.id.in_(account_ids)
            )
        )
    }
    rows = []
    for item in lists:
        job = jobs.get(item.job_id or "")
        rows.append(
            ListRow(
                sequence=item.sequence,
                publisher=(item.publisher or "")[:16],
                issued_at=item.issued_at,
                imported_at=item.imported_at,
                source=item.source,
                areas=item.areas,
                imported_by=names.get(item.imported_by or "", ""),
                job_status=job.status if job else "",
                people_changed=job.changed if job else 0,
                people_processed=job.processed if job else 0,
            )
        )
    return rows


def _page(
    viewer: Viewer,
    *,
    error: str = "",
    imported: ImportResult | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if not may_load_regions(viewer.scope):
        return viewer.refusal(_forbidden(), nav=NAV)
    rows = _rows(viewer)
    settings = viewer.settings
    poll = last_poll(viewer.session, settings.national_risk_url)
    viewer.audit.record(Action.LIST, "national_risk_list", len(rows))
    return viewer.page(
        "national_risk.html",
        nav=NAV,
        status_code=status_code,
        in_force=rows[0] if rows else None,
        history=rows,
        error=error,
        imported=imported,
        poll_url=settings.national_risk_url or "",
        poll_every_s=settings.national_risk_poll_s,
        poll=poll,
    )


@router.get("/admin/national-risk")
def national_risk_page(viewer: ViewerDep) -> HTMLResponse:
    return _page(viewer)


@router.post("/admin/national-risk")
async def upload_national_list(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """A signed list file from the page: imported whole or refused with its reason beside the
    form, in the page's language; audited (`import`)."""
    if not may_load_regions(viewer.scope):
        return viewer.refusal(_forbidden(), nav=NAV)
    form = await request.form(max_files=1, max_fields=2, max_part_size=MAX_DOCUMENT_BYTES)
    if not viewer.form_is_genuine({"csrf": str(form.get("csrf") or "")}):
        await form.close()
        return viewer.expired_form(nav=NAV)
    upload = form.get("national_list")
    content, name = b"", ""
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_DOCUMENT_BYTES + 1)
        name = upload.filename
    await form.close()
    t = viewer.translator
    if not content:
        return _page(viewer, error=t("nr_err_file"), status_code=400)
    viewer.session.commit()  # the import writes through a session of its own
    try:
        result = import_list(
            request.app.state.sessions,
            content,
            publisher_key(viewer.settings),
            viewer.settings.issuer_region_code,
            viewer.now,
            source=f"upload: {name}"[:255],
            actor=viewer.scope.account_id,
        )
    except NationalListError as refused:
        viewer.session.rollback()
        return _page(viewer, error=t(f"nr_err_{refused.kind}"), status_code=422)
    viewer.audit.record(Action.IMPORT, "national_risk_list", result.areas)
    return _page(viewer, imported=result)
