"""The signed health code, shared by the kiosk and the central server.

COSE_Sign1 (RFC 9052) over CWT claims (RFC 8392), Base45 text (RFC 9285) behind a scheme prefix;
keys and the signed trust list; the signed status feed; the scheme registry; ID-number helpers.
Pure Python: no Qt, no HTTP, no SQL, and nothing else of ours is imported here.
"""
