"""The six-level region tree: codes, levels, parents, the data file and its loader."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from central.cli import main
from central.core.db import make_engine, make_sessions, migrate, session_scope
from central.core.models import Region
from central.core.regions import (
    SAMPLE_FILE,
    Level,
    RegionCodeError,
    level_of,
    load_regions,
    parent_of,
    parse_regions,
)
from tests.central.areas import load_sample_regions, region_admin
from tests.central.conftest import Central


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("610000", Level.PROVINCE, None),
        ("610100", Level.CITY, "610000"),
        ("610102", Level.COUNTY, "610100"),
        ("610102001", Level.TOWN, "610102"),
        ("610102001001", Level.VILLAGE, "610102001"),
        ("610102001001001", Level.GROUP, "610102001001"),
    ],
)
def test_a_code_tells_its_level_and_its_parent(code: str, level: Level, parent: str | None) -> None:
    assert level_of(code) is level
    assert parent_of(code) == parent


@pytest.mark.parametrize(
    "code", ["", "61010", "6101020", "61010200100", "610102000", "61a102", "000000", "６１００００"]
)
def test_a_malformed_region_code_is_refused(code: str) -> None:
    with pytest.raises(RegionCodeError):
        level_of(code)


def test_the_sample_file_holds_all_six_levels_of_shaanxi() -> None:
    rows = parse_regions(SAMPLE_FILE.read_text(encoding="utf-8"))
    assert {row.level for row in rows} == set(Level)
    names = {row.code: row.name_zh for row in rows}
    assert names["610000"] == "陕西省" and names["610100"] == "西安市"
    assert names["610300"] == "宝鸡市"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("code,name\n610000,陕西省\n", "first line"),
        ("code,name_zh,name_en\n61000,陕西省,\n", "row 2"),
        ("code,name_zh,name_en\n610000,,Shaanxi\n", "no Chinese name"),
        ("code,name_zh,name_en\n610000,陕西省,\n610000,陕西,\n", "twice"),
        ("code,name_zh,name_en\n610000,陕西省\n", "3 fields"),
    ],
)
def test_a_bad_region_file_is_refused_with_the_line(text: str, problem: str) -> None:
    with pytest.raises(RegionCodeError, match=problem):
        parse_regions(text)


def test_a_region_without_its_parent_is_not_loaded_and_loading_twice_changes_nothing(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        sessions = make_sessions(engine)
        orphan = parse_regions("code,name_zh,name_en\n610102001,西一路街道,\n")
        with (
            pytest.raises(RegionCodeError, match="no parent region 610102"),
            session_scope(sessions) as session,
        ):
            load_regions(session, orphan)
        rows = parse_regions(SAMPLE_FILE.read_text(encoding="utf-8"))
        for _ in range(2):
            with session_scope(sessions) as session:
                assert load_regions(session, reversed(rows)) == len(rows)
        with session_scope(sessions) as session:
            stored = session.scalars(select(Region)).all()
            assert len(stored) == len(rows)
            street = session.get(Region, "610102001")
            assert street is not None and street.parent_code == "610102" and street.level == 4
    finally:
        engine.dispose()


def test_a_county_administrator_reads_the_regions_of_its_county_only(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    codes = {
        r["code"] for r in central.client.get("/api/v1/regions", headers=xincheng.headers).json()
    }
    assert "610102" in codes and "610102001001001" in codes
    assert all(code.startswith("610102") for code in codes)
    children = central.client.get(
        "/api/v1/regions", params={"parent": "610102"}, headers=xincheng.headers
    ).json()
    assert {r["level_name"] for r in children} == {"town or street"}
    assert central.client.get("/api/v1/regions/610100", headers=xincheng.headers).status_code == 404


def test_the_command_line_loads_and_lists_regions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert main([*data, "init"]) == 0
    assert main([*data, "regions", "load", str(SAMPLE_FILE)]) == 0
    assert main([*data, "regions", "list", "--parent", "610300"]) == 0
    out = capsys.readouterr().out
    assert "regions loaded" in out
    assert '"code": "610302"' in out and "渭滨区" in out
