"""The EU DCC conformance walk over the public corpus: every case, every expected flag, the
picture through the kiosk's own QR pipeline, at each case's VALIDATIONCLOCK; known issues are
reported as such. Also the `conformance` command on a copy of the layout."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.qr.pipeline import default_pipeline
from healthcode import cli, conformance
from tests.interop import DCC_TESTDATA, dcc_cases

_PIPELINE = default_pipeline()


def decode_png(png: bytes) -> Sequence[str]:
    """The picture step: a PNG through the kiosk's QR pipeline, as a camera frame would go."""
    frame = cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        return ()
    return _PIPELINE.decode(frame).texts


@pytest.fixture(scope="module")
def report() -> conformance.Report:
    return conformance.run(DCC_TESTDATA, decode_png)


def test_every_case_outside_the_known_issues_agrees_with_the_corpus(
    report: conformance.Report, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        print(f"\nEU DCC conformance ({DCC_TESTDATA}):\n{report.table()}")
    assert report.disagreements == [], report.details()
    assert report.ok


def test_the_walk_covers_every_case_and_every_flag_of_the_corpus(
    report: conformance.Report,
) -> None:
    cases = dcc_cases()
    assert report.case_count == len(cases) > 400
    flags = sum(len(case["EXPECTEDRESULTS"]) for _, case in cases)
    assert len(report.outcomes) == flags


def test_the_pictures_go_through_our_own_qr_pipeline(report: conformance.Report) -> None:
    tally = report.tallies()["EXPECTEDPICTUREDECODE"]
    assert tally.agreed > 390 and tally.disagreed == 0


def test_every_verification_step_is_checked_in_hundreds_of_cases(
    report: conformance.Report,
) -> None:
    tallies = report.tallies()
    for flag in (
        "EXPECTEDUNPREFIX",
        "EXPECTEDB45DECODE",
        "EXPECTEDCOMPRESSION",
        "EXPECTEDDECODE",
        "EXPECTEDVERIFY",
        "EXPECTEDEXPIRATIONCHECK",
        "EXPECTEDKEYUSAGE",
        "EXPECTEDVALIDJSON",
    ):
        assert tallies[flag].agreed > 300, flag
    assert tallies["EXPECTEDSCHEMAVALIDATION"].agreed > 100


def test_the_corpus_negative_cases_are_found_negative(report: conformance.Report) -> None:
    negatives = [o for o in report.outcomes if o.expected is False and o.known_issue is None]
    checked = [o for o in negatives if o.actual is not None]
    assert len(checked) > 80
    assert all(o.actual is False for o in checked)
    assert {o.flag for o in checked} >= {
        "EXPECTEDVERIFY",
        "EXPECTEDEXPIRATIONCHECK",
        "EXPECTEDKEYUSAGE",
        "EXPECTEDCOMPRESSION",
        "EXPECTEDUNPREFIX",
        "EXPECTEDPICTUREDECODE",
    }


def test_every_refused_step_says_why(report: conformance.Report) -> None:
    refused = [o for o in report.outcomes if o.actual is False]
    assert len(refused) > 150
    assert [o for o in refused if not o.detail] == []


def test_cases_outside_the_value_sets_are_reported_apart_with_the_field(
    report: conformance.Report,
) -> None:
    findings = dict(report.value_set_findings)
    assert findings["SM/2DCode/raw/1.json"] == (
        "v/0/ma: 'ORG-1000030215' is not in vaccine-mah-manf"
    )
    assert findings["IE/2DCode/Raw/2.json"] == "t/0/tt: 'COVID-19 test' is not in test-type"
    assert "outside the EU DCC value sets" in report.table()


def test_known_issues_are_reported_not_skipped(report: conformance.Report) -> None:
    known = [o for o in report.outcomes if o.known_issue is not None]
    assert len(known) > 100
    assert all(o.actual is not None for o in known)
    assert "known issue" in report.table()
    assert any("issues/107" in o.known_issue for o in known if o.known_issue)


def test_a_known_issue_with_an_empty_test_set_covers_the_whole_country() -> None:
    issue = conformance.KnownIssue("test_cose_schema", "NL", "", "why")
    assert issue.covers(("test_cose_schema",), "NL", "005-NL-test")
    assert not issue.covers(("test_verification_check",), "NL", "005-NL-test")
    assert not conformance.KnownIssue("test_cose_schema", "BG", "1", "").covers(
        ("test_cose_schema",), "BG", "3"
    )


def test_nested_expected_results_and_the_misspelt_picture_key_are_handled(
    report: conformance.Report,
) -> None:
    pictures = {o.case for o in report.outcomes if o.flag == "EXPECTEDPICTUREDECODE" and o.agreed}
    underscored = [name for name, case in dcc_cases() if "_2DCODE" in case and "2DCODE" not in case]
    assert underscored and set(underscored) <= pictures


def test_an_undefined_flag_is_shown_as_not_checked(report: conformance.Report) -> None:
    tally = report.tallies()["EXPTECTEDEXPIRED"]
    assert tally.cases == tally.not_checked == 4


def _small_corpus(tmp_path: Path, names: Sequence[str]) -> Path:
    root = tmp_path / "corpus"
    for name in names:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DCC_TESTDATA / name, target)
    return root


