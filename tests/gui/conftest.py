"""GUI tests: Qt runs offscreen, and every screen can be saved as a PNG for people to look at.

Qt must learn its platform before it is imported, hence the environment line at the top.

Fixtures:
- `save_screen(widget, name, language, size=(1280, 800)) -> Path`: shows `widget` (a top-level
  or a child; it is laid out at `size`, or at its own size when `size` is None), lets Qt process
  pending events, grabs it and writes `artifacts/screens/<language>/<name>.png` at the
  repository root (the folder is git-ignored). `language` is a `Language` or "zh"/"en". Returns
  the PNG's path. Call `widget.retranslate(language)` first if the widget should show that
  language; the fixture only takes the picture. Re-saving a name overwrites the file.
- `screens_dir`: the `artifacts/screens` folder.
- `use_language(language)`: installs Qt's translator for `language` (as the kiosk's
  `LanguageSwitch` does) so `self.tr()` chrome comes out in Chinese; English is restored after
  the test. Widgets still need their own `retranslate(language)` call.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.ui.i18n import Language, LanguageSwitch

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "artifacts" / "screens"
KIOSK_SIZE = (1280, 800)

SaveScreen = Callable[..., Path]


@pytest.fixture
def screens_dir() -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS


@pytest.fixture
def save_screen(qapp: QApplication, screens_dir: Path) -> SaveScreen:
    def save(
        widget: QWidget,
        name: str,
        language: str,
        size: tuple[int, int] | None = KIOSK_SIZE,
    ) -> Path:
        code = str(getattr(language, "value", language))
        if size is not None:
            widget.resize(*size)
        if not widget.isVisible():
            widget.show()
        for _ in range(3):  # layouts settle over a few passes
            qapp.processEvents()
        folder = screens_dir / code
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        if not widget.grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        return path

    return save


@pytest.fixture
def use_language(qapp: QApplication) -> Iterator[Callable[[Language], None]]:
    switch = LanguageSwitch()
    yield switch.set_language
    switch.set_language(Language.EN)
