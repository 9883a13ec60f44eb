"""The EU DCC conformance walk: every case of a folder in the layout of the public test corpus
(eu-digital-green-certificates/dgc-testdata), each expected flag checked with the steps of
`healthcode.dcc`, at the case's `VALIDATIONCLOCK` and with the case's certificate.

Layout: `<country>/2DCode/raw/*.json` at any depth (e.g. `PT/<version>/2DCode/raw`,
`IE/2DCode/Raw`), and `tests/known_issues.csv` (test_name, country, test_set, reason) naming
cases known to be broken upstream; those are reported as such, never silently skipped. An
absent flag is not checked. `EXPECTEDSCHEMAVALIDATION` always uses the shipped schema (1.3.3),
and its expected value says what to expect of it; `EXPECTEDVALIDOBJECT` (the case's JSON against
the schema version the case names) is checked only for cases of the shipped version line (1.3).
Quirks of the data handled here, never by editing it: `EXPECTEDRESULTS` nested one level deeper,
the picture under `_2DCODE`, and the misspelt, undefined flag `EXPTECTEDEXPIRED` (reported as
not checked).

Picture decoding needs a QR decoder, which `healthcode` does not have (it imports nothing of ours):
pass one as `picture_decoder` (PNG bytes in, texts out); without it that flag is not checked.
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cbor2

from healthcode import dcc

PictureDecoder = Callable[[bytes], Sequence[str]]

# The flags, in the order of the chain, with the reference harness's test names (the
# `test_name` column of known_issues.csv) that check each.
FLAGS: dict[str, tuple[str, ...]] = {
    "EXPECTEDPICTUREDECODE": ("test_picture_decode",),
    "EXPECTEDUNPREFIX": ("test_un_prefix",),
    "EXPECTEDB45DECODE": ("test_b45decode",),
    "EXPECTEDCOMPRESSION": ("test_compression",),
    "EXPECTEDDECODE": ("test_cose_cbor", "test_cose_json"),
    "EXPECTEDVERIFY": ("test_verification_check",),
    "EXPECTEDEXPIRATIONCHECK": ("test_expiration_check",),
    "EXPECTEDKEYUSAGE": ("test_expected_key_usage",),
    "EXPECTEDSCHEMAVALIDATION": ("test_cose_schema",),
    "EXPECTEDVALIDJSON": ("test_cbor_json",),
    "EXPECTEDVALIDOBJECT": ("test_valid_object",),
    "EXPECTEDENCODE": ("test_encode",),
}
UNDEFINED_FLAGS = frozenset({"EXPTECTEDEXPIRED"})  # misspelt in the data; no defined meaning
KNOWN_ISSUES = Path("tests") / "known_issues.csv"


@dataclass(frozen=True)
class KnownIssue:
    test_name: str  # empty: every test
    country: str
    test_set: str  # empty: every case of the country
    reason: str

    def covers(self, tests: Sequence[str], country: str, test_set: str) -> bool:
        return (
            (not self.test_name or self.test_name in tests)
            and self.country == country
            and (not self.test_set or self.test_set == test_set)
        )


@dataclass(frozen=True)
class Outcome:
    """One flag of one case: what the corpus expects and what we found (None: not checked)."""

    case: str
    flag: str
    expected: bool
    actual: bool | None
    detail: str = ""
    known_issue: str | None = None

    @property
    def agreed(self) -> bool:
        return self.actual is not None and self.actual == self.expected


@dataclass(frozen=True)
class Tally:
    cases: int = 0
    agreed: int = 0
    disagreed: int = 0
    known_agreed: int = 0
    known_disagreed: int = 0
    not_checked: int = 0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    case_count: int = 0
    # Cases whose coded fields are outside the EU DCC value sets: the corpus's schema flag does
    # not hold its cases to them, the kiosk does (refused as schema_invalid, the field named).
    value_set_findings: list[tuple[str, str]] = field(default_factory=list)

    def tallies(self) -> dict[str, Tally]:
        counts: dict[str, dict[str, int]] = {}
        for outcome in self.outcomes:
            row = counts.setdefault(outcome.flag, dict.fromkeys(Tally.__dataclass_fields__, 0))
            row["cases"] += 1
            if outcome.actual is None:
                row["not_checked"] += 1
            elif outcome.known_issue is not None:
                row["known_agreed" if outcome.agreed else "known_disagreed"] += 1
            else:
                row["agreed" if outcome.agreed else "disagreed"] += 1
        order = [*FLAGS, *sorted(set(counts) - set(FLAGS))]
        return {flag: Tally(**counts[flag]) for flag in order if flag in counts}

    @property
    def disagreements(self) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if o.actual is not None and not o.agreed and o.known_issue is None
        ]

    @property
    def ok(self) -> bool:
        return not self.disagreements and not self.unreadable

    def table(self) -> str:
        header = ("flag", "cases", "agreed", "disagreed", "known issue", "not checked")
        rows = [header]
        total = Tally()
        for flag, tally in self.tallies().items():
            rows.append(
                (
                    flag,
                    str(tally.cases),
                    str(tally.agreed),
                    str(tally.disagreed),
                    _known(tally.known_agreed, tally.known_disagreed),
                    str(tally.not_checked),
                )
            )
            total = Tally(
                *(
                    getattr(total, name) + getattr(tally, name)
                    for name in Tally.__dataclass_fields__
                )
            )
        rows.append(
            (
                "all flags",
                str(total.cases),
                str(total.agreed),
                str(total.disagreed),
                _known(total.known_agreed, total.known_disagreed),
                str(total.not_checked),
            )
        )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = [
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            )
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        lines.insert(-1, lines[1])
        summary = f"{self.case_count} cases; known issue: agreed anyway/disagreed"
        if self.unreadable:
            summary += f"; {len(self.unreadable)} unreadable files"
        if self.value_set_findings:
            summary += (
                f"\n{len(self.value_set_findings)} cases have coded fields outside the EU DCC "
                "value sets (not a corpus flag; the kiosk refuses them as schema_invalid)"
            )
        return "\n".join([*lines, summary])

    def details(self) -> str:
        lines = [
            f"DISAGREED {o.case} {o.flag}: expected {o.expected}, found {o.actual} {o.detail}"
            for o in self.disagreements
        ]
        lines += [
            f"known issue {o.case} {o.flag}: expected {o.expected}, found {o.actual} "
            f"({o.known_issue})"
            for o in self.outcomes
            if o.known_issue is not None and o.actual is not None and not o.agreed
        ]
        lines += [f"UNREADABLE {name}" for name in self.unreadable]
        lines += [f"value sets {name}: {error}" for name, error in self.value_set_findings]
        return "\n".join(lines)


def _known(agreed: int, disagreed: int) -> str:
    return f"{agreed}/{disagreed}"


# --- the corpus ---------------------------------------------------------------------------------


def case_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.json")):
        parts = path.relative_to(root).parts
        if "2DCode" in parts and path.parent.name.lower() == "raw":
            yield path


def load_case(path: Path) -> dict[str, Any]:
    """A case with EXPECTEDRESULTS flattened where it is nested one level deeper."""
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    expected = case.get("EXPECTEDRESULTS", {})
    if isinstance(expected, dict) and isinstance(expected.get("EXPECTEDRESULTS"), dict):
        expected = expected["EXPECTEDRESULTS"]
    case["EXPECTEDRESULTS"] = expected if isinstance(expected, dict) else {}
    return case


def load_known_issues(root: Path) -> list[KnownIssue]:
    path = root / KNOWN_ISSUES
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            KnownIssue(
                test_name=(row.get("test_name") or "").strip(),
                country=(row.get("country") or "").strip(),
                test_set=(row.get("test_set") or "").strip(),
                reason=(row.get("reason") or "").strip(),
            )
            for row in csv.DictReader(handle)
        ]


def run(root: Path, picture_decoder: PictureDecoder | None = None) -> Report:
    """Check every case under `root` against its expected flags."""
    known = load_known_issues(root)
    report = Report()
    for path in case_files(root):
        name = path.relative_to(root).as_posix()
        try:
            case = load_case(path)
        except (OSError, ValueError):
            report.unreadable.append(name)
            continue
        report.case_count += 1
        finding = value_set_finding(case)
        if finding:
            report.value_set_findings.append((name, finding))
        country, test_set = path.relative_to(root).parts[0], path.stem
        for flag, expected in case["EXPECTEDRESULTS"].items():
            if flag in UNDEFINED_FLAGS or flag not in FLAGS:
                report.outcomes.append(
                    Outcome(name, flag, bool(expected), None, "not a defined flag")
                )
                continue
            actual, detail = check(flag, case, picture_decoder)
            issue = next(
                (i for i in known if i.covers(FLAGS[flag], country, test_set)),
                None,
            )
            report.outcomes.append(
                Outcome(
                    name,
                    flag,
                    bool(expected),
                    actual,
                    detail,
                    issue.reason if issue is not None else None,
                )
            )
    return report


def value_set_finding(case: Mapping[str, Any]) -> str:
    """The first coded field of the case's payload outside its value set ('' when none or when
    the payload cannot be read)."""
    try:
        errors = dcc.value_set_errors(_payload_of_cose(str(case.get("COSE") or "")))
    except (dcc.DccError, ValueError):
        return ""
    return errors[0] if errors else ""


# --- the checks ---------------------------------------------------------------------------------


class _NotCheckableError(Exception):
    """The case lacks what this flag needs."""


class _MismatchError(Exception):
    """A step ran but its result is not what the case holds: the message says what differs."""


def _same(found: object, expected: object, what: str) -> bool:
    """True when equal; otherwise the step is refused with `what` as its reason."""
    if found != expected:
        raise _MismatchError(what)
    return True


def check(
    flag: str, case: Mapping[str, Any], picture_decoder: PictureDecoder | None = None
) -> tuple[bool | None, str]:
    """Whether the step of `flag` succeeds on this case (None: not checkable), and why not."""
    try:
        return _CHECKS[flag](case, picture_decoder), ""
    except _NotCheckableError as missing:
        return None, str(missing)
    except _MismatchError as mismatch:
        return False, f"mismatch: {mismatch}"
    except dcc.DccError as error:
        return False, f"{error.reason.value}: {error.detail}"
    except Exception as error:  # any failure of a step is that step failing
        return False, f"{type(error).__name__}: {error}"


def _need(case: Mapping[str, Any], *keys: str) -> list[Any]:
    values = []
    for key in keys:
        value = case.get(key)
        if value in (None, ""):
            raise _NotCheckableError(f"no {key}")
        values.append(value)
    return values


def _context(case: Mapping[str, Any], key: str) -> Any:
    context = case.get("TESTCTX")
    value = context.get(key) if isinstance(context, Mapping) else None
    if value in (None, ""):
        raise _NotCheckableError(f"no TESTCTX.{key}")
    return value


def _hex(text: str) -> bytes:
    return bytes.fromhex(text)


def _signer(case: Mapping[str, Any]) -> dcc.DccSigner:
    der = base64.b64decode(_context(case, "CERTIFICATE"))
    return dcc.DccSigner.from_der(der)


def validation_clock(case: Mapping[str, Any]) -> datetime:
    """The case's VALIDATIONCLOCK as an aware UTC time (no zone: UTC)."""
    text = str(_context(case, "VALIDATIONCLOCK")).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:  # fromisoformat takes at most 6 fraction digits before 3.11's full support
        head, _, tail = text.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        text = f"{head}.{digits[:6].ljust(6, '0')}{tail[len(digits) :]}"
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _payload_of_cose(cose_hex: str) -> Mapping[str, Any]:
    return dcc.decode_claims(dcc.decode_cose(_hex(cose_hex)).payload).payload


