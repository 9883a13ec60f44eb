"""A decision as the result screen shows it, made from the inputs of one person."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from healthcode.claims import Colour
from kiosk.app.viewstate import ResultView, result_view
from kiosk.checkpoint.decision import DecisionInputs, IdMatch, decide
from kiosk.checkpoint.events import ShowResult
from kiosk.checkpoint.policy import CheckpointType, Policy, default_policy
from tests.kiosk.checkpoint_support import passage, verified

GATE = default_policy(CheckpointType.ENTERPRISE_GATE)
CLINIC = default_policy(CheckpointType.CLINIC)
ROAD = default_policy(CheckpointType.ROAD_JUNCTION)


def shown(policy: Policy = GATE, **changes: object) -> ResultView:
    """A green code at 36.5 °C, no card read, fresh feed, with `changes`; the record carries
    the same temperature."""
    base = DecisionInputs(
        code=verified(Colour.GREEN),
        colour_applied=Colour.GREEN,
        colour_changed_by_feed=False,
        feed_age=timedelta(hours=1),
        temperature_celsius=36.5,
        fever_confirmed=False,
        id_match=IdMatch.NOT_READ,
    )
    inputs = replace(base, **changes)  # type: ignore[arg-type]
    decision = decide(inputs, policy)
    record = replace(
        passage(outcome=decision.outcome, fever=inputs.fever_confirmed),
        temperature_celsius=inputs.temperature_celsius,
    )
    return result_view(ShowResult(decision, record, inputs.repeat_since))
