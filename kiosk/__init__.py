"""The checkpoint kiosk: configuration, the passage flow (`kiosk.checkpoint`), the passage store
(`kiosk.store`) and, in `kiosk.ui` only, the PySide6 screens."""
