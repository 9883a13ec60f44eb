"""A clinic's residence field (发热门诊登记: 住址可修改) without a keyboard: the county's streets
(towns) and communities (villages) picked by name, then the detail typed on a pad of digits and
the few characters addresses use (号 栋 楼 单元 室 组 村 -), so no Chinese input method is needed.

The county's region subtree arrives in the checkpoint's signed policy (`residence_places`);
the residence starts from what is known (the ID card's address). Pure: no Qt, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from healthcode.text import LocalText

COUNTY_DIGITS, TOWN_DIGITS, VILLAGE_DIGITS = 6, 9, 12
MAX_PLACES = 3000  # a large county has some 30 towns and 600 villages
MAX_NAME_CHARS = 40
MAX_DETAIL_CHARS = 24
MAX_RESIDENCE_CHARS = 200  # what the upload takes (sync.schemas.SceneHolder.residence)
BACKSPACE = "⌫"
CLEAR = "C"
# The detail's keys: digits, then what Chinese addresses put between them.
DETAIL_WORDS = ("号", "栋", "楼", "单元", "室", "组", "村", "-")
DETAIL_KEYS = (*"1234567890", *DETAIL_WORDS)


class PlacesError(ValueError):
    """A `residence_places` list the kiosk cannot use."""


@dataclass(frozen=True)
class Place:
    """A region of the checkpoint's county: the county itself, a town or street, a village or
    community (GB/T 2260-style codes of 6, 9 or 12 digits)."""

    code: str
    name_zh: str
    name_en: str = ""

    @property
    def label(self) -> LocalText:
        return LocalText(self.name_zh, self.name_en or self.name_zh)

    def to_document(self) -> dict[str, str]:
        return {"code": self.code, "name_zh": self.name_zh, "name_en": self.name_en}


def parse_places(value: object) -> tuple[Place, ...]:
    """The places of a policy document, in its order; raises PlacesError on anything odd."""
    if not isinstance(value, list | tuple) or len(value) > MAX_PLACES:
        raise PlacesError(f"residence_places must be a list of at most {MAX_PLACES}")
    places = []
    for entry in value:
        if not isinstance(entry, dict):
            raise PlacesError("a residence place must be an object")
        code = str(entry.get("code", ""))
        name_zh = str(entry.get("name_zh", "")).strip()
        name_en = str(entry.get("name_en") or "").strip()
        if len(code) not in {COUNTY_DIGITS, TOWN_DIGITS, VILLAGE_DIGITS} or not (
            code.isascii() and code.isdigit()
        ):
            raise PlacesError(f"residence place code {code!r} is not a county, town or village")
        if not name_zh or len(name_zh) > MAX_NAME_CHARS or len(name_en) > MAX_NAME_CHARS:
            raise PlacesError(f"residence place {code} has no usable name")
        places.append(Place(code, name_zh, name_en))
    return tuple(places)


@dataclass(frozen=True)
class Gazetteer:
    """The county's places as the picker offers them."""

    places: tuple[Place, ...] = ()

    @property
    def county(self) -> Place | None:
        return next((p for p in self.places if len(p.code) == COUNTY_DIGITS), None)

    @property
    def towns(self) -> tuple[Place, ...]:
        return tuple(p for p in self.places if len(p.code) == TOWN_DIGITS)

    def villages_of(self, town: Place) -> tuple[Place, ...]:
        return tuple(
            p for p in self.places if len(p.code) == VILLAGE_DIGITS and p.code.startswith(town.code)
        )


@dataclass(frozen=True)
class ResidenceChoice:
    """What the nurse has picked so far; `text` is what the record keeps (Chinese, as an
    address is written: county, town, village, then the detail)."""

    county: Place | None = None
    town: Place | None = None
    village: Place | None = None
    detail: str = ""

    def pick_town(self, town: Place) -> ResidenceChoice:
        return replace(self, town=town, village=None)

    def pick_village(self, village: Place | None) -> ResidenceChoice:
        return replace(self, village=village)

    def press(self, key: str) -> ResidenceChoice:
        return replace(self, detail=press_detail(self.detail, key))

    @property
    def text(self) -> str:
        parts = [p.name_zh for p in (self.county, self.town, self.village) if p is not None]
        return ("".join(parts) + self.detail)[:MAX_RESIDENCE_CHARS]

    @property
    def complete(self) -> bool:
        """A town and something after it: a village, or a detail (a town's own street)."""
        return self.town is not None and (self.village is not None or bool(self.detail))


def press_detail(text: str, key: str) -> str:
    """The detail after `key`: digits and the address words only, none after the longest."""
    if key == BACKSPACE:
        return _drop_last_key(text)
    if key == CLEAR:
        return ""
    if key not in DETAIL_KEYS or len(text) + len(key) > MAX_DETAIL_CHARS:
        return text
    if key in DETAIL_WORDS and text.endswith(key):
        return text  # "栋栋" is a double touch, not an address
    return text + key


def _drop_last_key(text: str) -> str:
    for word in DETAIL_WORDS:
        if len(word) > 1 and text.endswith(word):
            return text[: -len(word)]  # 单元 goes with one touch, as it came
    return text[:-1]


def choice_from(gazetteer: Gazetteer, address: str | None) -> ResidenceChoice:
    """Where the picker starts: the county, and the town and village the ID card's address
    names when it names them (the nurse confirms or changes them)."""
    choice = ResidenceChoice(county=gazetteer.county)
    if not address:
        return choice
    town = next((t for t in gazetteer.towns if t.name_zh in address), None)
    if town is None:
        return choice
    village = next((v for v in gazetteer.villages_of(town) if v.name_zh in address), None)
    return choice.pick_town(town).pick_village(village)