def normalise(value: object) -> Any:
    """A payload for comparison: JSON values, with date-times in UTC to the second (the corpus
    writes the same instant in several ways)."""
    value = dcc.as_json_value(value)
    if isinstance(value, dict):
        return {key: normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, str) and len(value) > 10 and value[4:5] == "-" and "T" in value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _picture(case: Mapping[str, Any], decoder: PictureDecoder | None) -> bool:
    picture = case.get("2DCODE") or case.get("_2DCODE")
    if not picture:
        raise _NotCheckableError("no 2DCODE")
    (prefix,) = _need(case, "PREFIX")
    if decoder is None:
        raise _NotCheckableError("no picture decoder")
    try:
        png = base64.b64decode(picture)
    except (binascii.Error, ValueError):
        raise _MismatchError("2DCODE is not base64") from None
    texts = list(decoder(png))
    if prefix not in texts:
        found = f"{len(texts)} other QR texts" if texts else "no QR code"
        raise _MismatchError(f"the picture decodes to {found}, not PREFIX")
    return True


def _unprefix(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    prefix, text = _need(case, "PREFIX", "BASE45")
    return _same(dcc.unprefix(prefix), text, "PREFIX without HC1: differs from BASE45")


def _base45(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    text, compressed = _need(case, "BASE45", "COMPRESSED")
    return _same(dcc.decode_base45(text), _hex(compressed), "BASE45 decodes to other bytes")


def _compression(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    compressed, cose_hex = _need(case, "COMPRESSED", "COSE")
    return _same(dcc.decompress(_hex(compressed)), _hex(cose_hex), "inflates to other bytes")


def _decode(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    (cose_hex,) = _need(case, "COSE")
    if not case.get("CBOR") and not case.get("JSON"):
        raise _NotCheckableError("no CBOR or JSON")
    payload = normalise(_payload_of_cose(cose_hex))
    if case.get("CBOR"):
        expected = cbor2.loads(_hex(case["CBOR"]))
        if isinstance(expected, Mapping) and dcc.CLAIM_HCERT in expected:  # the whole CWT
            expected = expected[dcc.CLAIM_HCERT][dcc.HCERT_EU_DCC]
        _same(normalise(expected), payload, "the COSE payload differs from CBOR")
    if case.get("JSON"):
        _same(normalise(case["JSON"]), payload, "the COSE payload differs from JSON")
    return True


def _verify(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    (cose_hex,) = _need(case, "COSE")
    signer = _signer(case)
    dcc.verify_signature(dcc.decode_cose(_hex(cose_hex)), [signer])
    return True


def _expiration(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    (cose_hex,) = _need(case, "COSE")
    signer, clock = _signer(case), validation_clock(case)
    claims = dcc.decode_claims(dcc.decode_cose(_hex(cose_hex)).payload)
    dcc.check_times(claims, signer, clock)
    return True


def _key_usage(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    (cose_hex,) = _need(case, "COSE")
    signer = _signer(case)
    dcc.check_key_usage(signer, dcc.certificate_type(_payload_of_cose(cose_hex)))
    return True


def _schema(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    """The JSON schema, as the reference harness's test_cose_schema checks it; the value sets,
    which the corpus does not hold its cases to, are reported apart (`value_set_findings`)."""
    (cose_hex,) = _need(case, "COSE")
    payload = _payload_of_cose(cose_hex)
    dcc.validate_json_schema(payload)
    dcc.certificate_type(payload)
    return True


def _valid_json(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    prefix, expected = _need(case, "PREFIX", "JSON")
    raw = dcc.decompress(dcc.decode_base45(dcc.unprefix(prefix)))
    payload = dcc.decode_claims(dcc.decode_cose(raw).payload).payload
    return _same(normalise(payload), normalise(expected), "the QR text's payload differs from JSON")


def _valid_object(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    """A code-generation check against the schema version the case names (TESTCTX.SCHEMA): only
    checkable for cases of the version line this build ships (1.3); older payloads legitimately
    break newer rules (e.g. an empty transliterated name, dose number 0)."""
    (document,) = _need(case, "JSON")
    version = str(_context(case, "SCHEMA"))
    if version.split(".")[:2] != dcc.SCHEMA_VERSION.split(".")[:2]:
        raise _NotCheckableError(
            f"written for schema {version}; this build ships {dcc.SCHEMA_VERSION}"
        )
    dcc.validate_json_schema(document)
    dcc.certificate_type(document)
    return True


def _encode(case: Mapping[str, Any], _: PictureDecoder | None) -> bool:
    document, cbor_hex = _need(case, "JSON", "CBOR")
    encoded = cbor2.loads(cbor2.dumps(document))
    expected = cbor2.loads(_hex(cbor_hex))
    if isinstance(expected, Mapping) and dcc.CLAIM_HCERT in expected:
        expected = expected[dcc.CLAIM_HCERT][dcc.HCERT_EU_DCC]
    return _same(normalise(encoded), normalise(expected), "JSON encodes to other CBOR than CBOR")


_CHECKS: dict[str, Callable[[Mapping[str, Any], PictureDecoder | None], bool]] = {
    "EXPECTEDPICTUREDECODE": _picture,
    "EXPECTEDUNPREFIX": _unprefix,
    "EXPECTEDB45DECODE": _base45,
    "EXPECTEDCOMPRESSION": _compression,
    "EXPECTEDDECODE": _decode,
    "EXPECTEDVERIFY": _verify,
    "EXPECTEDEXPIRATIONCHECK": _expiration,
    "EXPECTEDKEYUSAGE": _key_usage,
    "EXPECTEDSCHEMAVALIDATION": _schema,
    "EXPECTEDVALIDJSON": _valid_json,
    "EXPECTEDVALIDOBJECT": _valid_object,
    "EXPECTEDENCODE": _encode,
}
