"""Staff kept on the kiosk itself: the technician and the supervisors whose PINs the technician
sets on the provisioning screen.

Central's roster (operators on duty) is replaced whole at every sync; these are not, so they
live apart, in the store's meta table (`LOCAL_STAFF_KEY`), as argon2id hashes like the roster's.
`kiosk.ui.pinpad.AccessGate` checks PINs against both. Qt-free.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import Future

from argon2 import PasswordHasher

from kiosk.checkpoint.access import NEW_PIN_MIN_DIGITS, PIN_MAX_DIGITS, pin_may_be_set
from kiosk.store import Operator, Store

LOCAL_STAFF_KEY = "local_staff"
TECHNICIAN_ID = "local-technician"
TECHNICIAN_ROLE = "technician"
SUPERVISOR_ROLE = "supervisor"
TECHNICIAN_ROLES = frozenset({TECHNICIAN_ROLE})
LOCAL_ROLES = frozenset({TECHNICIAN_ROLE, SUPERVISOR_ROLE})


class StaffError(ValueError):
    """A PIN or name that cannot be kept (the message says which)."""


def local_staff(store: Store) -> list[Operator]:
    """The kiosk's own staff; an unreadable entry is left out (its PIN simply does not work)."""
    text = store.meta.get(LOCAL_STAFF_KEY)
    if not text:
        return []
    try:
        rows = json.loads(text)
        return [
            Operator(
                str(r["operator_id"]), str(r["name"]), str(r["pin_hash"]), str(r["role"]), True
            )
            for r in rows
            if r.get("role") in LOCAL_ROLES
        ]
    except (ValueError, TypeError, KeyError, AttributeError):
        return []


def _dump(operators: Iterable[Operator]) -> str:
    return json.dumps(
        [
            {
                "operator_id": o.operator_id,
                "name": o.display_name,
                "pin_hash": o.pin_hash,
                "role": o.role,
            }
            for o in operators
        ],
        ensure_ascii=False,
        sort_keys=True,
    )


def has_technician(store: Store) -> bool:
    return any(o.role == TECHNICIAN_ROLE for o in local_staff(store))


def set_pin(
    store: Store,
    operator_id: str,
    name: str,
    role: str,
    pin: str,
    hasher: PasswordHasher | None = None,
) -> Future[None]:
    """Add the person or change their PIN (hashing takes tens of milliseconds: call it off the
    GUI thread). StaffError for a PIN that is not 6 to 12 digits or an empty name (a PIN kept
    before with fewer digits still signs in: `kiosk.checkpoint.access.pin_is_well_formed`)."""
    if role not in LOCAL_ROLES:
        raise StaffError(f"unknown role {role!r}")
    if not pin_may_be_set(pin):
        raise StaffError(f"a PIN is {NEW_PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    if not name.strip():
        raise StaffError("a name is needed")
    pin_hash = (hasher or PasswordHasher()).hash(pin)
    others = [o for o in local_staff(store) if o.operator_id != operator_id]
    updated = [*others, Operator(operator_id, name.strip(), pin_hash, role, True)]
    return store.meta.set(LOCAL_STAFF_KEY, _dump(updated))


def remove(store: Store, operator_id: str) -> Future[None]:
    return store.meta.set(
        LOCAL_STAFF_KEY, _dump(o for o in local_staff(store) if o.operator_id != operator_id)
    )


def next_supervisor_id(store: Store) -> str:
    taken = {o.operator_id for o in local_staff(store)}
    number = 1
    while f"local-supervisor-{number}" in taken:
        number += 1
    return f"local-supervisor-{number}"
