"""What enrolment left in the data folder, read in one place: at start-up and when a
technician has just enrolled the kiosk (adoption). Qt-free; blocking file reads, so never on
the GUI thread once the window is up."""

from __future__ import annotations

import logging
from pathlib import Path

from healthcode.keydir import load_public
from healthcode.keys import PublicKey
from healthcode.trust import TrustAnchor, TrustList, TrustListError
from kiosk.checkpoint.policy import Policy, PolicyError, policy_from_central
from kiosk.store import Operator

log = logging.getLogger(__name__)
IDENTITY_DIR = "identity"


class Enrolled:
    """The enrolment in an identity folder, checked again at every start: the pinned root, the
    trust list it signed, the policy, the binding keys and the staff roster."""

    def __init__(self, folder: Path) -> None:
        from kiosk.client.identity import (
            BINDING_KEYS_FILE,
            POLICY_FILE,
            ROOT_PUBLIC_FILE,
            TRUST_LIST_FILE,
            KioskIdentity,
        )
        from kiosk.client.roster_file import load_roster
        from sync.schemas import Policy as WirePolicy
        from sync.schemas import SealedBox

        self.folder = folder
        self.identity = KioskIdentity.load(folder)
        self.root: PublicKey = load_public(folder / ROOT_PUBLIC_FILE)
        self.trust_list_signed = (folder / TRUST_LIST_FILE).read_bytes()
        self.trust_list: TrustList = TrustAnchor(self.root).accept(self.trust_list_signed)
        wire = WirePolicy.model_validate_json((folder / POLICY_FILE).read_text("utf-8"))
        self.policy_version = wire.policy_version
        self.policy: Policy = policy_from_central(
            wire.policy_version, wire.checkpoint_type.value, wire.rules
        )
        box = SealedBox.model_validate_json((folder / BINDING_KEYS_FILE).read_text("utf-8"))
        keys = self.identity.open_binding_keys(box)
        self.binding_keys: dict[str, list[bytes]] = {}
        for key in keys.keys:
            self.binding_keys.setdefault(key.issuer, []).append(key.key)
        roster = load_roster(self.identity, folder)
        self.roster_version = roster.roster_version
        self.operators = [
            Operator(member.operator_id, member.name, member.pin_hash, "staff", True)
            for member in roster.operators
        ]


def read_enrolment(data_dir: Path) -> Enrolled | None:
    """The data folder's enrolment; None when not enrolled or when it cannot be used (logged)."""
    from kiosk.client.identity import is_enrolled

    identity = data_dir / IDENTITY_DIR
    if not is_enrolled(identity):
        return None
    try:
        return Enrolled(identity)
    except (OSError, ValueError, TrustListError, PolicyError) as error:
        log.error("the enrolment in %s cannot be used: %s", identity, error)
        return None
