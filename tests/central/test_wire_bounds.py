"""Issue 27: every field bounded at the wire, bad records refused alone, exports that survive
any stored value."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import update

from central.core.db import session_scope
from central.core.models import ReceivedPassage
from kiosk.client.enrollment import Enrollment
from sync.schemas import PASSAGES_PATH, UploadAck, UploadBatch
from tests.central.conftest import Central
from tests.central.kiosks import enrolled_kiosk
from tests.central.received import add_checkpoint_and_kiosk, add_passage
from tests.upload_support import T0, batch, passage_record

# Path segments are bounded by the server's request-line limit and only ever compared.
UNBOUNDED_BY_NATURE = frozenset({"path"})


def _unbounded(schema: dict[str, Any], where: str, found: list[str]) -> None:
    kind = schema.get("type")
    free_text = schema.get("format") not in ("date", "date-time", "uuid", "binary")
    if (
        kind == "string"
        and free_text
        and not {"enum", "const", "pattern", "maxLength"} & set(schema)
    ):
        found.append(f"{where}: a string without maxLength")
    if kind == "integer" and not {"maximum", "exclusiveMaximum"} & set(schema):
        found.append(f"{where}: an integer without maximum")
    if kind == "number" and not ({"maximum"} <= set(schema) and {"minimum"} <= set(schema)):
        found.append(f"{where}: a number without minimum and maximum")
    if kind == "array" and "maxItems" not in schema:
        found.append(f"{where}: an array without maxItems")
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        if "maxProperties" not in schema:
            found.append(f"{where}: a mapping without maxProperties")
        _unbounded(schema["additionalProperties"], f"{where}{{}}", found)
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            _unbounded(part, where, found)
    for name, part in schema.get("properties", {}).items():
        _unbounded(part, f"{where}.{name}", found)
    if isinstance(schema.get("items"), dict):
        _unbounded(schema["items"], f"{where}[]", found)


def _referenced(document: Any, into: set[str]) -> None:
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "$ref":
                into.add(str(value).rsplit("/", 1)[-1])
            else:
                _referenced(value, into)
    elif isinstance(document, list):
        for value in document:
            _referenced(value, into)


def _request_schemas(app: FastAPI) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    document = app.openapi()
    components: dict[str, Any] = document.get("components", {}).get("schemas", {})
    parameters: list[tuple[str, dict[str, Any]]] = []
    bodies: set[str] = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] not in UNBOUNDED_BY_NATURE:
                    where = f"{method.upper()} {path} {parameter['in']} {parameter['name']}"
                    parameters.append((where, parameter["schema"]))
            _referenced(operation.get("requestBody", {}), bodies)
    while True:  # every model a request body reaches
        more = set(bodies)
        for name in bodies:
            _referenced(components.get(name, {}), more)
        if more == bodies:
            break
        bodies = more
    return parameters, {name: components[name] for name in sorted(bodies)}


def test_every_request_field_of_the_api_is_bounded(central: Central) -> None:
    parameters, models = _request_schemas(central.app)
    found: list[str] = []
    for where, schema in parameters:
        _unbounded(schema, where, found)
    for name, schema in models.items():
        _unbounded(schema, name, found)
    upload = UploadBatch.model_json_schema()
    for name, schema in upload.get("$defs", {}).items():
        _unbounded(schema, f"upload {name}", found)
    print(f"{len(parameters)} parameters and {len(models) + 1} request models checked")
    assert found == []


@pytest.fixture
def kiosk(central: Central, tmp_path: Path) -> Enrollment:
    return enrolled_kiosk(central, tmp_path / "kiosk", region_code="610124")


def _broken(good: dict[str, Any], **passage: Any) -> dict[str, Any]:
    return dict(good, record_id=str(uuid.uuid4()), passage=dict(good["passage"], **passage))


def test_each_out_of_bounds_record_is_refused_alone_and_the_rest_of_its_batch_stored(
    central: Central, kiosk: Enrollment
) -> None:
    central.clock.now = T0 + timedelta(minutes=5)
    body = batch(passage_record(1), passage_record(2)).model_dump(mode="json")
    good = body["records"][0]
    bad = [
        _broken(good, at="2026-11-23T08:00:01"),  # naive
        _broken(good, at="9999-12-31T23:59:59Z"),
        _broken(good, at="2026-12-31T00:00:00Z"),  # beyond the clock tolerance
        _broken(good, at="2020-01-01T00:00:00Z"),  # before the retention window
        _broken(good, seq=2**63),
        _broken(good, policy_version=2**64),
        _broken(good, temperature_celsius=1e308),
        _broken(good, operator_id="x" * 100_000),
    ]
    raw = json.dumps({"batch_id": body["batch_id"], "records": [*body["records"], *bad]})
    answer = central.client.post(
        PASSAGES_PATH, content=raw.encode(), auth=kiosk.identity.auth(clock=central.clock)
    )
    assert answer.status_code == 200, answer.text
    results = UploadAck.model_validate_json(answer.content).results
    assert [r.status.value for r in results] == ["stored", "stored"] + ["rejected"] * len(bad)
    for result, record in zip(results[2:], bad, strict=True):
        assert str(result.record_id) == record["record_id"]
        assert (result.reason or "").startswith("malformed: passage.")
    with central.app.state.sessions() as session:
        assert session.query(ReceivedPassage).count() == 2


@pytest.mark.parametrize("temperature", ["NaN", "Infinity", "-Infinity"])
def test_a_temperature_that_is_not_a_number_is_refused_alone(
    central: Central, kiosk: Enrollment, temperature: str
) -> None:
    central.clock.now = T0 + timedelta(minutes=5)
    body = batch(passage_record(1)).model_dump(mode="json")
    bad = _broken(body["records"][0], temperature_celsius=12345.678)
    raw = json.dumps({"batch_id": body["batch_id"], "records": [*body["records"], bad]})
    raw = raw.replace("12345.678", temperature)
    answer = central.client.post(
        PASSAGES_PATH, content=raw.encode(), auth=kiosk.identity.auth(clock=central.clock)
    )
    assert answer.status_code == 200, answer.text
    statuses = [r.status.value for r in UploadAck.model_validate_json(answer.content).results]
    assert statuses == ["stored", "rejected"]


def test_a_two_million_character_address_is_refused(central: Central) -> None:
    checkpoint = {
        "name": "东关社区北门",
        "checkpoint_type": "residential_compound",
        "region_code": "610102",
    }
    huge = central.post("/api/v1/checkpoints", checkpoint | {"address": "东" * 2_000_000})
    assert huge.status_code == 413
    long = central.post("/api/v1/checkpoints", checkpoint | {"address": "东" * 501})
    assert long.status_code == 422 and "address" in long.json()["detail"]


def test_passage_exports_survive_any_stored_value(central: Central) -> None:
    add_checkpoint_and_kiosk(central, "cp-x", "k-x", region="610102", name="东关")
    extremes: list[dict[str, Any]] = [
        {"at": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "temperature_celsius": 1e308},
        {"at": datetime(9999, 12, 31, 23, 59, 58, tzinfo=UTC), "temperature_celsius": 1e308},
        {"at": datetime(1, 1, 1, tzinfo=UTC), "temperature_celsius": float("-inf")},
        {"at": T0, "temperature_celsius": float("inf")},
        {"at": T0, "temperature_celsius": float("nan")},
    ]
    for number, columns in enumerate(extremes):
        record_id = f"00000000-0000-4000-8000-{number:012d}"
        add_passage(central, record_id, "k-x", "cp-x", T0, region="610102")
        with session_scope(central.app.state.sessions) as session:  # as an older release stored
            session.execute(
                update(ReceivedPassage).where(ReceivedPassage.id == record_id).values(**columns)
            )
    for file_format in ("csv", "xlsx"):
        answer = central.post("/api/v1/exports", {"kind": "passages", "format": file_format})
        assert answer.status_code == 202, answer.text
        created = answer.json()
        assert created["status"] == "done", created
        download = central.get(f"/api/v1/exports/{created['export_id']}/download")
        assert download.status_code == 200


def test_a_lone_surrogate_in_one_record_is_refused_alone_and_the_rest_of_its_batch_stored(
    central: Central, kiosk: Enrollment
) -> None:
    central.clock.now = T0 + timedelta(minutes=5)
    body = batch(passage_record(1), passage_record(2)).model_dump(mode="json")
    bad = _broken(body["records"][0], masked_name="SURROGATE")
    raw = json.dumps({"batch_id": body["batch_id"], "records": [*body["records"], bad]})
    raw = raw.replace("SURROGATE", "\\ud800")  # JSON's escape of half a UTF-16 pair
    answer = central.client.post(
        PASSAGES_PATH, content=raw.encode(), auth=kiosk.identity.auth(clock=central.clock)
    )
    assert answer.status_code == 200, answer.text
    results = UploadAck.model_validate_json(answer.content).results
    assert [r.status.value for r in results] == ["stored", "stored", "rejected"]
    assert str(results[2].record_id) == bad["record_id"]
    assert results[2].reason == "malformed: passage.masked_name: not valid text"
    with central.app.state.sessions() as session:
        assert session.query(ReceivedPassage).count() == 2
