"""ID-card readers: SAM serial readers (USB or Bluetooth SPP) and NFC serial numbers.

`open_id_reader(url)` opens any pyserial URL (a device path, an RFCOMM port, `spy://`, or the
simulator `simidcard://?card=resident`) and returns a started `IdCardDriver` that reconnects
by itself after an unplug. BLE-only readers are out of scope.
"""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard.driver import IdCardDriver, IdentityCallback
from drivers.idcard.protocol import BAUDRATE, CardType, Gender, IdentityRead
from drivers.serialio.events import DeviceStateEvent
from drivers.serialio.transport import Transport, open_url

__all__ = ["CardType", "Gender", "IdCardDriver", "IdentityRead", "open_id_reader"]


def open_id_reader(
    url: str,
    *,
    on_identity: IdentityCallback,
    on_state: Callable[[DeviceStateEvent], None],
    baudrate: int = BAUDRATE,
    start: bool = True,
    poll_interval_s: float = 0.05,
    response_timeout_s: float = 0.5,
) -> IdCardDriver:
    """Open `url` (OSError when it cannot be opened) and return the driver, started."""

    def reopen() -> Transport:
        return open_url(url, baudrate=baudrate)

    driver = IdCardDriver(
        reopen(),
        on_identity=on_identity,
        on_state=on_state,
        reopen=reopen,
        poll_interval_s=poll_interval_s,
        response_timeout_s=response_timeout_s,
    )
    if start:
        driver.start()
    return driver
