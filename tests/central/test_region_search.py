"""Finding regions by name for the region picker: Chinese names, pinyin and its initials, the
children of a region, the path of a code; an account's area bounds what it finds, the public
declaration page sees the whole tree within a rate limit."""

from __future__ import annotations

from sqlalchemy import select

from central.core.db import session_scope
from central.core.models import Region
from central.core.regions import parse_regions, romanise
from tests.central.areas import audit_count, load_sample_regions, region_admin
from tests.central.conftest import Central

PUBLIC = "/api/v1/issuance/regions"


def _codes(answer: list[dict[str, object]]) -> list[object]:
    return [hit["code"] for hit in answer]


def test_a_name_reads_as_pinyin_and_its_initials() -> None:
    assert romanise("碑林区") == ("beilinqu", "blq")
    assert romanise("长安区") == ("changanqu", "caq")
    assert romanise("东二村") == ("dongercun", "dec")


def test_loading_the_regions_keeps_the_pinyin_of_each_name(central: Central) -> None:
    load_sample_regions(central)
    with session_scope(central.app.state.sessions) as session:
        beilin = session.get(Region, "610103")
        assert beilin is not None
        assert (beilin.pinyin, beilin.pinyin_initials) == ("beilinqu", "blq")
        missing = session.scalars(select(Region.code).where(Region.pinyin_initials.is_(None)))
        assert missing.all() == []


def test_a_region_is_found_by_its_chinese_name_with_the_names_above_it(central: Central) -> None:
    load_sample_regions(central)
    found = central.client.get(
        "/api/v1/regions/search", params={"q": "西一路"}, headers=central.admin_headers
    ).json()
    assert _codes(found) == ["610102001", "610102001002"]
    assert found[0]["name_zh"] == "西一路街道"
    assert found[0]["path_zh"] == "陕西省 / 西安市 / 新城区"
    assert found[0]["path_en"] == "Shaanxi / Xi'an / Xincheng District"
    assert found[0]["level_name_zh"] == "乡镇/街道" and found[0]["has_children"] is True
    assert found[1]["has_children"] is False


def test_a_region_is_found_by_its_pinyin_initials_or_pinyin(central: Central) -> None:
    load_sample_regions(central)
    for query in ("blq", "BL", "beilin", "Beilin"):
        found = central.client.get(
            "/api/v1/regions/search", params={"q": query}, headers=central.admin_headers
        ).json()
        assert found and found[0]["code"] == "610103", query
    by_code = central.client.get(
        "/api/v1/regions/search", params={"q": "6101030"}, headers=central.admin_headers
    ).json()
    assert _codes(by_code) == ["610103001", "610103002", "610103001001"]


def test_an_exact_initials_match_comes_before_longer_ones(central: Central) -> None:
    load_sample_regions(central)
    found = central.client.get(
        "/api/v1/regions/search", params={"q": "xa"}, headers=central.admin_headers
    ).json()
    assert found[0]["name_zh"] == "西安市"


def test_pinyin_matches_come_exact_first_then_by_level_and_code_whatever_their_number(
    central: Central,
) -> None:
    """The search by pinyin goes level by level: it lists what one sort of every match would."""
    load_sample_regions(central)
    with session_scope(central.app.state.sessions) as session:
        regions = session.scalars(select(Region)).all()
        rows = [(r.level, r.code, r.pinyin or "", r.pinyin_initials or "") for r in regions]
    queries = ("x", "xa", "d", "s", "c", "b", "zz")
    for query, limit in [(q, n) for q in queries for n in (1, 3, 20)]:
        exact = sorted(r[:2] for r in rows if query in (r[2], r[3]))
        rest = sorted(r[:2] for r in rows if r[2].startswith(query) or r[3].startswith(query))
        expected = [*exact, *(r for r in rest if r not in exact)][:limit]
        found = central.client.get(
            "/api/v1/regions/search",
            params={"q": query, "limit": limit},
            headers=central.admin_headers,
        ).json()
        assert _codes(found) == [code for _level, code in expected], (query, limit)
    print(f"{len(queries)} queries, {len(rows)} regions")


def test_a_region_search_is_audited_like_every_scoped_read(central: Central) -> None:
    load_sample_regions(central)
    before = audit_count(central)
    central.client.get("/api/v1/regions/search", params={"q": "blq"}, headers=central.admin_headers)
    central.client.get("/api/v1/regions/610103/path", headers=central.admin_headers)
    assert audit_count(central) == before + 2


