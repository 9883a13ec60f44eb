"""Verification speed of a typical code, against bare signature checks of the same payload.

Prints microseconds per whole-code verification (text to verified claims) and per bare Ed25519
verification of the same Sig_structure, measured in the same run, and their ratio (the share of
the time that is the signature itself); the QR text's length and version at level M.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import segno

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from healthcode import base45, cose, jkm
from healthcode.claims import CodeKind, Colour
from healthcode.console import say, survives_closed_stdout
from healthcode.keys import SigningKey
from healthcode.schemes import VerifyContext
from healthcode.text import LocalText
from healthcode.trust import Issuer, KeyRole, TrustedKey, TrustList

ROUNDS = 7
PER_ROUND = 2000
VERSION_10_M_ALPHANUMERIC = 311  # ISO/IEC 18004, table 7


def per_call_us(action: Callable[[], object]) -> float:
    """Median over rounds of the mean time per call, in microseconds."""
    for _ in range(200):
        action()
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(PER_ROUND):
            action()
        rounds.append((time.perf_counter() - start) / PER_ROUND * 1e6)
    return statistics.median(rounds)


def goal(name: str, measured: float, unit: str, op: str, target: float, fmt: str = ".1f") -> str:
    met = measured <= target if op == "<=" else measured >= target
    return (
        f"goal {name}: {measured:{fmt}} {unit} (target {op} {target:g}) "
        f"{'met' if met else 'missed'}"
    )


@survives_closed_stdout
def main() -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    issuer_key = SigningKey.generate()
    trust = TrustList(
        1,
        now,
        (Issuer("610000", LocalText("陕西省", "Shaanxi")),),
        (TrustedKey(issuer_key.public, "610000", KeyRole.ISSUER, now - timedelta(days=1)),),
    )
    claims = jkm.claims_for_person(
        issuer="610000",
        code_id=os.urandom(16),
        colour=Colour.GREEN,
        colour_seq=3,
        kind=CodeKind.APP,
        full_name="张三丰",
        id_number="11010519491231002X",
        binding_key=os.urandom(32),
        now=now,
    )
    text = jkm.issue(claims, issuer_key)
    registry = jkm.default_registry()
    context = VerifyContext(trust=trust, now=now + timedelta(hours=1))
    assert registry.verify(text, context).ok

    message = cose.decode(base45.decode(text.removeprefix(jkm.PREFIX)))
    to_be_signed, signature = message.to_be_signed(), message.signature
    bare_key = issuer_key.public.key

    whole_us = per_call_us(lambda: registry.verify(text, context))
    bare_us = per_call_us(lambda: bare_key.verify(signature, to_be_signed))  # type: ignore[call-arg]
    ratio = bare_us / whole_us

    qr = segno.make(text, error="m", micro=False, boost_error=False)
    spare = VERSION_10_M_ALPHANUMERIC - len(text)

    say(f"whole-code verification     {whole_us:8.1f} us  (text -> verified claims)")
    say(f"bare Ed25519 verification   {bare_us:8.1f} us  (same Sig_structure, same key)")
    say(f"signature share of the time {ratio:8.2f}")
    say(f"QR text                     {len(text):8d} characters, {qr.mode} mode")
    say(f"QR version at level M       {qr.version:8d}  ({spare} characters to spare in 10-M)")
    say(goal("verify_time", whole_us, "us", "<=", 250))
    say(goal("verify_signature_ratio", ratio, "ratio", ">=", 0.5, ".2f"))
    say(goal("qr_version", qr.version, "version", "<=", 10, "d"))
    say(goal("qr_spare_characters", spare, "characters", ">=", 20, "d"))


if __name__ == "__main__":
    main()
