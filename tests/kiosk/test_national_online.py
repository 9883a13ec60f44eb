"""The national code's online check (GB/T 38963, the assumed wire format): the client maps every
answer of the service to a check or a clear failure, the checkpoint's policy turns an answer into
the verdict with words saying it was checked online, and anything short of an answer keeps the
manual check "国家码：请人工核验"."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from healthcode.claims import Colour
from healthcode.results import Rejection, RejectReason
from kiosk.app.flow import FlowListener
from kiosk.app.startup import national_check_of
from kiosk.app.viewstate import PromptView, reason_line
from kiosk.checkpoint.decision import DecisionInputs, IdMatch, decide
from kiosk.checkpoint.events import CodeScanned
from kiosk.checkpoint.national import NationalCheck, NationalCheckFailure
from kiosk.checkpoint.outcome import Outcome, ReasonCode
from kiosk.checkpoint.policy import CheckpointType, default_policy
from kiosk.client.national_check import HttpNationalVerifier, NationalServiceConfig
from kiosk.config import NationalCheckSection, validate
from tests.kiosk.app.driver_support import hand_driven
from tests.kiosk.national_service import APP_ID, TOKEN, national_service

URL = "https://verify.national.example/v1/check"
TEXT = "https://national.example/hc/Q2hpbmEgbmF0aW9uYWwgY29kZQ"
CONFIG = NationalServiceConfig(url=URL, app_id=APP_ID, token=TOKEN, timeout_s=2.0)
GATE = replace(default_policy(CheckpointType.ENTERPRISE_GATE), temperature_required=False)
NATIONAL = Rejection(RejectReason.NATIONAL_CODE, "not verifiable offline", scheme="GB/T 38962")


def check_with(handler: httpx.MockTransport) -> NationalCheck:
    return HttpNationalVerifier(httpx.Client(transport=handler), CONFIG).check(TEXT)


def answering(status: int, body: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, content=body))


def raising(error: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return httpx.MockTransport(handler)


def test_the_request_carries_the_text_the_application_id_and_the_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"result": "valid", "colour": "yellow"})

    assert check_with(httpx.MockTransport(handler)) == NationalCheck(True, Colour.YELLOW)
    request = seen[0]
    assert request.method == "POST" and str(request.url) == URL
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["x-app-id"] == APP_ID
    assert request.read() == b'{"qr_text":"' + TEXT.encode() + b'"}'
    assert TOKEN not in repr(CONFIG)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b'{"result": "valid", "colour": "red"}', NationalCheck(True, Colour.RED)),
        (200, b'{"result": "invalid"}', NationalCheck(False)),
        (200, b'{"result": "valid"}', NationalCheck.failed(NationalCheckFailure.BAD_ANSWER)),
        (200, b'{"result": "valid", "colour": "blue"}', NationalCheck.failed("bad_answer")),
        (200, b"<html>busy</html>", NationalCheck.failed(NationalCheckFailure.BAD_ANSWER)),
        (200, b"[1, 2]", NationalCheck.failed(NationalCheckFailure.BAD_ANSWER)),
        (400, b"{}", NationalCheck.failed(NationalCheckFailure.CODE_NOT_READ)),
        (401, b"{}", NationalCheck.failed(NationalCheckFailure.CREDENTIALS_REFUSED)),
        (403, b"{}", NationalCheck.failed(NationalCheckFailure.CREDENTIALS_REFUSED)),
        (429, b"{}", NationalCheck.failed(NationalCheckFailure.RATE_LIMITED)),
        (500, b"{}", NationalCheck.failed(NationalCheckFailure.SERVICE_ERROR)),
        (503, b"", NationalCheck.failed(NationalCheckFailure.SERVICE_ERROR)),
    ],
)
def test_every_answer_of_the_service_is_a_check_or_a_named_failure(
    status: int, body: bytes, expected: NationalCheck
) -> None:
    assert check_with(answering(status, body)) == expected


def test_a_network_failure_is_unreachable_and_a_slow_one_a_timeout() -> None:
    refused = raising(httpx.ConnectError("refused"))
    assert check_with(refused).failure is NationalCheckFailure.UNREACHABLE
    slow = raising(httpx.ReadTimeout("slow"))
    assert check_with(slow).failure is NationalCheckFailure.TIMEOUT


def test_a_real_service_that_answers_too_late_is_a_timeout() -> None:
    with national_service() as service:
        service.hold()
        config = replace(CONFIG, url=service.url, timeout_s=0.3)
        with httpx.Client() as client:
            answer = HttpNationalVerifier(client, config).check(TEXT)
        assert answer.failure is NationalCheckFailure.TIMEOUT
        assert service.requests[0]["body"] == {"qr_text": TEXT}


def test_a_real_service_speaking_http_gives_its_colour_and_its_errors() -> None:
    with national_service() as service, httpx.Client() as client:
        verifier = HttpNationalVerifier(client, replace(CONFIG, url=service.url))
        assert verifier.check(TEXT) == NationalCheck(True, Colour.GREEN)
        service.status, service.answer = 401, {"error": "bad token"}
        assert verifier.check(TEXT).failure is NationalCheckFailure.CREDENTIALS_REFUSED
        assert service.requests[0]["authorization"] == f"Bearer {TOKEN}"


def decision_with(check: NationalCheck | None):
    inputs = DecisionInputs(
        code=NATIONAL,
        colour_applied=check.colour if check and check.valid else None,
        colour_changed_by_feed=False,
        feed_age=None,
        temperature_celsius=36.5,
        fever_confirmed=False,
        id_match=IdMatch.NOT_READ,
        national_check=check,
    )
    return decide(inputs, GATE)


def test_the_policy_turns_the_services_colour_into_the_verdict_said_as_checked_online() -> None:
    green = decision_with(NationalCheck(True, Colour.GREEN))
    assert green.outcome is Outcome.PASS  # no feed age asked: the answer is fresh
    line = reason_line(green.deciding_reasons[0])
    assert line.zh == "国家码已联网核验：绿码"
    assert line.en == "National health code checked online: Green"
    red = decision_with(NationalCheck(True, Colour.RED))
    assert red.outcome is Outcome.DENY
    assert red.deciding_reasons[0].code is ReasonCode.NATIONAL_CHECKED_ONLINE
    lenient = replace(GATE, colour_outcomes={**GATE.colour_outcomes, Colour.YELLOW: Outcome.PASS})
    yellow = decide(replace_inputs(NationalCheck(True, Colour.YELLOW)), lenient)
    assert yellow.outcome is Outcome.PASS


def replace_inputs(check: NationalCheck) -> DecisionInputs:
    return DecisionInputs(
        code=NATIONAL,
        colour_applied=check.colour,
        colour_changed_by_feed=False,
        feed_age=None,
        temperature_celsius=None,
        fever_confirmed=False,
        id_match=IdMatch.NOT_READ,
        national_check=check,
    )


def test_a_code_the_service_refuses_is_denied_with_the_services_word() -> None:
    refused = decision_with(NationalCheck(False))
    assert refused.outcome is Outcome.DENY
    assert reason_line(refused.deciding_reasons[0]).zh == "国家码联网核验未通过"


@pytest.mark.parametrize("failure", list(NationalCheckFailure))
def test_no_answer_keeps_the_manual_check_and_says_why(failure: NationalCheckFailure) -> None:
    decision = decision_with(NationalCheck.failed(failure))
    assert decision.outcome is Outcome.MANUAL_CHECK
    line = reason_line(decision.deciding_reasons[0])
    assert line.zh == f"国家码：请人工核验：{failure.text.zh}"
    assert line.en.startswith("National health code: manual check: ")


def test_without_a_service_the_national_code_is_todays_manual_check() -> None:
    decision = decision_with(None)
    assert decision.outcome is Outcome.MANUAL_CHECK
    assert reason_line(decision.deciding_reasons[0]).zh == "国家码：请人工核验"


# ---------------------------------------------------------------- the driver


def test_the_driver_asks_off_its_thread_and_decides_when_the_answer_comes() -> None:
    driver, _, seen = hand_driven(GATE)
    asked = threading.Event()
    answer_now = threading.Event()
    answered: list[str] = []

    def slow_service(text: str) -> NationalCheck:
        answered.append(text)
        asked.set()
        answer_now.wait(10)
        return NationalCheck(True, Colour.GREEN)

    posted: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
    driver._post = posted.put  # the app thread: the test runs what is posted to it
    driver.national_check = slow_service
    driver.handle(CodeScanned(result=NATIONAL, text=TEXT), datetime.now(UTC))
    assert asked.wait(10)  # asked on another thread; the driver returned at once
    assert seen.results == [] and driver.national_checks_running == 1
    answer_now.set()
    posted.get(timeout=10)()  # the answer, back on the app thread
    while not posted.empty():
        posted.get()()  # the stored passage
    assert answered == [TEXT]
    assert seen.results[0].outcome is Outcome.PASS
    assert seen.results[0].reasons[0].zh == "国家码已联网核验：绿码"


def test_an_offline_kiosk_does_not_ask_and_keeps_the_manual_check() -> None:
    driver, _, seen = hand_driven(GATE)
    calls: list[str] = []
    driver.national_check = lambda text: calls.append(text) or NationalCheck(True, Colour.GREEN)
    driver.online = lambda: False
    driver.handle(CodeScanned(result=NATIONAL, text=TEXT), datetime.now(UTC))
    assert calls == []
    assert seen.results[0].outcome is Outcome.MANUAL_CHECK
    assert seen.results[0].reasons[0].zh == "国家码：请人工核验：本机离线"


# ---------------------------------------------------------------- configuration


def test_the_national_check_section_configures_the_client(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(TOKEN + "\n", encoding="utf-8")
    raw = {"national_check": {"url": URL, "app_id": APP_ID, "token_file": "token"}}
    config, problems = validate(raw, tmp_path)
    assert problems == [] and config is not None
    section = config.national_check
    assert section.token_file == str(tmp_path / "token") and section.timeout_s == 3.0
    assert national_check_of(section) is not None
    assert national_check_of(NationalCheckSection()) is None
    assert national_check_of(replace(section, token_file=str(tmp_path / "missing"))) is None
    _, wrong = validate({"national_check": {"url": "ftp://x", "timeout_s": 99.0}}, tmp_path)
    assert [p.key for p in wrong] == ["national_check.url", "national_check.timeout_s"]


def test_a_second_national_code_scanned_while_waiting_is_the_one_decided() -> None:
    driver, _, seen = hand_driven(GATE)
    first, second = TEXT + "-first", TEXT + "-second"
    answer_now = {first: threading.Event(), second: threading.Event()}
    colours = {first: Colour.RED, second: Colour.GREEN}
    prompts: list[bool] = []

    class Prompts(FlowListener):
        def prompt_changed(self, view: PromptView) -> None:
            prompts.append(view.checking_online)

    def service(text: str) -> NationalCheck:
        answer_now[text].wait(10)
        return NationalCheck(True, colours[text])

    posted: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
    driver._post = posted.put
    driver.national_check = service
    driver.listeners.append(Prompts())
    now = datetime.now(UTC)
    driver.handle(CodeScanned(result=NATIONAL, text=first), now)
    driver.handle(CodeScanned(result=NATIONAL, text=second), now)
    assert prompts == [True, False, True]  # the wait, said again for the second code
    answer_now[first].set()
    posted.get(timeout=10)()  # the first code's answer: too late, dropped
    assert seen.results == [] and driver.national_check_pending
    answer_now[second].set()
    posted.get(timeout=10)()
    while not posted.empty():
        posted.get()()
    assert [view.outcome for view in seen.results] == [Outcome.PASS]  # green, never red
    assert not driver.national_check_pending and prompts[-1] is False