def test_a_county_administrator_finds_only_regions_of_its_county(central: Central) -> None:
    load_sample_regions(central)
    xian = region_admin(central, central.admin_headers, "xian", "610100")
    xincheng = region_admin(central, xian.headers, "xincheng", "610102")
    headers = xincheng.headers
    everywhere = central.client.get(
        "/api/v1/regions/search", params={"q": "街道"}, headers=central.admin_headers
    ).json()
    assert any(not code.startswith("610102") for code in _codes(everywhere))
    mine = central.client.get("/api/v1/regions/search", params={"q": "街道"}, headers=headers)
    assert mine.json() and all(code.startswith("610102") for code in _codes(mine.json()))
    assert (
        central.client.get("/api/v1/regions/search", params={"q": "碑林"}, headers=headers).json()
        == []
    )
    top = central.client.get("/api/v1/regions/children", headers=headers).json()
    assert _codes(top) == ["610102"]
    beside = central.client.get(
        "/api/v1/regions/children", params={"parent": "610100"}, headers=headers
    ).json()
    assert _codes(beside) == ["610102"]
    path = central.client.get("/api/v1/regions/610102001001/path", headers=headers).json()
    assert [hit["name_zh"] for hit in path] == ["新城区", "西一路街道", "东新街社区"]
    refused = central.client.get("/api/v1/regions/610103/path", headers=headers)
    assert refused.status_code == 404


def test_an_unknown_or_malformed_code_has_no_path(central: Central) -> None:
    load_sample_regions(central)
    for code in ("610199", "61010", "abcdef"):
        answer = central.client.get(f"/api/v1/regions/{code}/path", headers=central.admin_headers)
        assert answer.status_code == 404, code
    assert central.client.get(f"{PUBLIC}/path", params={"code": "610199"}).status_code == 404
    beilin = central.client.get(f"{PUBLIC}/path", params={"code": "610103"}).json()
    assert [hit["name_zh"] for hit in beilin] == ["陕西省", "西安市", "碑林区"]


def test_the_picker_drills_down_six_levels_from_the_province(central: Central) -> None:
    load_sample_regions(central)
    parent = None
    chosen = []
    for wanted in ("陕西省", "西安市", "新城区", "西一路街道", "东新街社区", "东新街一号院"):
        params = {} if parent is None else {"parent": parent}
        level = central.client.get(f"{PUBLIC}/children", params=params).json()
        hit = next(h for h in level if h["name_zh"] == wanted)
        chosen.append(hit["level"])
        parent = hit["code"]
    assert chosen == [1, 2, 3, 4, 5, 6]
    assert parent == "610102001001001"
    last = central.client.get(f"{PUBLIC}/children", params={"parent": parent}).json()
    assert last == []


def test_the_public_search_needs_no_login_and_is_rate_limited(central: Central) -> None:
    load_sample_regions(central)
    limit = central.settings.region_lookups_per_minute
    found = central.client.get(f"{PUBLIC}/search", params={"q": "blq"})
    assert found.status_code == 200 and found.json()[0]["name_zh"] == "碑林区"
    answers = [
        central.client.get(f"{PUBLIC}/search", params={"q": "xa"}).status_code for _ in range(limit)
    ]
    assert answers[-1] == 429 and answers.count(200) == limit - 1


def test_a_search_of_odd_characters_finds_nothing_and_breaks_nothing(central: Central) -> None:
    load_sample_regions(central)
    for query in ("%", "_", "\\", "' or 1=1 --", "区%"):
        answer = central.client.get(f"{PUBLIC}/search", params={"q": query})
        assert answer.status_code == 200 and answer.json() == [], query
    assert central.client.get(f"{PUBLIC}/search", params={"q": ""}).json() == []
    assert central.client.get(f"{PUBLIC}/search", params={"q": "x" * 31}).status_code == 422


def test_the_sample_file_parses_with_every_name_romanised() -> None:
    from central.core.regions import SAMPLE_FILE

    for row in parse_regions(SAMPLE_FILE.read_text(encoding="utf-8")):
        pinyin, initials = romanise(row.name_zh)
        assert pinyin and initials and initials.isascii(), row.code
