"""The generic refusal page in the page's language: a 400 of the API (a malformed week on the
weekly usage link) is told in known words, an unknown detail in a generic sentence, and a
malformed page address too; never the API's English on a Chinese page."""

from __future__ import annotations

import re

import pytest

from central.core.errors import ApiError
from central.web.i18n import Translator
from central.web.task_words import why
from sync.schemas import RefusalReason
from tests.central.conftest import Central
from tests.central.test_web_rules import _browser, _county

HAN = re.compile(r"[\u4e00-\u9fff]")
WORDS = {
    "zh": ("周次有误，请按 2026-W47 的格式填写", "输入有误，请检查"),
    "en": ("Write the week as 2026-W47", "Please check this"),
}


def _detail(html: str) -> str:
    found = re.search(r'<p class="detail">([^<]*)</p>', html)
    assert found, html
    return found[1]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_malformed_week_on_the_weekly_link_is_told_in_the_pages_language(
    central: Central, language: str
) -> None:
    client = _browser(central, _county(central))
    client.get(f"/admin?lang={language}")
    for week in ("2026-47", "2026-W60"):
        answer = client.get(f"/admin/reports/weekly.csv?week={week}")
        assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
        assert _detail(answer.text) == WORDS[language][0]
        assert "write it as" not in answer.text and "has no week" not in answer.text
    malformed = client.get("/admin/reports/daily.csv?day=soon")
    assert malformed.status_code == 400 and _detail(malformed.text) == WORDS[language][1]
    main = malformed.text.split("<main>", 1)[1]
    assert bool(HAN.search(main)) is (language == "zh")
    api = client.get("/api/v1/reports/daily?day=soon")
    assert api.headers["content-type"] == "application/json"  # the API keeps its own answer


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_unknown_detail_is_a_generic_sentence_in_the_pages_language(language: str) -> None:
    unknown = ApiError(400, RefusalReason.BAD_REQUEST, "the flux capacitor is not charged")
    assert why(unknown.refusal_detail) == "err_generic"
    assert Translator(language)(why(unknown.refusal_detail)) == WORDS[language][1]
