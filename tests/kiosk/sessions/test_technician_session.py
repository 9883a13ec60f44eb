"""The technician's session without Qt, over a real store and data folder: local staff PINs,
the passage fields, the configuration file, and a reset refused while records wait."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.app.discovery import Inventory
from kiosk.app.settings import PASSAGE_FIELDS_KEY, fields_from_json
from kiosk.checkpoint.access import AccessControl
from kiosk.checkpoint.policy import PassageField
from kiosk.config import KioskConfig, load_config
from kiosk.sessions import staff
from kiosk.sessions.provisioning import ResetRefusedError
from kiosk.sessions.technician import TechnicianSession
from kiosk.store import LogFilter, Store, StoreKeys
from tests.gui.staff_support import FakeClock
from tests.kiosk.checkpoint_support import passage


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as opened:
        yield opened


def _session(store: Store, folder: Path, stops: list[bool]) -> TechnicianSession:
    return TechnicianSession(
        store,
        FakeClock(),
        config=KioskConfig.default(),
        config_path=folder / "kiosk.toml",
        identity_dir=folder / "identity",
        discover=lambda: Inventory((), ()),
        client=lambda: contextlib.nullcontext(httpx.Client()),
        stop_sync=lambda: stops.append(True),
    )


def test_a_supervisor_added_here_can_use_the_pin(store: Store, tmp_path: Path) -> None:
    session = _session(store, tmp_path, [])
    operator_id = session.next_supervisor_id()
    session.set_pin(operator_id, " 李主管 ", staff.SUPERVISOR_ROLE, "246810")
    assert [(o.operator_id, o.display_name) for o in session.local_supervisors()] == [
        (operator_id, "李主管")
    ]
    assert session.next_supervisor_id() != operator_id
    access = AccessControl(staff.local_staff(store))
    assert access.matches(operator_id, "246810") and not access.matches(operator_id, "000000")


def test_a_bad_pin_or_an_empty_name_is_refused(store: Store, tmp_path: Path) -> None:
    session = _session(store, tmp_path, [])
    with pytest.raises(staff.StaffError):
        session.set_pin("local-supervisor-1", "李主管", staff.SUPERVISOR_ROLE, "12")
    with pytest.raises(staff.StaffError, match="6 to 12 digits"):  # issue 27: 10^5 is too few
        session.set_pin("local-supervisor-1", "李主管", staff.SUPERVISOR_ROLE, "13579")
    with pytest.raises(staff.StaffError, match="6 to 12 digits"):
        session.set_pin(staff.TECHNICIAN_ID, "技术员", staff.TECHNICIAN_ROLE, "2468")
    with pytest.raises(staff.StaffError):
        session.set_pin("local-supervisor-1", " ", staff.SUPERVISOR_ROLE, "123456")
    assert session.local_supervisors() == []


def test_the_passage_fields_chosen_are_kept(store: Store, tmp_path: Path) -> None:
    session = _session(store, tmp_path, [])
    session.save_passage_fields(frozenset({PassageField.VEHICLE_PLATE}))
    store.meta.set("flush", "1").result(timeout=10)  # the writer keeps the order
    assert fields_from_json(store.meta.get(PASSAGE_FIELDS_KEY)) == {PassageField.VEHICLE_PLATE}


def test_saved_devices_are_in_the_file_and_the_session(store: Store, tmp_path: Path) -> None:
    session = _session(store, tmp_path, [])
    saved = session.save_config({"id_reader": {"url": "simidcard://?card=resident"}})
    assert saved.id_reader.url == session.config.id_reader.url == "simidcard://?card=resident"
    assert load_config(tmp_path / "kiosk.toml").id_reader.url == "simidcard://?card=resident"


def test_a_reset_is_refused_while_records_wait_for_central(store: Store, tmp_path: Path) -> None:
    stops: list[bool] = []
    session = _session(store, tmp_path, stops)
    assert session.enrolled_as() is None
    store.passages.record(passage()).result(timeout=10)
    with pytest.raises(ResetRefusedError) as refused:
        session.reset_enrollment(session.now())
    assert refused.value.backlog == 1
    assert stops == []  # the upload keeps going
    assert store.passages.log_count(LogFilter()) == 1
