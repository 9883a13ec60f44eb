"""`kiosk --self-test`: real readings from the simulated devices, a known code decoded and
verified, and a clear FAILED line with the reason when something is wrong."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import KioskConfig, data_dir
from kiosk.ops.selftest import (
    DEMO_ID_READER,
    DEMO_THERMOMETER,
    Check,
    check_known_code,
    make_known_code,
    run_checks,
    run_self_test,
)

ROOT = Path(__file__).resolve().parents[2]


def config_with(tmp_path: Path, **sections: dict[str, object]) -> KioskConfig:
    config = KioskConfig.default()
    config = dataclasses.replace(
        config, kiosk=dataclasses.replace(config.kiosk, data_dir=str(tmp_path / "data"))
    )
    for name, values in sections.items():
        config = dataclasses.replace(
            config, **{name: dataclasses.replace(getattr(config, name), **values)}
        )
    return config


def results(config: KioskConfig, **options: object) -> dict[str, Check]:
    checks = run_checks(config, data_dir(config), screens=False, timeout_s=3.0, **options)  # type: ignore[arg-type]
    return {check.name: check for check in checks}


def test_every_check_passes_with_the_simulated_devices(tmp_path: Path) -> None:
    found = results(config_with(tmp_path), demo=True)
    assert {name: check.ok for name, check in found.items()} == {
        "configuration": True,
        "data folder": True,
        "database": True,
        "thermometer": True,
        "ID reader": True,
        "camera": True,
        "scanner": None,
        "known code": True,
    }
    assert "°C" in found["thermometer"].detail
    assert "SAM status" in found["ID reader"].detail
    assert "zxing-cpp" in found["known code"].detail and "pyzbar" in found["known code"].detail
    assert (tmp_path / "data" / "kiosk.db").exists()


def test_devices_that_are_not_configured_are_skipped(tmp_path: Path) -> None:
    found = results(config_with(tmp_path))
    assert [found[n].ok for n in ("thermometer", "ID reader", "camera", "scanner")] == [None] * 4
    assert found["known code"].ok and found["database"].ok


def test_a_thermometer_that_never_answers_fails_with_the_reason(tmp_path: Path) -> None:
    config = config_with(
        tmp_path, thermometer={"url": DEMO_THERMOMETER + "&no_reading=1", "model": "gy-mcu90614"}
    )
    check = results(config)["thermometer"]
    assert check.ok is False
    assert "no reading" in check.detail and check.line().startswith("FAILED  thermometer:")


def test_an_id_reader_whose_sam_fails_its_status_query_fails(tmp_path: Path) -> None:
    config = config_with(
        tmp_path, id_reader={"url": DEMO_ID_READER + "&status=60&status_on=status"}
    )
    check = results(config)["ID reader"]
    assert check.ok is False and "SAM status 60" in check.detail


def test_a_device_that_cannot_be_opened_fails(tmp_path: Path) -> None:
    config = config_with(
        tmp_path,
        thermometer={"url": str(tmp_path / "no-such-port")},
        id_reader={"url": str(tmp_path / "no-such-reader")},
        camera={"source": str(tmp_path / "no-camera.mkv")},
    )
    found = results(config)
    assert [found[n].ok for n in ("thermometer", "ID reader", "camera")] == [False] * 3
    assert "cannot be opened" in found["thermometer"].detail


def test_a_database_written_under_another_key_fails(tmp_path: Path) -> None:
    config = config_with(tmp_path)
    paths = data_dir(config)
    assert results(config)["database"].ok
    paths.store_key.unlink()
    found = results(config)
    assert found["database"].ok is False and "another key" in found["database"].detail


def test_a_damaged_database_fails(tmp_path: Path) -> None:
    config = config_with(tmp_path)
    paths = data_dir(config).create()
    paths.database.write_bytes(b"this is not a database" * 100)
    assert results(config)["database"].ok is False


def test_the_known_code_must_verify_against_its_own_trust_list(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    one = make_known_code(tmp_path / "one", now)
    other = make_known_code(tmp_path / "other", now)
    assert "verified" in check_known_code(one, now)
    forged = dataclasses.replace(one, trust_list=other.trust_list)
    with pytest.raises(Exception, match="did not verify"):
        check_known_code(forged, now)


def test_the_summary_and_exit_status(tmp_path: Path) -> None:
    lines: list[str] = []
    config = config_with(tmp_path, thermometer={"url": str(tmp_path / "gone")})
    code = run_self_test(config, data_dir(config), screens=False, timeout_s=1, out=lines.append)
    assert code == 1
    assert lines[-1].startswith("self-test FAILED: 1 check(s) failed")
    assert any(line.startswith("FAILED  thermometer:") for line in lines)


def test_a_bad_configuration_file_is_a_failed_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[camera]\nfps = 'fast'\n", encoding="utf-8")
    assert main(["--self-test", "--config", str(bad)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAILED  configuration:") and "camera.fps" in out


def test_the_command_runs_everything_offscreen(tmp_path: Path) -> None:
    """`kiosk --self-test --demo` in a fresh process, as CI runs the bundled one."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--self-test", "--demo", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("self-test ok")
    assert any(line.startswith("ok      screens: Qt platform offscreen") for line in lines)
    assert not any(line.startswith("FAILED") for line in lines)
