"""The gallery's shots of the duty staff's look at a person (Hainan 004, 查看此人记录): the button
on a signed-in operator's result and beside 改判上一位, the person's page with this kiosk's rows
and central's area, and the refusal with nobody signed in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.app import samples
from kiosk.app.viewstate import PromptView, ResultView
from kiosk.checkpoint.events import Prompt
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.ui.window import PERSON_TRAIL

if TYPE_CHECKING:
    from kiosk.ui.gallery import Shot
    from kiosk.ui.person_trail import PersonTrailView
    from kiosk.ui.supervisor_log import LogPage
    from kiosk.ui.window import KioskWindow

ON_DUTY = "欧阳娜娜"  # the longest name of the gallery's roster


def person_trail_shots(
    window: KioskWindow,
    records: PersonTrailView,
    log_page: LogPage,
    results: dict[str, ResultView],
    now: datetime,
    shot: type[Shot],
) -> list[Shot]:
    fields = default_policy(CheckpointType.ROAD_JUNCTION).passage_fields

    def result(name: str) -> Callable[[], None]:
        def show() -> None:
            window.show_operator(ON_DUTY)
            window.show_result(results[name])
            window.show_screen("result")

        return show

    def last(faults: tuple[str, ...]) -> Callable[[], None]:
        def show() -> None:
            window.configure_fields(fields)
            window.show_status(samples.health_items(faults))
            window.show_operator(ON_DUTY)
            window.show_prompt(PromptView(Prompt.SCAN))
            window.show_progress(None)
            window.scan.show_override_last(results["deny-red"], needs_sign_in=False)
            window.show_screen("scan")

        return show

    def page() -> None:
        window.show_screen(PERSON_TRAIL)
        model = log_page.model
        rows = [model.entry_at(i) for i in range(min(4, model.rowCount()))]
        records.show_records(rows, samples.area_trail(now))

    def refused() -> None:
        window.show_screen(PERSON_TRAIL)
        records.show_refusal()

    return [
        shot("result-records-signed-in", True, result("expired-paper-code")),
        shot("result-records-fever", True, result("refer-fever")),
        shot("scan-records-last", True, last(())),
        shot("scan-records-last-all-faults", True, last(samples.FAULTS)),
        shot("person-trail", True, page),
        shot("person-trail-refused", True, refused),
    ]
