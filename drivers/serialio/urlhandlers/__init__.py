"""pyserial URL handlers for our simulators (`serial.protocol_handler_packages` entries).

pyserial maps `scheme://` to the module `protocol_<scheme>` here, so scheme names must be
valid module names: `simthermometer://` and `simidcard://` (no '-'). Registered by
`drivers.serialio.register_url_handlers()`, which every `open_*` factory calls.
"""
