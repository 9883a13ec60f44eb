"""Saving device choices into kiosk.toml: in place, comments kept, checked, atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.config.writer import update_config

INSTALLED = """# kiosk at the north gate
[kiosk]
language = "en"  # for the night shift

[thermometer]
# the module on the left post
url = ""
offset_celsius = 2.5
"""


def test_a_saved_device_replaces_its_line_and_keeps_every_comment(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(INSTALLED, encoding="utf-8")
    config = update_config(path, {"thermometer": {"url": "/dev/ttyUSB0", "model": "body-aaa5"}})
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# kiosk at the north gate\n")
    assert 'language = "en"  # for the night shift' in text
    assert '# the module on the left post\nurl = "/dev/ttyUSB0"\n' in text
    assert config.thermometer.url == "/dev/ttyUSB0"
    assert config.thermometer.model == "body-aaa5"
    assert config.thermometer.offset_celsius == 2.5
    assert config.path == str(path.resolve())


def test_a_missing_file_and_section_are_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "kiosk.toml"
    update_config(path, {"id_reader": {"url": "simidcard://?card=resident"}})
    assert load_config(path).id_reader.url == "simidcard://?card=resident"


def test_a_value_the_kiosk_would_refuse_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(INSTALLED, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        update_config(path, {"thermometer": {"model": "no-such-model"}})
    assert refused.value.problems[0].key == "thermometer.model"
    assert path.read_text(encoding="utf-8") == INSTALLED
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
