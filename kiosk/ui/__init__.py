"""The kiosk's screens: the only package that imports PySide6.

Widgets render a plain state and forward input as signals; every decision comes from
`kiosk.checkpoint`, every byte from `drivers`. Conventions for every screen:
- user-facing chrome goes through `self.tr("English source")` (Chinese through Qt's translation
  files in assets/i18n); domain messages arrive as `LocalText` and are shown with
  `text.get(language)`;
- every widget that shows text has `retranslate(language)`, called when the language changes;
- sizes, colours and fonts come from `kiosk.ui.style`, so the screens read from two metres and
  take a gloved finger.
"""