def test_the_command_prints_the_table_and_exits_0_when_all_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _small_corpus(tmp_path, ["common/2DCode/raw/CO1.json", "common/2DCode/raw/CO6.json"])
    assert cli.main(["conformance", str(root)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "EXPECTEDKEYUSAGE" in out and "2 cases" in out


def test_the_command_exits_1_on_a_disagreement_and_not_on_a_known_issue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _small_corpus(tmp_path, ["common/2DCode/raw/CO1.json"])
    case_path = root / "common/2DCode/raw/CO1.json"
    case = json.loads(case_path.read_text(encoding="utf-8"))
    case["EXPECTEDRESULTS"]["EXPECTEDVERIFY"] = False  # a wrong expectation: we disagree
    case_path.write_text(json.dumps(case), encoding="utf-8")
    assert cli.main(["conformance", str(root), "--details"]) == cli.EXIT_REJECTED
    assert "DISAGREED common/2DCode/raw/CO1.json EXPECTEDVERIFY" in capsys.readouterr().out
    (root / "tests").mkdir()
    (root / "tests" / "known_issues.csv").write_text(
        "test_name,country,test_set,reason\ntest_verification_check,common,CO1,made up\n",
        encoding="utf-8",
    )
    assert cli.main(["conformance", str(root)]) == cli.EXIT_OK
    assert "0/1" in capsys.readouterr().out


def test_the_command_takes_a_picture_decoder_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _small_corpus(tmp_path, ["common/2DCode/raw/CO28.json"])
    decoder = "tests.unit.test_conformance:decode_png"
    assert cli.main(["conformance", str(root), "--picture-decoder", decoder]) == cli.EXIT_OK
    row = next(line for line in capsys.readouterr().out.splitlines() if "PICTUREDECODE" in line)
    assert row.split()[1:4] == ["1", "1", "0"]
    assert cli.main(["conformance", str(root), "--picture-decoder", "no.such:thing"]) == 2


def test_a_picture_that_is_not_base64_fails_the_picture_step() -> None:
    case = {"2DCODE": "%%%", "PREFIX": "HC1:X"}
    assert conformance.check("EXPECTEDPICTUREDECODE", case, decode_png)[0] is False
    png = base64.b64encode(b"not a png").decode()
    assert conformance.check("EXPECTEDPICTUREDECODE", {**case, "2DCODE": png}, decode_png)[0] is (
        False
    )


def test_the_command_refuses_a_missing_folder(tmp_path: Path) -> None:
    assert cli.main(["conformance", str(tmp_path / "nothing")]) == cli.EXIT_USAGE
