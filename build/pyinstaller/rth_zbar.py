"""PyInstaller runtime hook: pyzbar loads the zbar library bundled next to the kiosk.

pyzbar looks for zbar with `ctypes.util.find_library("zbar")`, which on Linux only finds a
system-wide copy (and none is installed on a kiosk box). In the bundle, answer with the copy
kiosk.spec put in the bundle folder; everything else asks the original function.
"""

import ctypes.util
import os
import sys

_bundled = os.path.join(getattr(sys, "_MEIPASS", ""), "libzbar.so.0")
_original = ctypes.util.find_library


def _find_library(name: str) -> str | None:
    if name == "zbar" and os.path.exists(_bundled):
        return _bundled
    return _original(name)


ctypes.util.find_library = _find_library
