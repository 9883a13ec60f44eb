"""The EU Digital COVID Certificate (DCC), scheme `HC1`: a foreign issuer's codes, verified offline
for mutual recognition (互信互认).

The QR text is `HC1:` + Base45(zlib(COSE_Sign1(CWT))). The COSE message is signed with ES256 or
PS256 by a document signer certificate (DSC), whose key id is the first 8 bytes of the SHA-256 of
the certificate's DER. CWT claims: issuer (1, a country), issued at (6), expiry (4) and the health
certificate (-260), whose key 1 holds the DCC payload (JSON-like: `ver`, `nam`, `dob` and exactly
one of `v`, `t` or `r` with one entry). A DSC may restrict what it signs by extended key usage
OIDs 1.3.6.1.4.1.1847.2021.1.1 (test), .2 (vaccination) and .3 (recovery); a DSC with none of
them may sign every type. The payload is validated against the EU DCC JSON schema shipped in
`healthcode/dcc/data/eu-dcc-schema/` (version 1.3.3, Apache-2.0), and its coded fields (`tg`,
`vp`, `mp`, `ma`, `co`, `tt`, `tr`) against the EU DCC value sets shipped in
`healthcode/dcc/data/eu-dcc-valuesets/` (release 2.12.0, Apache-2.0): a code outside its set is
`SCHEMA_INVALID`, with the field named.

A verified DCC is a `VerifiedCode` with `foreign` set, never a pass by itself: the kiosk's
checkpoint turns it into a staff decision (`kiosk/checkpoint/foreign.py`; by default a manual
check showing type, dates and name).

The parts: `signers` (the signing certificates and the trust file), `steps` (each step of
decoding and checking, public so the conformance walk `healthcode.conformance` checks the very
code the scheme runs), `summary` (what staff see) and `scheme` (the steps in order). This
package's namespace is the scheme's public API.
"""

from healthcode.dcc.scheme import DccScheme
from healthcode.dcc.signers import (
    ALGORITHMS,
    DCC_KEY_USAGE_OIDS,
    KEY_USAGE_OIDS,
    KID_LENGTH,
    DccSigner,
    DccTrustError,
    DccTrustList,
    kid_of_certificate,
)
from healthcode.dcc.steps import (
    CLAIM_EXPIRES,
    CLAIM_HCERT,
    CLAIM_ISSUED_AT,
    CLAIM_ISSUER,
    FAMILY,
    HCERT_EU_DCC,
    MAX_DECOMPRESSED,
    PREFIX,
    SCHEMA_RESOURCE,
    SCHEMA_VERSION,
    SCHEME_NAME,
    VERSION,
    DccClaims,
    DccError,
    as_json_value,
    certificate_type,
    check_key_usage,
    check_times,
    decode_base45,
    decode_claims,
    decode_cose,
    decompress,
    schema,
    schema_errors,
    unprefix,
    validate_json_schema,
    validate_schema,
    value_set,
    value_set_errors,
    verify_signature,
)
from healthcode.dcc.summary import TEST_DETECTED, TEST_NOT_DETECTED, summarise

__all__ = [
    "ALGORITHMS",
    "CLAIM_EXPIRES",
    "CLAIM_HCERT",
    "CLAIM_ISSUED_AT",
    "CLAIM_ISSUER",
    "DCC_KEY_USAGE_OIDS",
    "FAMILY",
    "HCERT_EU_DCC",
    "KEY_USAGE_OIDS",
    "KID_LENGTH",
    "MAX_DECOMPRESSED",
    "PREFIX",
    "SCHEMA_RESOURCE",
    "SCHEMA_VERSION",
    "SCHEME_NAME",
    "TEST_DETECTED",
    "TEST_NOT_DETECTED",
    "VERSION",
    "DccClaims",
    "DccError",
    "DccScheme",
    "DccSigner",
    "DccTrustError",
    "DccTrustList",
    "as_json_value",
    "certificate_type",
    "check_key_usage",
    "check_times",
    "decode_base45",
    "decode_claims",
    "decode_cose",
    "decompress",
    "kid_of_certificate",
    "schema",
    "schema_errors",
    "summarise",
    "unprefix",
    "validate_json_schema",
    "validate_schema",
    "value_set",
    "value_set_errors",
    "verify_signature",
]
