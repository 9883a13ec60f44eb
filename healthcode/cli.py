"""`python -m healthcode`: keys, trust lists, issuing and verifying codes from the shell.

Exit codes: 0 success (a valid code), 1 a rejected code or a failed operation, 2 usage error,
3 a file could not be read or written. A reader that closes standard output early (`| head`)
changes nothing: the status is still the verdict's.
"""

from __future__ import annotations

import argparse
import importlib
import json
import secrets
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import segno

from healthcode import jkm
from healthcode.claims import CODE_ID_LENGTH, ClaimsError, CodeKind, Colour
from healthcode.console import say, survives_closed_stdout
from healthcode.federation import TrustImportError
from healthcode.identity import (
    IdNumberError,
    id_number_facts,
    mask_id_number,
    validate_id_number,
)
from healthcode.keydir import KeyDir, KeyDirError, load_public
from healthcode.keys import Algorithm, KeyFormatError
from healthcode.schemes import VerifyContext
from healthcode.text import LocalText
from healthcode.trust import Issuer, KeyRole, TrustAnchor, TrustListError

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_IO = 3
QR_ERROR_LEVEL = "m"


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; add +08:00 or Z")
    return moment.astimezone(UTC)


def _code_id(text: str) -> bytes:
    try:
        value = bytes.fromhex(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a code id is 32 hexadecimal digits") from None
    if len(value) != CODE_ID_LENGTH:
        raise argparse.ArgumentTypeError("a code id is 32 hexadecimal digits")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m healthcode", description="Health codes: keys, trust lists, issue, verify."
    )
    parser.add_argument(
        "--now", type=_time, help="the time to act at (ISO 8601 with zone); default: the clock"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    keys = commands.add_parser("keys", help="create and manage an issuer's key directory")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create root, issuer, feed and binding keys")
    create.add_argument("--dir", type=Path, required=True)
    create.add_argument("--issuer", required=True, help="six-digit region code, e.g. 610000")
    create.add_argument("--issuer-name", required=True, help="the region's name in Chinese")
    create.add_argument("--issuer-name-en", default="", help="the region's name in English")
    create.add_argument("--algorithm", choices=["eddsa", "es256"], default="eddsa")
    add = key_commands.add_parser("add", help="add a new issuer or feed key (rotation)")
    add.add_argument("--dir", type=Path, required=True)
    add.add_argument("--role", choices=[r.value for r in KeyRole], required=True)
    for name, help_text in (
        ("retire", "stop a key's new signatures; its earlier codes stay valid"),
        ("revoke", "mark a key compromised: every code it signed is rejected"),
    ):
        command = key_commands.add_parser(name, help=help_text)
        command.add_argument("--dir", type=Path, required=True)
        command.add_argument("kid", help="the key id in hex")
    promote = key_commands.add_parser("promote-root", help="make the prepared next root the root")
    promote.add_argument("--dir", type=Path, required=True)

    trust = commands.add_parser(
        "trust-list", help="sign the trust list; import other issuers' published lists"
    )
    trust_commands = trust.add_subparsers(dest="trust_command", required=True)
    sign = trust_commands.add_parser("sign", help="sign the issuer's current keys with the root")
    sign.add_argument("--keys", type=Path, required=True)
    sign.add_argument("--out", type=Path, required=True)
    sign.add_argument(
        "--next-root", action="store_true", help="prepare a next root key and name it in the list"
    )
    imported = trust_commands.add_parser(
        "import",
        help="recognise another issuer's codes: import its published trust list, checked "
        "against its root public key (pinned here); sign a new list to distribute it",
    )
    imported.add_argument("--keys", type=Path, required=True)
    imported.add_argument("--list", type=Path, required=True, help="the issuer's signed list")
    imported.add_argument("--root", type=Path, required=True, help="the issuer's root (PEM)")
    listed = trust_commands.add_parser("imports", help="list the imported issuers")
    listed.add_argument("--keys", type=Path, required=True)
    removed = trust_commands.add_parser(
        "remove", help="stop recognising the imported list naming a region"
    )
    removed.add_argument("--keys", type=Path, required=True)
    removed.add_argument("--issuer", required=True, help="a region code the list names")

    issue = commands.add_parser("issue", help="issue a code and print its QR text")
    issue.add_argument("--keys", type=Path, required=True)
    issue.add_argument("--colour", choices=[c.value for c in Colour], required=True)
    issue.add_argument("--colour-seq", type=int, default=1)
    issue.add_argument("--kind", choices=[k.value for k in CodeKind], default=CodeKind.APP.value)
    issue.add_argument("--name", required=True, help="the holder's name (only its mask is kept)")
    issue.add_argument("--id-number", help="the holder's ID number (only its binding is kept)")
    issue.add_argument("--code-id", type=_code_id, help="32 hex digits; default: random")
    issue.add_argument("--png", type=Path, help="also write the QR code as a PNG image")

    verify = commands.add_parser("verify", help="verify a code text offline; prints JSON")
    verify.add_argument("--trust", type=Path, required=True, help="a signed trust list")
    verify.add_argument("--root", type=Path, required=True, help="the pinned root public key")
    verify.add_argument("--tolerance-s", type=int, default=300, help="clock tolerance")
    verify.add_argument(
        "--accept",
        action="append",
        metavar="REGION",
        help="accept codes of this region only (repeatable; 510000 covers all of Sichuan); "
        "default: every issuer of the trust list",
    )
    verify.add_argument("text", help="the code text, or - to read it from standard input")

    check = commands.add_parser("id-check", help="check a GB 11643 ID number")
    check.add_argument("number")

    conformance = commands.add_parser(
        "conformance",
        help="check the EU DCC verifier against a folder of the dgc-testdata layout",
        description="Walk every case of DIR (the layout of the EU DCC test corpus), check each "
        "expected flag at the case's VALIDATIONCLOCK with its certificate, and print a table "
        "per flag. Exit 0 only when every case outside tests/known_issues.csv agrees.",
    )
    conformance.add_argument("dir", type=Path, help="the corpus folder (e.g. dgc-testdata)")
    conformance.add_argument(
        "--picture-decoder",
        metavar="MODULE:FUNCTION",
        help="a function taking PNG bytes and returning the QR texts; without it the picture "
        "flag is reported as not checked (healthcode has no QR decoder of its own)",
    )
    conformance.add_argument(
        "--details", action="store_true", help="also list every disagreement and known issue"
    )
    return parser


@survives_closed_stdout
def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    now: datetime = args.now or datetime.now(UTC)
    try:
        return _run(args, now)
    except (KeyDirError, KeyFormatError, ClaimsError, TrustListError, TrustImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_REJECTED
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_IO


def _run(args: argparse.Namespace, now: datetime) -> int:
    if args.command == "keys":
        return _keys(args, now)
    if args.command == "trust-list":
        keydir = KeyDir(args.keys)
        if args.trust_command != "sign":
            return _imports(args, keydir)
        if args.next_root:
            keydir.prepare_root_rotation()
        trust_list = keydir.trust_list(now)
        args.out.write_bytes(trust_list.sign(keydir.root()))
        say(f"trust list {trust_list.sequence} with {len(trust_list.keys)} keys -> {args.out}")
        return EXIT_OK
    if args.command == "issue":
        return _issue(args, now)
    if args.command == "verify":
        return _verify(args, now)
    if args.command == "conformance":
        return _conformance(args)
    return _id_check(args.number, now)


def _keys(args: argparse.Namespace, now: datetime) -> int:
    if args.keys_command == "create":
        issuer = Issuer(args.issuer, LocalText(args.issuer_name, args.issuer_name_en))
        algorithm = Algorithm.ES256 if args.algorithm == "es256" else Algorithm.EDDSA
        KeyDir.create(args.dir, issuer, now, algorithm)
        say(f"keys of issuer {args.issuer} in {args.dir}; keep root.key offline")
        return EXIT_OK
    keydir = KeyDir(args.dir)
    if args.keys_command == "add":
        key = keydir.add_key(KeyRole(args.role), now)
        say(f"new {args.role} key {key.kid.hex()}")
    elif args.keys_command == "retire":
        keydir.retire(args.kid, now)
        say(f"key {args.kid} signs nothing after {now.isoformat()}")
    elif args.keys_command == "revoke":
        keydir.revoke(args.kid, now)
        say(f"key {args.kid} revoked: every code it signed will be rejected")
    else:
        keydir.promote_next_root()
        say("the next root is now the root; keep the new root.key offline")
    return EXIT_OK


def _imports(args: argparse.Namespace, keydir: KeyDir) -> int:
    if args.trust_command == "import":
        candidate, previous = keydir.import_trust_list(
            args.list.read_bytes(), load_public(args.root)
        )
        issuers = ", ".join(f"{i.region_code} {i.name.zh}" for i in candidate.issuers)
        replaced = f" (replaces sequence {previous.trust_list.sequence})" if previous else ""
        say(
            f"imported {issuers}: {candidate.issuer_key_count} issuer keys, sequence "
            f"{candidate.trust_list.sequence}{replaced}; sign a new trust list to distribute it"
        )
    elif args.trust_command == "remove":
        gone = keydir.remove_import(args.issuer)
        names = ", ".join(i.region_code for i in gone.issuers)
        say(f"no longer recognised: {names}; sign a new trust list to distribute it")
    else:
        for imported in keydir.imported():
            for issuer in imported.issuers:
                say(
                    f"{issuer.region_code} {issuer.name.zh} (root {imported.root.kid.hex()}, "
                    f"sequence {imported.trust_list.sequence})"
                )
    return EXIT_OK


def _issue(args: argparse.Namespace, now: datetime) -> int:
    keydir = KeyDir(args.keys)
    id_number = None
    if args.id_number:
        try:
            id_number = validate_id_number(args.id_number)
        except IdNumberError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_REJECTED
    claims = jkm.claims_for_person(
        issuer=keydir.issuer.region_code,
        code_id=args.code_id or secrets.token_bytes(CODE_ID_LENGTH),
        colour=Colour(args.colour),
        colour_seq=args.colour_seq,
        kind=CodeKind(args.kind),
        full_name=args.name,
        id_number=id_number,
        binding_key=keydir.binding_key() if id_number else None,
        now=now,
    )
    text = jkm.issue(claims, keydir.signing_key(KeyRole.ISSUER))
    if args.png:
        segno.make(text, error=QR_ERROR_LEVEL, micro=False).save(args.png, scale=6, border=4)
    say(text)
    return EXIT_OK


def _verify(args: argparse.Namespace, now: datetime) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    anchor = TrustAnchor(load_public(args.root))
    trust_list = anchor.accept(args.trust.read_bytes())
    context = VerifyContext(
        trust=trust_list,
        now=now,
        clock_tolerance=timedelta(seconds=args.tolerance_s),
        recognised_issuers=frozenset(args.accept) if args.accept else None,
    )
    result = jkm.default_registry().verify(text, context)
    say(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    return EXIT_OK if result.ok else EXIT_REJECTED


def _id_check(number: str, now: datetime) -> int:
    try:
        valid = validate_id_number(number, today=now.date())
    except IdNumberError as error:
        result = {"valid": False, "problem": error.problem.value, **error.problem.text.as_dict()}
        say(json.dumps(result, ensure_ascii=False))
        return EXIT_REJECTED
    facts = id_number_facts(valid)
    result = {
        "valid": True,
        "masked": mask_id_number(valid),
        "region_code": facts.region_code,
        "birth_date": facts.birth_date.isoformat(),
        "sex": "male" if facts.is_male else "female",
    }
    say(json.dumps(result, ensure_ascii=False))
    return EXIT_OK


def _conformance(args: argparse.Namespace) -> int:
    from healthcode import conformance  # here: jsonschema loads only for this command

    if not args.dir.is_dir():
        print(f"error: {args.dir} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    decoder = None
    if args.picture_decoder:
        module_name, _, function_name = args.picture_decoder.partition(":")
        try:
            decoder = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError, ValueError) as error:
            print(f"error: cannot load {args.picture_decoder}: {error}", file=sys.stderr)
            return EXIT_USAGE
    report = conformance.run(args.dir, decoder)
    say(report.table())
    if args.details and report.details():
        say(report.details())
    return EXIT_OK if report.ok else EXIT_REJECTED
