"""Exports (issue 14): fixed formats against reference files, filters inside the scope, audit,
and large exports worked by the jobs runner in batches with their progress."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import Administrator, AuditEntry, Checkpoint, Enterprise, ExportJob, Person
from central.core.scope import Scope, scope_of
from central.issuance.people import PeopleCipher
from central.reports.exports import (
    ExportFormat,
    ExportKind,
    ExportRequest,
    ExportState,
    build_filters,
    export_status,
    open_export_file,
    purge_expired_exports,
    run_due_exports,
    start_export,
)
from tests.central.areas import bearer, load_sample_regions, province_account_id, region_admin
from tests.central.conftest import Central
from tests.central.issuance_world import declaration, declare, id_number
from tests.central.received import add_checkpoint_and_kiosk, add_passage

DATA = Path(__file__).parent / "data"
SHANGHAI_MIDNIGHT = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)  # 2026-11-22 00:00 local
API = "/api/v1/exports"


def _people(central: Central) -> dict[str, bytes]:
    """Three people declared through the issuance API; their code indexes by name."""
    declare(
        central,
        declaration(
            1,
            full_name="张三丰",
            travel=[{"area": "440300", "last_day": "2026-11-20"}],
        ),
    )
    declare(
        central,
        declaration(
            2,
            full_name="=李四",
            residence="610113001001",
            workplace="+雁塔饭店",
            phone="13900000002",
        ),
    )
    declare(
        central,
        declaration(3, full_name="王五", residence="610124101001", phone="13900000003"),
    )
    with session_scope(central.app.state.sessions) as session:
        cipher = PeopleCipher.load_or_create(central.settings.resolved_keys_dir)
        return {
            cipher.open(p.name_enc, p.id, "name"): p.code_ix
            for p in session.scalars(select(Person))
        }


def _world(central: Central) -> dict[str, bytes]:
    load_sample_regions(central)
    codes = _people(central)
    add_checkpoint_and_kiosk(central, "cp-east", "k-east", region="610102", name="东关社区北门")
    add_checkpoint_and_kiosk(central, "cp-south", "k-south", region="610113", name="=HYPERLINK()")
    with session_scope(central.app.state.sessions) as session:
        south = session.get(Checkpoint, "cp-south")
        assert south is not None
        factory = Enterprise(
            name="雁塔电子厂",
            area_code="610113",
            industry="electronics",
            created_at=central.clock(),
        )
        session.add(factory)
        session.flush()
        south.enterprise_id = factory.id
    at = SHANGHAI_MIDNIGHT
    add_passage(
        central,
        "00000000-0000-4000-8000-000000000002",
        "k-south",
        "cp-south",
        at + timedelta(hours=9, minutes=30),
        region="610113",
        masked_name="+李*",
        code_ix=codes["=李四"],
        fever=True,
        temperature_celsius=38.04,
        outcome="refer",
        direction="in",
        colour_applied="yellow",
        trip_reason="return_to_work",
    )
    add_passage(
        central,
        "00000000-0000-4000-8000-000000000001",
        "k-east",
        "cp-east",
        at + timedelta(hours=8),
        region="610102",
        code_ix=codes["张三丰"],
        trip_reason="return_home",
    )
    add_passage(
        central,
        "00000000-0000-4000-8000-000000000003",
        "k-east",
        "cp-east",
        at + timedelta(days=1, hours=1),
        region="610102",
        masked_name="-@*",
        code_ix=None,
        direction="out",
    )
    return codes


def _province_scope(central: Central) -> Scope:
    with session_scope(central.app.state.sessions) as session:
        admin = session.scalars(select(Administrator).where(Administrator.username == "admin"))
        return scope_of(admin.one())


def _download(central: Central, export_id: str, headers: dict[str, str]) -> bytes:
    answer = central.client.get(f"{API}/{export_id}/download", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.content


def test_a_passage_export_as_csv_matches_the_reference_file_byte_for_byte(
    central: Central,
) -> None:
    _world(central)
    answer = central.post(API, {"kind": "passages", "format": "csv"})
    assert answer.status_code == 202, answer.text
    created = answer.json()
    assert created["status"] == "done" and created["rows_total"] == 3
    body = _download(central, created["export_id"], central.admin_headers)
    assert body == (DATA / "export-passages.csv").read_bytes()


def test_a_roster_export_as_csv_matches_the_reference_file_byte_for_byte(
    central: Central,
) -> None:
    _world(central)
    answer = central.post(API, {"kind": "roster", "format": "csv"})
    assert answer.status_code == 202, answer.text
    body = _download(central, answer.json()["export_id"], central.admin_headers)
    assert body == (DATA / "export-roster.csv").read_bytes()


@pytest.mark.parametrize("kind", ["passages", "roster"])
def test_an_xlsx_export_holds_the_same_cells_as_the_csv_reference(
    central: Central, kind: str
) -> None:
    _world(central)
    answer = central.post(API, {"kind": kind, "format": "xlsx"})
    assert answer.status_code == 202, answer.text
    answer_file = central.client.get(
        f"{API}/{answer.json()['export_id']}/download", headers=central.admin_headers
    )
    assert answer_file.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(answer_file.content), read_only=True).active
    assert sheet is not None
    cells = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    expected = (DATA / f"export-{kind}.csv").read_text(encoding="utf-8-sig").splitlines()
    assert cells == list(csv.reader(expected))


def test_formula_cells_are_defused_in_both_formats(central: Central) -> None:
    _world(central)
    for kind, defused in (
        ("roster", {"'=李四"}),
        ("passages", {"'=HYPERLINK()", "'+李*", "'-@*"}),
    ):
        export_id = central.post(API, {"kind": kind, "format": "xlsx"}).json()["export_id"]
        content = _download(central, export_id, central.admin_headers)
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet is not None
        values = {cell.value for row in sheet.iter_rows() for cell in row}
        assert defused <= values
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        text = (DATA / f"export-{kind}.csv").read_text(encoding="utf-8-sig")
        assert all(value in text for value in defused)


def test_the_download_is_named_in_chinese_with_an_ascii_fallback(central: Central) -> None:
    _world(central)
    export_id = central.post(API, {"kind": "roster"}).json()["export_id"]
    answer = central.client.get(f"{API}/{export_id}/download", headers=central.admin_headers)
    disposition = answer.headers["content-disposition"]
    assert 'filename="roster-20261123-' in disposition
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded).startswith("花名册-20261123-")


def test_filters_narrow_the_rows_by_enterprise_colour_fever_region_person_and_days(
    central: Central,
) -> None:
    codes = _world(central)
    assert codes

    def rows(filters: dict[str, object], kind: str = "passages") -> list[str]:
        answer = central.post(API, {"kind": kind, "filters": filters})
        assert answer.status_code == 202, answer.text
        text = _download(central, answer.json()["export_id"], central.admin_headers)
        return [line.split(",")[0] for line in text.decode("utf-8-sig").splitlines()[1:]]

    two = "00000000-0000-4000-8000-000000000002"
    with session_scope(central.app.state.sessions) as session:
        factory = session.scalars(select(Enterprise.id)).one()
    assert rows({"enterprise_id": factory}) == [two]
    assert rows({"enterprise_id": factory}, "roster") == ["'=李四"]
    assert rows({"colour": "yellow"}) == [two]
    assert rows({"fever_only": True}) == [two]
    assert rows({"region_code": "610113"}) == [two]
    assert rows({"id_number": id_number(2)}) == [two]
    assert rows({"first_day": "2026-11-23", "last_day": "2026-11-23"}) == [
        "00000000-0000-4000-8000-000000000003"
    ]
    assert rows({"region_code": "610124"}, "roster") == ["王五"]
    assert rows({"colour": "green", "fever_only": True}, "roster") == ["'=李四"]
    assert rows({"id_number": id_number(1)}, "roster") == ["张三丰"]


def test_a_bad_filter_is_refused_naming_the_field_and_not_the_value(central: Central) -> None:
    answer = central.post(API, {"kind": "passages", "filters": {"id_number": "610102198001011234"}})
    assert answer.status_code == 422
    assert "id_number" in answer.json()["detail"] and "1234" not in answer.json()["detail"]
    answer = central.post(API, {"filters": {"region_code": "12"}})
    assert answer.status_code == 422


def test_a_county_never_sees_another_countys_rows_and_others_cannot_see_its_export(
    central: Central,
) -> None:
    _world(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    yanta = region_admin(central, xian.headers, "yanta", "610113")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    # Asking for another county's region only narrows, never widens.
    answer = central.client.post(
        API, json={"kind": "passages", "filters": {"region_code": "610102"}}, headers=yanta.headers
    )
    assert answer.json()["rows_total"] == 0
    answer = central.client.post(API, json={"kind": "roster"}, headers=yanta.headers)
    export_id = answer.json()["export_id"]
    names = _download(central, export_id, yanta.headers).decode("utf-8-sig")
    assert "'=李四" in names and "张三丰" not in names and "王五" not in names
    # The city above may see it; the neighbouring county may not.
    assert central.client.get(f"{API}/{export_id}", headers=xian.headers).status_code == 200
    assert central.client.get(f"{API}/{export_id}", headers=xincheng.headers).status_code == 404
    refused = central.client.get(f"{API}/{export_id}/download", headers=xincheng.headers)
    assert refused.status_code == 404


def test_each_export_is_audited_with_its_filters_and_row_count(central: Central) -> None:
    _world(central)
    central.post(
        API, {"kind": "passages", "filters": {"fever_only": True, "id_number": id_number(2)}}
    )
    with session_scope(central.app.state.sessions) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "passages")
        ).one()
    assert entry.action == "export" and entry.row_count == 1
    assert "fever" in entry.route and "person:one" in entry.route
    assert id_number(2) not in entry.route


def test_a_large_export_is_queued_and_worked_by_the_runner_in_batches(
    central: Central,
) -> None:
    _world(central)
    settings = central.settings.model_copy(
        update={"export_inline_max_rows": 1, "export_batch_rows": 2}
    )
    scope = _province_scope(central)
    request = ExportRequest(
        ExportKind.PASSAGES, ExportFormat.CSV, build_filters(settings, central.clock())
    )
    sessions = central.app.state.sessions
    with sessions() as session:
        queued = start_export(session, scope, request, settings=settings, now=central.clock())
    assert queued.state is ExportState.QUEUED and queued.rows_total == 3
    assert not queued.downloadable
    progress: list[int] = []

    def clock() -> datetime:
        with sessions() as watcher:
            job = watcher.get(ExportJob, queued.export_id)
            assert job is not None
            progress.append(job.rows_done)
        return central.clock()

    assert run_due_exports(sessions, settings, clock, "runner-a") == 1
    assert 2 in progress  # a first batch of two was recorded before the rest
    assert run_due_exports(sessions, settings, central.clock, "runner-b") == 0
    with sessions() as session:
        done = export_status(session, scope, queued.export_id, central.clock())
        file = open_export_file(session, scope, queued.export_id, now=central.clock())
    assert done.state is ExportState.DONE and done.rows_done == 3 and done.progress == 1.0
    assert file.path.read_bytes() == (DATA / "export-passages.csv").read_bytes()


def test_an_export_file_expires_after_the_set_time(central: Central) -> None:
    _world(central)
    export_id = central.post(API, {"kind": "passages"}).json()["export_id"]
    central.clock.advance(minutes=central.settings.export_ttl_minutes, seconds=1)
    headers = bearer(central, province_account_id(central))
    answer = central.client.get(f"{API}/{export_id}/download", headers=headers)
    assert answer.status_code == 410
    assert purge_expired_exports(central.app.state.sessions, central.clock()) == 1
    assert not list(central.settings.resolved_exports_dir.glob("*.csv"))


def test_an_export_being_made_is_left_alone_until_its_workers_lease_lapses(
    central: Central,
) -> None:
    _world(central)
    settings = central.settings.model_copy(update={"export_inline_max_rows": 0})
    sessions = central.app.state.sessions
    request = ExportRequest(
        ExportKind.ROSTER, ExportFormat.XLSX, build_filters(settings, central.clock())
    )
    with sessions() as session:
        queued = start_export(
            session, _province_scope(central), request, settings=settings, now=central.clock()
        )
    with session_scope(sessions) as session:
        job = session.get(ExportJob, queued.export_id)
        assert job is not None
        job.status, job.lease_owner = "running", "a process that stopped"
        job.lease_until = central.clock() + timedelta(minutes=5)
    assert run_due_exports(sessions, settings, central.clock, "runner") == 0
    central.clock.advance(minutes=5, seconds=1)
    assert run_due_exports(sessions, settings, central.clock, "runner") == 1
    with sessions() as session:
        done = export_status(session, _province_scope(central), queued.export_id)
    assert done.state is ExportState.DONE and done.rows_done == 3


def test_an_export_is_private_at_rest_and_gone_after_its_one_audited_download(
    central: Central,
) -> None:
    _world(central)
    export_id = central.post(API, {"kind": "roster"}).json()["export_id"]
    folder = central.settings.resolved_exports_dir
    (file,) = folder.glob(f"{export_id}.*")
    assert (folder.stat().st_mode & 0o777, file.stat().st_mode & 0o777) == (0o700, 0o600)
    database = central.settings.data_dir / "central.db"
    if database.exists():  # SQLite: the database is its owner's only too
        assert database.stat().st_mode & 0o777 == 0o600
        assert central.settings.data_dir.stat().st_mode & 0o777 == 0o700
    assert central.settings.resolved_keys_dir.stat().st_mode & 0o777 == 0o700
    first = central.client.get(f"{API}/{export_id}/download", headers=central.admin_headers)
    assert first.status_code == 200 and first.content
    assert not file.exists()
    again = central.client.get(f"{API}/{export_id}/download", headers=central.admin_headers)
    assert again.status_code == 410
    with central.app.state.sessions() as session:
        downloads = session.scalars(
            select(AuditEntry.row_count).where(AuditEntry.object_type == "roster_file")
        ).all()
    assert len(downloads) == 1 and downloads[0] > 0
