"""The gallery's shots of the technician's screen: the PIN pad (and a first start refusing a
short PIN), each tab, typing on each field's keys, the exit confirmation, and a new PIN too short
refused beside its field on the staff page and on the PIN keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.ui.provisioning import MAIN_PAGE

if TYPE_CHECKING:
    from kiosk.ui.gallery import Shot
    from kiosk.ui.provisioning import ProvisioningView
    from kiosk.ui.window import KioskWindow


def technician_shots(view: ProvisioningView, window: KioskWindow, shot: type[Shot]) -> list[Shot]:
    def pin() -> None:
        view._operator = None
        view.pad.clear()
        view.pages.setCurrentIndex(0)
        view._prompt()
        window.show_screen("provisioning")

    def first_pin_refused() -> None:  # the words a first start says, too short a PIN
        pin()
        view.pad.set_prompt(view.tr("First start: choose the technician PIN (6-12 digits)"))
        view.pad.say(view.tr("Too short: a new PIN has 6 to 12 digits."))

    def tab(index: int) -> Callable[[], None]:
        def show() -> None:
            view._operator = "tech-1"
            view.staff.clear_problems()
            view.pages.setCurrentIndex(MAIN_PAGE)
            view.tabs.setCurrentIndex(index)
            window.show_screen("provisioning")

        return show

    def leaving() -> None:
        view._operator = "tech-1"
        view.ask_to_leave()
        window.show_screen("provisioning")

    def typing(request: Callable[[], None], text: str) -> Callable[[], None]:
        def show() -> None:
            view._operator = "tech-1"
            request()  # the field touched: its page with the keys
            view.field_editor.field.setText(text)
            window.show_screen("provisioning")

        return show

    def refused(editing: bool = True) -> None:  # a new PIN too short, said by each field
        tab(2)()
        staff.save_supervisor_pin()
        staff.save_technician_pin()
        if editing:
            typing(lambda: staff.request_edit(staff.pin_edit), "13579")()
            view.field_editor.accept()

    staff, enrol = view.staff, view.enrollment
    typed = {  # the longest a technician types in each
        "name": (lambda: staff.request_edit(staff.name_edit), "OUYANG XIAOMING"),
        "pin": (lambda: staff.request_edit(staff.pin_edit), "123456789012"),
        "technician-pin": (lambda: staff.request_edit(staff.technician_pin), "246813"),
        "address": (
            lambda: enrol.request_edit(enrol.url_edit),
            "https://central.health-checkpoint.example.org:8443/kiosk_api",
        ),
        "code": (lambda: enrol.request_edit(enrol.code_edit), "7K3M-Q9TZ-4HXA-2BWC"),
    }
    names = ["technician-devices", "technician-enrol", "technician-staff"]
    return [
        shot("technician-pin", False, pin),
        shot("technician-first-pin-refused", False, first_pin_refused),
        *(shot(name, False, tab(i)) for i, name in enumerate(names)),
        *(shot(f"technician-type-{name}", False, typing(*how)) for name, how in typed.items()),
        shot("technician-exit-confirm", False, leaving),
        shot("technician-type-pin-refused", False, refused),
        shot("technician-staff-refused", False, lambda: refused(editing=False)),
    ]
