"""`python -m healthcode`, end to end as an issuer and a technician use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.closed_pipe import quiet, run_into_closed_pipe

NOW = "2026-11-23T16:00:00+08:00"


def run(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "healthcode", "--now", NOW, *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
        timeout=60,
    )


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("issuer")
    keys = folder / "keys"
    created = run("keys", "create", "--dir", keys, "--issuer", "610000", "--issuer-name", "陕西省")
    assert created.returncode == 0, created.stderr
    signed = run("trust-list", "sign", "--keys", keys, "--out", folder / "trust.cose")
    assert signed.returncode == 0, signed.stderr
    return folder


def issue(issuer: Path, *extra: str) -> str:
    issued = run(
        "issue",
        "--keys",
        issuer / "keys",
        "--colour",
        "green",
        "--name",
        "张三丰",
        "--id-number",
        "11010519491231002X",
        *extra,
    )
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip()


def verify(issuer: Path, text: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        "verify",
        "--trust",
        issuer / "trust.cose",
        "--root",
        issuer / "keys" / "root.pub",
        *extra,
        text,
    )


def test_private_keys_are_readable_by_their_owner_only(issuer: Path) -> None:
    for path in (issuer / "keys").glob("*.key"):
        assert path.stat().st_mode & 0o077 == 0, path


def test_an_issued_code_verifies_and_prints_its_details_as_json(issuer: Path) -> None:
    text = issue(issuer)
    assert text.startswith("JKM1:")
    result = verify(issuer, text)
    assert result.returncode == 0
    details = json.loads(result.stdout)
    assert details["valid"] is True
    assert details["colour"] == "green"
    assert details["masked_name"] == "张*丰"
    assert details["issuer"] == "610000"
    assert "11010519491231002X" not in result.stdout


def test_a_code_text_can_be_read_from_standard_input(issuer: Path) -> None:
    result = run(
        "verify",
        "--trust",
        issuer / "trust.cose",
        "--root",
        issuer / "keys" / "root.pub",
        "-",
        stdin=issue(issuer) + "\n",
    )
    assert result.returncode == 0, result.stdout


def test_a_tampered_code_is_rejected_with_exit_1_and_a_reason(issuer: Path) -> None:
    text = issue(issuer)
    tampered = text[:-3] + ("000" if text[-3:] != "000" else "111")
    result = verify(issuer, tampered)
    assert result.returncode == 1
    details = json.loads(result.stdout)
    assert details["valid"] is False
    assert details["reason"] in {"bad_signature", "damaged_encoding", "damaged_structure"}
    assert details["message"]["zh"]


def test_an_expired_code_is_rejected_as_expired(issuer: Path) -> None:
    result = run(
        "--now",
        "2026-11-26T00:00:00+08:00",
        "verify",
        "--trust",
        issuer / "trust.cose",
        "--root",
        issuer / "keys" / "root.pub",
        issue(issuer),
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["reason"] == "expired"


def test_a_png_is_written_when_asked(issuer: Path, tmp_path: Path) -> None:
    issue(issuer, "--png", str(tmp_path / "code.png"))
    assert (tmp_path / "code.png").read_bytes().startswith(b"\x89PNG")


def test_a_usage_error_exits_2(issuer: Path) -> None:
    assert run("verify").returncode == 2
    assert (
        run("issue", "--keys", issuer / "keys", "--colour", "purple", "--name", "x").returncode == 2
    )
    assert run("--now", "2026-11-23T16:00:00", "id-check", "x").returncode == 2  # no time zone


def test_a_wrong_id_number_is_refused_before_anything_is_issued(issuer: Path) -> None:
    result = run(
        "issue",
        "--keys",
        issuer / "keys",
        "--colour",
        "green",
        "--name",
        "张三丰",
        "--id-number",
        "110105194912310021",
    )
    assert result.returncode == 1
    assert "check character" in result.stderr
    assert result.stdout == ""


def test_revoking_the_issuer_key_voids_its_codes_after_the_next_trust_list(
    tmp_path: Path,
) -> None:
    keys = tmp_path / "keys"
    run("keys", "create", "--dir", keys, "--issuer", "460000", "--issuer-name", "海南省")
    run("trust-list", "sign", "--keys", keys, "--out", tmp_path / "trust.cose")
    text = issue(tmp_path)
    assert verify(tmp_path, text).returncode == 0
    ring = json.loads((keys / "keyring.json").read_text())
    issuer_kid = next(k["kid"] for k in ring["keys"] if k["role"] == "issuer")
    assert run("keys", "revoke", "--dir", keys, issuer_kid).returncode == 0
    run("trust-list", "sign", "--keys", keys, "--out", tmp_path / "trust.cose")
    result = verify(tmp_path, text)
    assert result.returncode == 1
    assert json.loads(result.stdout)["reason"] == "key_compromised"


def test_the_root_rotates_and_kiosks_holding_the_old_pin_follow(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    run("keys", "create", "--dir", keys, "--issuer", "450000", "--issuer-name", "广西壮族自治区")
    old_pin = tmp_path / "old-root.pub"
    old_pin.write_bytes((keys / "root.pub").read_bytes())
    assert (
        run(
            "trust-list", "sign", "--keys", keys, "--out", tmp_path / "t1.cose", "--next-root"
        ).returncode
        == 0
    )
    assert run("keys", "promote-root", "--dir", keys).returncode == 0
    assert run("trust-list", "sign", "--keys", keys, "--out", tmp_path / "t2.cose").returncode == 0

    from healthcode.keydir import load_public
    from healthcode.trust import TrustAnchor

    anchor = TrustAnchor(load_public(old_pin))
    anchor.accept((tmp_path / "t1.cose").read_bytes())
    anchor.accept((tmp_path / "t2.cose").read_bytes())
    assert anchor.root == load_public(keys / "root.pub")


def test_id_check_explains_a_wrong_number_in_both_languages() -> None:
    wrong = run("id-check", "110105194912310021")
    assert wrong.returncode == 1
    answer = json.loads(wrong.stdout)
    assert answer["problem"] == "check_character" and answer["zh"] and answer["en"]
    right = run("id-check", "11010519491231002x")
    assert right.returncode == 0
    assert json.loads(right.stdout)["masked"] == "110105********002X"


def _verify_into_a_closed_pipe(issuer: Path, text: str) -> subprocess.CompletedProcess[bytes]:
    """`verify ... | head -1` where head has already gone: every write meets a closed pipe."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [
                *(sys.executable, "-m", "healthcode", "--now", NOW, "verify"),
                *(
                    "--trust",
                    str(issuer / "trust.cose"),
                    "--root",
                    str(issuer / "keys" / "root.pub"),
                ),
                text,
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
            timeout=60,
        )
    finally:
        os.close(write_end)


