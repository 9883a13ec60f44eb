"""The kiosk's client of central: enrolment and its identity on disk, uploads (the outbox),
downloads (trust list, feed, policy, roster), the sync thread, offline transfer files and
bundles, release downloads; `python -m kiosk.client` for the technician.

Speaks the wire contract of `sync`; imports no Qt.
"""
