"""Issue 27: bounded request bodies (413 before reading), and no input reaching a 500 or a log."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from central.core.request_guard import (
    DEFAULT_BODY_LIMIT,
    ROSTER_IMPORT_BODY_LIMIT,
    UPLOAD_BODY_LIMIT,
    body_limit,
)
from sync.schemas import PASSAGES_PATH
from tests.central.conftest import Central


def test_each_route_has_its_documented_body_limit() -> None:
    assert body_limit(PASSAGES_PATH) == UPLOAD_BODY_LIMIT
    assert body_limit("/api/v1/employees/import") == ROSTER_IMPORT_BODY_LIMIT
    assert body_limit("/admin/login") == DEFAULT_BODY_LIMIT
    assert body_limit("/api/v1/checkpoints") == DEFAULT_BODY_LIMIT


def test_an_unsigned_upload_over_its_limit_is_refused_with_413_before_authentication(
    central: Central,
) -> None:
    body = b"x" * (UPLOAD_BODY_LIMIT + 1)
    answer = central.client.post(
        PASSAGES_PATH, content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"


def test_a_body_sent_without_content_length_is_refused_once_it_passes_the_limit(
    central: Central,
) -> None:
    sent = []

    def chunks() -> Iterator[bytes]:
        for _ in range(40):  # 40 x 8 KiB: well past the 64 KiB of a login form
            sent.append(1)
            yield b"a" * 8192

    answer = central.client.post(
        "/admin/login",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"


def test_a_roster_csv_over_four_mib_is_refused_before_it_is_read(central: Central) -> None:
    answer = central.client.post(
        "/api/v1/employees/import",
        content=b"a,b\n" * (ROSTER_IMPORT_BODY_LIMIT // 4 + 1),
        headers=central.admin_headers | {"Content-Type": "text/csv"},
    )
    assert answer.status_code == 413


def test_a_small_body_still_passes(central: Central) -> None:
    answer = central.post(
        "/api/v1/checkpoints",
        {
            "name": "东关社区北门",
            "checkpoint_type": "residential_compound",
            "region_code": "610102",
            "address": "西安市新城区东关正街1号",
        },
    )
    assert answer.status_code == 201


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": NaN, "checkpoint_type": "nope", "region_code": NaN, "address": 1}',
        b'{"name": "\\ud800", "checkpoint_type": "\\ud800", "region_code": "\\udfff"}',
        b'{"name": Infinity}',
    ],
)
def test_nan_and_lone_surrogates_in_invalid_fields_are_answered_422(
    central: Central, raw: bytes
) -> None:
    answer = central.client.post(
        "/api/v1/checkpoints",
        content=raw,
        headers=central.admin_headers | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["error"] == "bad_request"


def test_a_lone_surrogate_in_a_valid_field_is_not_a_server_error(central: Central) -> None:
    raw = (
        b'{"name": "\\ud800", "checkpoint_type": "residential_compound",'
        b' "region_code": "610102", "address": "\\udc00x"}'
    )
    answer = central.client.post(
        "/api/v1/checkpoints",
        content=raw,
        headers=central.admin_headers | {"Content-Type": "application/json"},
    )
    assert answer.status_code < 500, answer.text


def test_huge_offsets_and_days_before_the_calendar_are_refused_not_failed(
    central: Central,
) -> None:
    for path in (
        "/api/v1/employees?offset=1e20",
        "/api/v1/employees?offset=100000000000000000000",
        "/api/v1/reports/daily?day=0001-01-01",
        "/api/v1/reports/daily?day=9999-12-31",
    ):
        answer = central.get(path)
        assert answer.status_code < 500, (path, answer.text)


def test_no_log_line_holds_the_request_body_or_a_full_id_number(
    central: Central, caplog: pytest.LogCaptureFixture
) -> None:
    id_number = "61010219900307123X"
    caplog.set_level(logging.DEBUG)
    for raw in (
        f'{{"id_number": "{id_number}", "name": NaN}}'.encode(),
        f'{{"name": "{id_number}", "checkpoint_type": "{id_number}"}}'.encode(),
    ):
        answer = central.client.post(
            "/api/v1/checkpoints",
            content=raw,
            headers=central.admin_headers | {"Content-Type": "application/json"},
        )
        assert answer.status_code < 500
        assert id_number not in answer.text
    assert id_number not in caplog.text
