"""Every string in kiosk/ui has finished Chinese in the committed .ts, and the committed .qm is
that .ts compiled. Fix a failure with `python build/translations.py` (see its docstring)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QCoreApplication

from kiosk.ui.i18n import TRANSLATIONS, Language, LanguageSwitch

ROOT = Path(__file__).resolve().parents[2]


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "translations", ROOT / "build" / "translations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("translations", module)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def test_every_ui_string_has_finished_chinese(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    tool.lupdate(fresh)
    wanted = {(m.context, m.source) for m in tool.read_ts(fresh)}
    assert wanted, "lupdate found no strings in kiosk/ui"
    finished = {(m.context, m.source) for m in tool.read_ts(tool.TS) if m.finished}
    missing = sorted(wanted - finished)
    assert not missing, (
        "strings without finished Chinese in assets/i18n/kiosk_zh_CN.ts; add them to "
        "assets/i18n/zh_CN.json and run `python build/translations.py`:\n"
        + "\n".join(f"  {context}: {source!r}" for context, source in missing)
    )


def test_placeholders_survive_translation() -> None:
    for message in tool.read_ts(tool.TS):
        if message.finished:
            placeholders = sorted(re.findall(r"%(?:\d|n)", message.source))
            assert sorted(re.findall(r"%(?:\d|n)", message.translation)) == placeholders, message


def test_the_mapping_is_sorted_json_with_chinese_values() -> None:
    text = tool.MAPPING.read_text(encoding="utf-8")
    mapping = json.loads(text)
    assert list(mapping) == sorted(mapping)
    assert all(re.search(r"[\u4e00-\u9fff]", v) or v == k for k, v in mapping.items())


def test_the_committed_qm_is_the_compiled_ts(tmp_path: Path) -> None:
    compiled = tmp_path / "kiosk_zh_CN.qm"
    tool.lrelease(tool.TS, compiled)
    assert compiled.read_bytes() == tool.QM.read_bytes(), (
        "assets/i18n/kiosk_zh_CN.qm is stale: run `python build/translations.py`"
    )
    assert tool.QM.parent == TRANSLATIONS


@pytest.mark.usefixtures("qapp")
def test_the_language_switch_loads_chinese_and_back() -> None:
    switch = LanguageSwitch()
    seen: list[str] = []
    switch.changed.connect(seen.append)
    switch.set_language(Language.ZH)
    try:
        assert QCoreApplication.translate("ScanScreen", "Manual entry") == "手工录入"
        assert QCoreApplication.translate("ManualEntry", "Temperature") == "体温"
    finally:
        switch.set_language(Language.EN)
    assert QCoreApplication.translate("ScanScreen", "Manual entry") == "Manual entry"
    assert seen == ["zh", "en"]
