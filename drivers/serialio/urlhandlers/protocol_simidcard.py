"""`simidcard://?card=resident`: a simulated SAM ID-card reader as a serial port.

Options (all optional): card (resident, hmt, foreign, none), status (a SW3 in hex, e.g. 41)
and status_on (find, select, read, reset, status), garbage, partial, corrupt, stall_after,
stall_s, disconnect_after, replace_ms (place a read card again after this long), seed,
pace (send at 115200 baud, as the real UART). Flags take 1/0 (or a bare name for 1).
"""

from __future__ import annotations

import math

from drivers.idcard.protocol import BAUDRATE
from drivers.idcard.simulator import SimIdCardReader, SimIdCardSettings
from drivers.serialio.simport import SimDevice, SimSerialBase, flag, no_unknown_options, number


def settings_from_options(options: dict[str, str]) -> tuple[SimIdCardSettings, bool]:
    options = dict(options)
    status_text = options.pop("status", None)
    try:
        status = None if status_text is None else int(status_text, 16)
    except ValueError:
        raise ValueError(f"option status={status_text!r} is not a hex SW3 value") from None

    def count(name: str) -> int | None:
        value = number(options, name, None)
        return None if value is None else int(value)

    settings = SimIdCardSettings(
        card=options.pop("card", "resident"),
        status=status,
        status_on=options.pop("status_on", "read"),
        garbage=flag(options, "garbage"),
        partial=flag(options, "partial"),
        corrupt=flag(options, "corrupt"),
        stall_after=count("stall_after"),
        stall_s=number(options, "stall_s", math.inf) or 0.0,
        disconnect_after=count("disconnect_after"),
        replace_ms=number(options, "replace_ms", None),
        seed=count("seed") or 0,
    )
    pace = flag(options, "pace")
    no_unknown_options(options)
    return settings, pace


class Serial(SimSerialBase):
    scheme = "simidcard"

    def make_device(self, options: dict[str, str]) -> tuple[SimDevice, int | None]:
        settings, pace = settings_from_options(options)
        return SimIdCardReader(settings), BAUDRATE if pace else None
