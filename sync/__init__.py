"""The kiosk <-> central wire contract: schemas, request signing, sealed boxes, outbox transfer
files, distribution documents and bundles, signed release manifests.

Imports only `healthcode` and third-party libraries: never `kiosk`, `central` or Qt. The kiosk's
client of this contract is `kiosk.client`.
"""
