"""Languages: Chinese by default, English switchable, through Qt's translation files.

Widget chrome is written in English in the code and translated to Chinese by
`assets/i18n/kiosk_zh_CN.qm`; domain messages (decisions, reasons, devices) carry both languages
as `LocalText` and are picked with `Language.code`.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTranslator, Signal

log = logging.getLogger(__name__)
ASSETS = Path(__file__).resolve().parents[2] / "assets"
TRANSLATIONS = ASSETS / "i18n"


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


class LanguageSwitch(QObject):
    """Installs the translator for the chosen language and tells every screen to retranslate."""

    changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._translator: QTranslator | None = None
        self.language = Language.EN

    def set_language(self, language: Language) -> None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication first")
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if language is Language.ZH:
            translator = QTranslator(self)
            if translator.load(str(TRANSLATIONS / "kiosk_zh_CN.qm")):
                app.installTranslator(translator)
                self._translator = translator
            else:
                # Domain texts still show in Chinese; only the buttons' chrome stays English.
                log.error("no Chinese translation in %s: screens keep English labels", TRANSLATIONS)
        self.language = language
        self.changed.emit(language.value)

    def close(self) -> None:
        """Take this switch's translator out of the application."""
        app = QCoreApplication.instance()
        if app is not None and self._translator is not None:
            app.removeTranslator(self._translator)
        self._translator = None
