"""The checkpoint kiosk: configuration (`kiosk.config`), the passage flow (`kiosk.checkpoint`),
the passage store (`kiosk.store`), the supervisor's and technician's work (`kiosk.sessions`),
its client of central (`kiosk.client`), its operations (`kiosk.ops`: self-test, diagnostics,
updates, launcher, crash handling, logs) and, in `kiosk.ui` only, the PySide6 screens."""
