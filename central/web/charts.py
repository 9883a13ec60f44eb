"""Charts on the dashboard and the reports page: Apache ECharts, served by central itself.

The server builds each chart's data with its labels already in the page's language (the
kiosk's own words for outcomes and colours) as a plain `ChartSpec`; the template writes it as
JSON in a `<script type="application/json">` (data, not code) beside a `<div data-chart>`, and
`static/charts.js` draws it. The table under each chart holds the same figures, so a page read
without scripts (or by a screen reader) loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from central.core.scope import PUBLIC_ROUTES
from central.reports.trends import COLOURS, OUTCOMES, AreaColours, DayCounts
from central.web.i18n import Translator
from central.web.render import STATIC, static_file

ECHARTS_VERSION = "6.1.0"
ASSETS_PATH = "/static/charts"
ASSETS = {
    "echarts.common.min.js": (STATIC / "vendor" / "echarts" / "echarts.common.min.js"),
    "charts.js": STATIC / "charts.js",
}
# The kiosk's result colours (kiosk/ui/style.py), so a chart reads like the gate's screen.
OUTCOME_COLOURS = {
    "pass": "#1B873F",
    "deny": "#C62828",
    "refer": "#E65100",
    "manual_check": "#F9A825",
}
CODE_COLOURS = {"green": "#1B873F", "yellow": "#FFD600", "red": "#C62828"}
FEVER_COLOUR = "#0D47A1"  # not a result colour: a line over the bars
FLEET_COLOURS = {"online": "#1B873F", "silent": "#C62828", "never": "#757575"}

router = APIRouter(include_in_schema=False)
PUBLIC_ROUTES[("GET", ASSETS_PATH + "/{name}")] = "the charts' scripts (no data)"


@router.get(ASSETS_PATH + "/{name}")
def chart_asset(name: str) -> Response:
    path = ASSETS.get(name)
    if path is None:
        return Response(status_code=404)
    return static_file(path, "text/javascript; charset=utf-8", max_age_s=86400)


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: tuple[int, ...]
    kind: str = "bar"  # bar (stacked) or line


@dataclass(frozen=True)
class ChartSpec:
    """What charts.js draws: categories along one axis, series of counts along the other."""

    chart_id: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    horizontal: bool = False
    pie: bool = False
    words: dict[str, str] = field(default_factory=dict)  # e.g. "empty" when all are zero

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def empty(self) -> bool:
        return not any(any(s.values) for s in self.series)


def outcome_label(t: Translator, outcome: str) -> str:
    return t(f"outcome_{outcome}")


def outcomes_chart(t: Translator, chart_id: str, days: Sequence[DayCounts]) -> ChartSpec:
    """Passages per day, stacked by outcome, with the fevers as a line."""
    categories = tuple(d.day.strftime("%m-%d") for d in days)
    bars = [
        Series(outcome_label(t, o), OUTCOME_COLOURS[o], tuple(d.count(o) for d in days))
        for o in OUTCOMES
    ]
    fevers = Series(t("fevers"), FEVER_COLOUR, tuple(d.fevers for d in days), kind="line")
    series = (*bars, fevers)
    return ChartSpec(
        chart_id,
        t("chart_outcomes_per_day").format(days=len(days)),
        categories,
        series,
        words={"empty": t("chart_empty")},
    )


def colours_chart(
    t: Translator, chart_id: str, areas: Sequence[AreaColours], names: dict[str, str]
) -> ChartSpec:
    """Code holders by colour in each sub-area, as horizontal stacked bars."""
    categories = tuple(names.get(a.code, a.code) for a in areas)
    series = tuple(
        Series(t(c), CODE_COLOURS[c], tuple(a.by_colour[n] for a in areas))
        for n, c in enumerate(COLOURS)
    )
    return ChartSpec(
        chart_id,
        t("chart_colours_by_area"),
        categories,
        series,
        horizontal=True,
        words={"empty": t("chart_no_people")},
    )


def fleet_chart(t: Translator, chart_id: str, online: int, silent: int, never: int) -> ChartSpec:
    values = {"online": online, "silent": silent, "never": never}
    series = tuple(
        Series(t(f"fleet_{k}"), FLEET_COLOURS[k], (v,), kind="pie") for k, v in values.items()
    )
    return ChartSpec(
        chart_id,
        t("chart_fleet_health"),
        (),
        series,
        pie=True,
        words={"empty": t("chart_no_kiosks")},
    )