def test_a_reader_closing_the_pipe_early_leaves_a_valid_code_valid(issuer: Path) -> None:
    result = _verify_into_a_closed_pipe(issuer, issue(issuer))
    assert result.returncode == 0
    assert b"Traceback" not in result.stderr and b"BrokenPipe" not in result.stderr


def test_a_reader_closing_the_pipe_early_leaves_a_rejected_code_rejected(issuer: Path) -> None:
    text = issue(issuer)
    result = _verify_into_a_closed_pipe(
        issuer, text[:-4] + ("AAAA" if text[-4:] != "AAAA" else "BBBB")
    )
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr


def test_a_file_that_cannot_be_read_is_an_io_error_not_a_rejected_code(
    issuer: Path, tmp_path: Path
) -> None:
    result = run(
        "verify",
        "--trust",
        tmp_path / "absent.cose",
        "--root",
        issuer / "keys" / "root.pub",
        issue(issuer),
    )
    assert result.returncode == 3
    assert "absent.cose" in result.stderr


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
def test_help_into_a_closed_pipe_ends_quietly(unbuffered: bool) -> None:
    """`python -m healthcode --help | head -1`: argparse's text meets the closed pipe in main's
    last flush, not in the interpreter's at exit (a traceback and status 120)."""
    result = run_into_closed_pipe(
        [sys.executable, "-m", "healthcode", "--help"], unbuffered=unbuffered
    )
    assert quiet(result), result.stderr.decode()
    assert result.returncode == 0
