"""The national health code (国家健康码, 防疫健康信息码): recognised, never judged offline.

Its data format is GB/T 38962-2020 (个人健康信息码 数据格式) and it is verified online against
the national platform per GB/T 38963-2020 (个人健康信息码 应用接口). None of our sources (the
seeds, DOMAIN.md, the interop data) gives the text its QR code carries, its signature, or the
interface of the national platform, so this module does not guess them: a deployment that has
the national platform's integration documents names the texts' prefixes in its policy
(`national_code_prefixes`), and such a text is a `NATIONAL_CODE` result, which the checkpoint
turns into a manual check ("国家码：请人工核验"), never into "invalid" or "forged". Without the
prefixes a national code falls among the texts no scheme recognises, which the checkpoint also
leaves to staff (see `kiosk.checkpoint.decision`). The online check (GB/T 38963) is the
kiosk's (`kiosk.client.national_check`, over an assumed wire format documented in
docs/other-regions.md): this package speaks no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable

from healthcode.results import Rejection, RejectReason

SCHEME_NAME = "GB/T 38962"
MAX_PREFIXES = 16


def national_code(text: str, prefixes: Iterable[str]) -> Rejection | None:
    """The national-code result for a text that starts with one of the configured prefixes;
    None otherwise. A `Rejection` only in the sense that it is not verified here: its reason
    asks for a manual check."""
    if any(prefix and text.startswith(prefix) for prefix in prefixes):
        return Rejection(
            RejectReason.NATIONAL_CODE,
            "national health code: not verifiable offline",
            scheme=SCHEME_NAME,
        )
    return None
