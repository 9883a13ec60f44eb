"""The kiosk's Qt-free application layer: start-up, devices, scanning, the trust state, the
sync sink and the status the screens show. `kiosk.ui` renders it; nothing here imports Qt."""
