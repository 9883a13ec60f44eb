"""The checkpoint kiosk: configuration (`kiosk.config`), the passage flow (`kiosk.checkpoint`),
the passage store (`kiosk.store`), the supervisor's and technician's work (`kiosk.sessions`),
its client of central (`kiosk.client`), its operations (`kiosk.ops`: self-test, diagnostics,
updates, launcher, crash handling, logs), the application without Qt (`kiosk.app`: start-up,
devices, scanning, the trust state, the sync sink, the status) and, in `kiosk.ui` only, the
PySide6 window that renders it."""
