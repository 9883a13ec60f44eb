"""Update the kiosk's Chinese translation: lupdate -> apply assets/i18n/zh_CN.json -> lrelease.

The screens are written in English (`self.tr("...")` in kiosk/ui); Chinese comes from Qt's
translation files. After adding or changing a string in kiosk/ui:

    1. add the English text and its Chinese to assets/i18n/zh_CN.json
       ("English source": "中文"; a key "Context::English source" overrides one class only);
    2. .venv/bin/python build/translations.py
       (pyside6-lupdate over every .py in kiosk/ui -> assets/i18n/kiosk_zh_CN.ts, the Chinese
       from zh_CN.json marked finished, then pyside6-lrelease -> assets/i18n/kiosk_zh_CN.qm);
    3. commit zh_CN.json, kiosk_zh_CN.ts and kiosk_zh_CN.qm together.

The script exits 1 and names every string that still has no Chinese. tests/gui/test_translations.py
fails the same way, and when the .qm is not the compiled .ts. `--check` changes nothing and
exits 1 when the committed files are out of date. `%1` placeholders must stay in the Chinese.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "kiosk" / "ui"
I18N = ROOT / "assets" / "i18n"
TS = I18N / "kiosk_zh_CN.ts"
QM = I18N / "kiosk_zh_CN.qm"
MAPPING = I18N / "zh_CN.json"
_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'


def tool(name: str) -> Path:
    """`pyside6-<name>` next to this Python (a venv's bin/Scripts), else PySide6's own copy."""
    here = Path(sys.executable).parent
    for candidate in (here / f"pyside6-{name}", here / f"pyside6-{name}.exe"):
        if candidate.is_file():
            return candidate
    import PySide6

    package = Path(PySide6.__file__).parent
    for candidate in (package / name, package / f"{name}.exe"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no pyside6-{name} (install PySide6 into this environment)")


def sources() -> list[Path]:
    return sorted(UI.glob("*.py"))


def lupdate(ts: Path, files: Sequence[Path] | None = None) -> None:
    """Add new strings to `ts` (created when missing), keep existing translations, drop vanished
    strings. No source locations are written, so the file changes only when strings do."""
    names = [str(p.relative_to(ROOT)) for p in (files if files is not None else sources())]
    subprocess.run(  # noqa: S603 - our own tool and file names
        [
            str(tool("lupdate")),
            *names,
            "-locations",
            "none",
            "-no-obsolete",
            "-source-language",
            "en",
            "-target-language",
            "zh_CN",
            "-ts",
            str(ts),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run(  # noqa: S603
        [str(tool("lrelease")), "-silent", str(ts), "-qm", str(qm)],
        check=True,
        capture_output=True,
    )


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    translation: str
    finished: bool


def read_ts(ts: Path) -> list[Message]:
    """Every message in a .ts; finished means translated and not marked unfinished/obsolete."""
    messages = []
    for context in ET.parse(ts).getroot().iter("context"):  # noqa: S314 - our own file
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            forms = [] if translation is None else list(translation.iter("numerusform"))
            text = (
                forms[0].text if forms else translation.text if translation is not None else ""
            ) or ""
            kind = translation.get("type") if translation is not None else "unfinished"
            messages.append(
                Message(name, message.findtext("source", ""), text, bool(text) and kind is None)
            )
    return messages


def load_mapping(path: Path = MAPPING) -> dict[str, str]:
    mapping: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return mapping


def apply_mapping(ts: Path, mapping: dict[str, str]) -> list[Message]:
    """Write the mapping's Chinese into `ts`, marked finished; the messages still missing."""
    tree = ET.parse(ts)  # noqa: S314 - our own file, written by lupdate
    missing = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            source = message.findtext("source", "")
            chinese = mapping.get(f"{name}::{source}", mapping.get(source))
            translation = message.find("translation")
            if translation is None:
                translation = ET.SubElement(message, "translation")
            if chinese is None:
                if translation.get("type") is None and (translation.text or list(translation)):
                    continue  # translated by hand in the .ts (Qt Linguist): keep it
                missing.append(Message(name, source, "", False))
                continue
            translation.attrib.pop("type", None)
            if message.get("numerus") == "yes":  # Chinese has one plural form
                for form in list(translation):
                    translation.remove(form)
                ET.SubElement(translation, "numerusform").text = chinese
                translation.text = None
            else:
                translation.text = chinese
    ET.indent(tree, space="    ")
    ts.write_text(_HEADER + ET.tostring(tree.getroot(), encoding="unicode") + "\n", "utf-8")
    return missing


def update(ts: Path = TS, qm: Path = QM, mapping_path: Path = MAPPING) -> list[Message]:
    """The whole workflow; returns the strings still without Chinese."""
    ts.parent.mkdir(parents=True, exist_ok=True)
    lupdate(ts)
    missing = apply_mapping(ts, load_mapping(mapping_path))
    lrelease(ts, qm)
    return missing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; 1 when out of date")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as folder:
            ts, qm = Path(folder) / TS.name, Path(folder) / QM.name
            ts.write_bytes(TS.read_bytes())
            missing = update(ts, qm)
            stale = ts.read_bytes() != TS.read_bytes() or qm.read_bytes() != QM.read_bytes()
    else:
        missing = update()
        stale = False
    for message in missing:
        print(f"no Chinese for {message.context}: {message.source!r} (add it to {MAPPING.name})")
    if stale:
        print(f"{TS.name} or {QM.name} is out of date: run python build/translations.py")
    if not args.check:
        print(f"{len(read_ts(TS))} strings in {TS.relative_to(ROOT)}, {len(missing)} untranslated")
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
