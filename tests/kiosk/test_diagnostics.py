"""`kiosk --diagnostics`: one archive for support, without secrets or personal data."""

from __future__ import annotations

import dataclasses
import json
import logging
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import KioskConfig, data_dir
from kiosk.ops.diagnostics import REDACTED, redact, redact_url, write_diagnostics
from kiosk.ops.logs import setup_logging
from kiosk.store import Store

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def config(tmp_path: Path) -> KioskConfig:
    base = KioskConfig.default()
    return dataclasses.replace(
        base,
        kiosk=dataclasses.replace(base.kiosk, data_dir=str(tmp_path / "data")),
        central=dataclasses.replace(
            base.central, url="https://kiosk7:hunter2@central.example.org/api?token=abc&region=61"
        ),
        thermometer=dataclasses.replace(
            base.thermometer, url="simthermometer://?model=gy-mcu90614"
        ),
    )


@pytest.fixture
def logged(config: KioskConfig) -> Iterator[None]:
    root = logging.getLogger()
    before = list(root.handlers)
    setup_logging(data_dir(config).logs_dir, console=None)
    logging.getLogger("kiosk.test").warning("card %s read for 张三丰", ID_NUMBER)
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()


def _archive(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://u:p@host.example/x", f"https://{REDACTED}@host.example/x"),
        ("https://host.example/x?token=t&a=1", f"https://host.example/x?token={REDACTED}&a=1"),
        ("simidcard://?card=resident", "simidcard://?card=resident"),
        ("/dev/ttyUSB0", "/dev/ttyUSB0"),
    ],
)
def test_urls_lose_their_credentials(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_secret_looking_keys_are_redacted() -> None:
    assert redact({"central": {"api_key": "k", "pin_hash": "h", "url": ""}, "fps": 15}) == {
        "central": {"api_key": REDACTED, "pin_hash": REDACTED, "url": ""},
        "fps": 15,
    }


def test_the_archive_holds_every_section_without_secrets(
    tmp_path: Path, config: KioskConfig, logged: None
) -> None:
    paths = data_dir(config)
    Store.open(paths.database, paths.store_key).close()
    target = write_diagnostics(
        tmp_path / "out", config, paths, now=datetime(2026, 5, 1, tzinfo=UTC)
    )
    assert target.parent == tmp_path / "out" and target.name.endswith("20260501T000000Z.zip")
    files = _archive(target)
    assert {
        "manifest.json",
        "versions.json",
        "config.json",
        "devices.json",
        "database.json",
        "clock.json",
        "disk.json",
        "logs/kiosk.log",
    } <= set(files)
    everything = "\n".join(files.values())
    assert "hunter2" not in everything and "token=abc" not in everything
    assert ID_NUMBER not in everything and "张三丰" not in everything
    assert "[id-number]" in files["logs/kiosk.log"]
    versions = json.loads(files["versions.json"])
    assert versions["packages"]["PySide6"] and versions["zbar"][0].isdigit()
    database = json.loads(files["database.json"])
    assert database["schema_version"] >= 1 and database["rows"]["passages"] == 0
    assert database["quick_check"] == ["ok"]
    assert json.loads(files["disk.json"])["free_bytes"] > 0
    config_json = json.loads(files["config.json"])
    assert config_json["config"]["central"]["url"].startswith(f"https://{REDACTED}@central")
    assert json.loads(files["manifest.json"])["files"]


def test_diagnostics_never_create_or_migrate_a_database(
    tmp_path: Path, config: KioskConfig
) -> None:
    target = write_diagnostics(tmp_path / "d.zip", config, data_dir(config))
    assert target == tmp_path / "d.zip"
    assert json.loads(_archive(target)["database.json"])["exists"] is False
    assert not data_dir(config).database.exists()


def test_the_command_writes_the_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "support.zip"
    assert main(["--diagnostics", str(out), "--data-dir", str(tmp_path / "data")]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert "versions.json" in _archive(out)


def test_an_unreadable_configuration_still_gives_an_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text("not = [toml", encoding="utf-8")
    out = tmp_path / "support.zip"
    assert main(["--diagnostics", str(out), "--config", str(bad), "--data-dir", str(tmp_path)]) == 0
    assert "unreadable" in json.loads(_archive(out)["config.json"])["source"]
    capsys.readouterr()
