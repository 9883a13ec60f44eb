"""The kiosk <-> central contract (wire schemas) and the kiosk-side client.

Imports only `healthcode` and third-party libraries: never `kiosk`, `central` or Qt.
"""
