"""Rule-set tables: each row is a case taken from the documents' own wording (seeds/)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from central.issuance.rules import (
    ClinicalStatus,
    Facts,
    Flag,
    FlagKind,
    RiskLevel,
    RuleSetError,
    Stop,
    available_rulesets,
    evaluate,
    load_ruleset,
    parse_ruleset,
)
from healthcode.claims import Colour

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in China
TODAY = date(2026, 11, 23)
XIAN = "610102"  # 西安市新城区
WUHAN = "420102"
LIUZHOU = "450202"  # 广西柳州
NANNING = "450102"
GUANGZHOU = "440103"
HAIKOU = "460105"
LEVELS = {"610113": RiskLevel.HIGH, "610302": RiskLevel.MEDIUM}  # 雁塔 high, 宝鸡渭滨 medium


def facts(**changes: object) -> Facts:
    return Facts(residence=XIAN, **changes)  # type: ignore[arg-type]


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


SHAANXI = [
    # 一(一) 所有 14 天内有境外和高风险地区旅居史的人员 -> red
    ("abroad 3 days ago", facts(travel=(Stop(None, True, days_ago(3)),)), Colour.RED),
    (
        "high-risk area 13 days ago",
        facts(travel=(Stop("610113", False, days_ago(13)),)),
        Colour.RED,
    ),
    (
        "high-risk area 14 days ago",
        facts(travel=(Stop("610113", False, days_ago(14)),)),
        Colour.GREEN,
    ),
    (
        "street inside a high-risk district",
        facts(travel=(Stop("610113001", False, TODAY),)),
        Colour.RED,
    ),
    ("living in a high-risk area", Facts(residence="610113001001"), Colour.RED),
    # 正在接受治疗的确诊病人 ... 密切接触者 -> red
    ("confirmed case", facts(clinical=ClinicalStatus.CONFIRMED, clinical_at=NOW), Colour.RED),
    ("suspected case", facts(clinical=ClinicalStatus.SUSPECTED, clinical_at=NOW), Colour.RED),
    ("asymptomatic", facts(clinical=ClinicalStatus.ASYMPTOMATIC, clinical_at=NOW), Colour.RED),
    ("close contact", facts(clinical=ClinicalStatus.CLOSE_CONTACT, clinical_at=NOW), Colour.RED),
    # 确诊病人治愈出院后未满 14 天的 -> red; 出院后14天复诊正常的 -> yellow
    (
        "discharged 10 days ago",
        facts(clinical=ClinicalStatus.DISCHARGED, clinical_at=NOW - timedelta(days=10)),
        Colour.RED,
    ),
    (
        "discharged 14 days ago, follow-up normal",
        facts(
            clinical=ClinicalStatus.DISCHARGED,
            clinical_at=NOW - timedelta(days=14),
            followup_normal=True,
        ),
        Colour.YELLOW,
    ),
    # 一(二) 来自疫情中风险地区的人员 -> yellow
    (
        "medium-risk area 5 days ago",
        facts(travel=(Stop("610302", False, days_ago(5)),)),
        Colour.YELLOW,
    ),
    # 有发热、干咳、气促等呼吸道症状的人员 -> yellow
    ("fever declared today", facts(flags=(Flag(FlagKind.ABNORMAL, NOW),)), Colour.YELLOW),
    # 四(三) 连续 14 天体温正常，无咳嗽等症状的，可调整为绿码
    (
        "fever then 14 normal days",
        facts(
            flags=(Flag(FlagKind.ABNORMAL, NOW - timedelta(days=15)),),
            streak_first=days_ago(14),
            streak_last=days_ago(1),
        ),
        Colour.GREEN,
    ),
    (
        "fever then 13 normal days",
        facts(
            flags=(Flag(FlagKind.ABNORMAL, NOW - timedelta(days=15)),),
            streak_first=days_ago(13),
            streak_last=days_ago(1),
        ),
        Colour.YELLOW,
    ),
    # 一(三) 来自疫情低风险地区的人员；高风险、中风险人员以外的人员 -> green
    ("low-risk trip", facts(travel=(Stop("610302001", False, days_ago(20)),)), Colour.GREEN),
    (
        "from another province, low risk",
        facts(travel=(Stop(GUANGZHOU, False, days_ago(2)),)),
        Colour.GREEN,
    ),
    ("nothing to report", facts(), Colour.GREEN),
    # the most severe matching rule wins
    (
        "high-risk trip and a fever",
        facts(travel=(Stop("610113", False, TODAY),), flags=(Flag(FlagKind.ABNORMAL, NOW),)),
        Colour.RED,
    ),
]

NANNING_TABLE = [
    # "绿码"表示广西区内来(返)邕人员或疫情期间一直未离邕的健康人员
    ("never left Nanning", Facts(residence=NANNING), Colour.GREEN),
    (
        "back from Liuzhou (Guangxi)",
        Facts(NANNING, (Stop(LIUZHOU, False, days_ago(2)),)),
        Colour.GREEN,
    ),
    # "黄码"表示广西以外(不含湖北地区)来(返)邕人员
    ("back from Guangzhou", Facts(NANNING, (Stop(GUANGZHOU, False, days_ago(2)),)), Colour.YELLOW),
    ("back from Xi'an", Facts(NANNING, (Stop(XIAN, False, days_ago(2)),)), Colour.YELLOW),
    # "红码"表示湖北地区来(返)邕人员
    ("back from Wuhan (Hubei)", Facts(NANNING, (Stop(WUHAN, False, days_ago(2)),)), Colour.RED),
    # 或与确诊、疑似、无症状感染者有接触的人员
    (
        "contact with a confirmed case",
        Facts(NANNING, contacts=frozenset({"confirmed"})),
        Colour.RED,
    ),
    (
        "contact with a suspected case",
        Facts(NANNING, contacts=frozenset({"suspected"})),
        Colour.RED,
    ),
    ("contact with a fever patient", Facts(NANNING, contacts=frozenset({"fever"})), Colour.GREEN),
]

HAINAN_TABLE = [
    # 确诊病人、疑似病人、密切接触者等隔离人群标注为红码人员
    ("confirmed", Facts(HAIKOU, clinical=ClinicalStatus.CONFIRMED, clinical_at=NOW), Colour.RED),
    (
        "close contact",
        Facts(HAIKOU, clinical=ClinicalStatus.CLOSE_CONTACT, clinical_at=NOW),
        Colour.RED,
    ),
    # 对购买止咳、退烧药物的患者 ... 标注为黄码人员
    (
        "bought cough medicine",
        Facts(HAIKOU, flags=(Flag(FlagKind.MEDICINE_PURCHASE, NOW),)),
        Colour.YELLOW,
    ),
    # 发热门诊
    (
        "visited a fever clinic",
        Facts(HAIKOU, flags=(Flag(FlagKind.FEVER_CLINIC, NOW),)),
        Colour.YELLOW,
    ),
    # 外省来琼人员
    ("came from Guangzhou", Facts(HAIKOU, (Stop(GUANGZHOU, False, days_ago(3)),)), Colour.YELLOW),
    # 来自重点疫区
    (
        "came from a high-risk area",
        Facts(HAIKOU, (Stop("610113", False, days_ago(3)),)),
        Colour.YELLOW,
    ),
    # 具有发烧咳嗽等症状的患者
    ("fever", Facts(HAIKOU, flags=(Flag(FlagKind.ABNORMAL, NOW),)), Colour.YELLOW),
    # 红码、黄码人员须连续14天健康登记信息正常才能转为绿码
    (
        "medicine, then 14 normal days",
        Facts(
            HAIKOU,
            flags=(Flag(FlagKind.MEDICINE_PURCHASE, NOW - timedelta(days=20)),),
            streak_first=days_ago(16),
            streak_last=days_ago(0),
        ),
        Colour.GREEN,
    ),
    # 红码和黄码以外的人员为绿码人员
    ("stayed in Hainan", Facts(HAIKOU, (Stop("460200", False, days_ago(3)),)), Colour.GREEN),
]


@pytest.mark.parametrize(("case", "person", "colour"), SHAANXI, ids=[row[0] for row in SHAANXI])
def test_shaanxi(case: str, person: Facts, colour: Colour) -> None:
    assert evaluate(load_ruleset("shaanxi"), person, LEVELS, NOW).colour is colour, case


@pytest.mark.parametrize(
    ("case", "person", "colour"), NANNING_TABLE, ids=[row[0] for row in NANNING_TABLE]
)
def test_nanning(case: str, person: Facts, colour: Colour) -> None:
    assert evaluate(load_ruleset("nanning"), person, {}, NOW).colour is colour, case


@pytest.mark.parametrize(
    ("case", "person", "colour"), HAINAN_TABLE, ids=[row[0] for row in HAINAN_TABLE]
)
def test_hainan(case: str, person: Facts, colour: Colour) -> None:
    assert evaluate(load_ruleset("hainan"), person, LEVELS, NOW).colour is colour, case


def test_the_three_rule_sets_are_data_and_every_rule_cites_its_document() -> None:
    assert {"shaanxi", "nanning", "hainan"} <= set(available_rulesets())
    for name in available_rulesets():
        rules = load_ruleset(name)
        assert rules.source.startswith("seeds/")
        assert all(rule.cites.strip() for rule in rules.rules)


def test_an_assessment_says_which_rules_matched_and_when_time_alone_changes_it() -> None:
    person = facts(travel=(Stop("610113", False, days_ago(3)),))
    result = evaluate(load_ruleset("shaanxi"), person, LEVELS, NOW)
    assert result.rule_ids == ("travel_abroad_or_high_risk",)
    # 14 days from the last day there: the first moment of the 14th day after (China time).
    assert result.review_at == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    assert "14 天内" in result.reasons[0]


@pytest.mark.parametrize(
    "broken",
    [
        {"rule": [{"id": "x", "colour": "red", "when": {"astrology": True}, "cites": "c"}]},
        {"rule": [{"id": "x", "colour": "red", "when": {"clinical": ["confirmed"]}, "cites": ""}]},
        {
            "rule": [
                {"id": "x", "colour": "blue", "when": {"clinical": ["confirmed"]}, "cites": "c"}
            ]
        },
        {
            "rule": [
                {"id": "x", "colour": "red", "when": {"travel": {"abroad": True}}, "cites": "c"}
            ]
        },
    ],
)
def test_a_malformed_rule_set_is_refused(broken: dict[str, object]) -> None:
    data = {
        "id": "x",
        "name_zh": "x",
        "name_en": "x",
        "source": "seeds/x",
        "fever_celsius": 37.3,
        "normal_days_to_clear": 14,
    } | broken
    with pytest.raises(RuleSetError):
        parse_ruleset(data)
