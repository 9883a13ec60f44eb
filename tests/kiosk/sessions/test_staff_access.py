"""What the PIN gate reads and keeps through `StaffAccess`: central's roster and the local
staff together, the lockout state across a restart, and audit entries timed by its clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kiosk.sessions import staff
from kiosk.sessions.access import StaffAccess
from kiosk.store import Store, StoreKeys
from tests.gui.staff_support import NOW, FakeClock, audit_actions, flush, roster


def test_the_roster_local_staff_and_lockout_state_are_read_and_kept(tmp_path: Path) -> None:
    keys = StoreKeys.generate()
    with Store(tmp_path / "kiosk.db", keys) as store:
        store.copies.replace_roster(roster()).result(timeout=10)
        staff.set_pin(store, staff.TECHNICIAN_ID, "技术员", staff.TECHNICIAN_ROLE, "135790").result(
            timeout=10
        )
        access = StaffAccess(store, FakeClock())
        operators, state = access.load()
        assert state is None
        assert [o.operator_id for o in operators] == [
            *sorted(o.operator_id for o in roster()),  # central's, in id order
            staff.TECHNICIAN_ID,
        ]
        access.keep_state('{"kept": 1}').result(timeout=10)
    with Store(tmp_path / "kiosk.db", keys) as reopened:
        assert StaffAccess(reopened, FakeClock()).load()[1] == '{"kept": 1}'


def test_audit_entries_are_timed_by_the_session_clock(tmp_path: Path) -> None:
    clock = FakeClock()
    clock.advance(timedelta(minutes=3))
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as store:
        StaffAccess(store, clock).audit("op-1", "sign_in", {})
        flush(store)
        at, actor, action, detail = store.audit.entries(1)[0]
        assert (at, actor, action, detail) == (NOW + timedelta(minutes=3), "op-1", "sign_in", {})
        assert audit_actions(store) == [("op-1", "sign_in", {})]
