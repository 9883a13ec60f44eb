"""The central service: issues codes, enrols kiosks, keeps the trust list, receives passages.

Built by `central.app.create_app(settings)`; nothing here builds an app or an engine at import.
"""
