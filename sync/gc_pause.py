"""Cyclic garbage collection paused while a batch of records is built, sent or stored.

A 5,000-record batch makes some 10^5 short-lived objects (freed by reference counting, no
cycles); with the collector on, they set off repeated full collections of the whole heap, which
cost more than the batch's own work. Pauses are counted, so overlapping ones (threads) restore
the collector once, at the end of the last; whatever was allocated meanwhile is looked at then.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block (see the module's text)."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
