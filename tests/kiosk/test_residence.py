"""The clinic's residence without a keyboard (issue 25, item 2: 住址可修改): the county's towns and
villages arrive in the signed policy, the picker starts from the ID card's address, and the
house detail takes digits and the address words only."""

from __future__ import annotations

import pytest

from kiosk.checkpoint.policy import Policy, PolicyError, policy_from_central
from kiosk.checkpoint.residence import (
    BACKSPACE,
    CLEAR,
    MAX_DETAIL_CHARS,
    Gazetteer,
    Place,
    ResidenceChoice,
    choice_from,
    press_detail,
)

PLACES = [
    {"code": "460108", "name_zh": "美兰区", "name_en": "Meilan District"},
    {"code": "460108001", "name_zh": "人民路街道", "name_en": ""},
    {"code": "460108002", "name_zh": "海甸街道", "name_en": "Haidian Subdistrict"},
    {"code": "460108002001", "name_zh": "海甸一社区", "name_en": ""},
    {"code": "460108002002", "name_zh": "海甸五西社区", "name_en": ""},
    {"code": "460108001001", "name_zh": "龙舌坡社区", "name_en": ""},
]


def _gazetteer() -> Gazetteer:
    policy = policy_from_central(5, "clinic", {"residence_places": PLACES})
    return Gazetteer(policy.residence_places)


def test_the_countys_places_come_with_the_clinics_policy_and_survive_the_stored_copy() -> None:
    policy = policy_from_central(5, "clinic", {"residence_places": PLACES})
    assert [p.code for p in policy.residence_places] == [p["code"] for p in PLACES]
    assert Policy.from_document(policy.to_document()) == policy
    gazetteer = Gazetteer(policy.residence_places)
    assert gazetteer.county == Place("460108", "美兰区", "Meilan District")
    assert [t.name_zh for t in gazetteer.towns] == ["人民路街道", "海甸街道"]
    assert [v.name_zh for v in gazetteer.villages_of(gazetteer.towns[1])] == [
        "海甸一社区",
        "海甸五西社区",
    ]
    assert gazetteer.towns[0].label.get("en") == "人民路街道"  # no English name: the Chinese


@pytest.mark.parametrize(
    "places",
    [
        [{"code": "4601", "name_zh": "x"}],
        [{"code": "460108001", "name_zh": ""}],
        "美兰区",
        [{"code": "46010800100a", "name_zh": "x"}],
    ],
)
def test_an_unusable_place_list_is_refused_and_the_previous_policy_stays(places: object) -> None:
    with pytest.raises(PolicyError):
        policy_from_central(5, "clinic", {"residence_places": places})


def test_the_picker_starts_at_the_town_and_village_the_id_cards_address_names() -> None:
    gazetteer = _gazetteer()
    start = choice_from(gazetteer, "海南省海口市美兰区海甸街道海甸五西社区人民大道58号")
    assert (start.town and start.town.name_zh, start.village and start.village.name_zh) == (
        "海甸街道",
        "海甸五西社区",
    )
    assert choice_from(gazetteer, "北京市朝阳区示例路1号") == ResidenceChoice(gazetteer.county)
    assert choice_from(gazetteer, None).town is None


def test_the_residence_reads_as_an_address_county_town_village_then_the_house() -> None:
    gazetteer = _gazetteer()
    choice = ResidenceChoice(gazetteer.county).pick_town(gazetteer.towns[1])
    assert not choice.complete
    choice = choice.pick_village(gazetteer.villages_of(gazetteer.towns[1])[1])
    for key in ("3", "栋", "2", "单元", "5", "0", "1", "室"):
        choice = choice.press(key)
    assert choice.text == "美兰区海甸街道海甸五西社区3栋2单元501室"
    assert choice.complete
    # another town forgets the village picked under the first
    assert choice.pick_town(gazetteer.towns[0]).village is None


def test_the_house_pad_types_digits_and_address_words_only() -> None:
    text = ""
    for key in ("1", "2", "号", "号", "A", "楼", "-", "单元"):
        text = press_detail(text, key)
    assert text == "12号楼-单元"  # A is no key; a second 号 is a double touch
    assert press_detail(text, BACKSPACE) == "12号楼-"  # 单元 goes with one touch
    assert press_detail(text, CLEAR) == ""
    long = "1" * MAX_DETAIL_CHARS
    assert press_detail(long, "2") == long
