"""Device discovery against a fake sysfs and /dev tree (as a Linux box lays them out)."""

from __future__ import annotations

from pathlib import Path

from serial.tools.list_ports_common import ListPortInfo

from kiosk.app.discovery import PortUse, device_cameras, discover, serial_ports


def usb_port(device: str, description: str, vid: int, pid: int) -> ListPortInfo:
    port = ListPortInfo(device, skip_link_detection=True)
    port.description = description
    port.vid = vid
    port.pid = pid
    return port


def fake_box(root: Path) -> tuple[Path, Path, Path]:
    """Two USB cameras (one with its metadata node, as UVC cameras have) and a stable link."""
    dev, sysfs, by_id = root / "dev", root / "sys/class/video4linux", root / "dev/v4l/by-id"
    usb = root / "sys/devices/pci0000:00/usb1"
    cameras = [
        ("video0", "0", "HD USB Camera", "1-1", "32e4", "9230"),
        ("video1", "1", "HD USB Camera", "1-1", "32e4", "9230"),
        ("video2", "0", "Integrated Webcam", "1-2", "0BDA", "5689"),
    ]
    for node, index, name, port, vendor, product in cameras:
        (dev / node).parent.mkdir(parents=True, exist_ok=True)
        (dev / node).touch()
        interface = usb / port / f"{port}:1.0"
        interface.mkdir(parents=True, exist_ok=True)
        (usb / port / "idVendor").write_text(vendor + "\n")
        (usb / port / "idProduct").write_text(product + "\n")
        folder = sysfs / node
        folder.mkdir(parents=True)
        (folder / "name").write_text(name + "\n")
        (folder / "index").write_text(index + "\n")
        (folder / "device").symlink_to(interface)
    by_id.mkdir(parents=True)
    (by_id / "usb-HD_USB_Camera_01-video-index0").symlink_to(dev / "video0")
    (by_id / "usb-HD_USB_Camera_01-video-index1").symlink_to(dev / "video1")
    return dev, sysfs, by_id


def test_serial_ports_show_their_usb_vendor_and_product_ids_as_four_hex_digits() -> None:
    ports = serial_ports(
        lambda: [
            usb_port("/dev/ttyUSB0", "FT232R USB UART", 0x0403, 0x6001),
            usb_port("/dev/ttyACM0", "CH340", 0x1A86, 0x7523),
        ]
    )
    assert [(p.device, p.description, p.usb_id) for p in ports] == [
        ("/dev/ttyACM0", "CH340", "1a86:7523"),
        ("/dev/ttyUSB0", "FT232R USB UART", "0403:6001"),
    ]


def test_a_port_without_usb_ids_has_an_empty_usb_id() -> None:
    port = ListPortInfo("/dev/ttyS0", skip_link_detection=True)
    (found,) = serial_ports(lambda: [port])
    assert found.usb_id == ""
    assert found.description == ""  # pyserial's "n/a" is not shown


def test_each_camera_is_listed_once_with_its_name_usb_ids_and_stable_path(tmp_path: Path) -> None:
    dev, sysfs, by_id = fake_box(tmp_path)
    cameras = device_cameras(dev_root=dev, sysfs=sysfs, by_id=by_id)
    assert [(c.source, c.name, c.usb_id) for c in cameras] == [
        (str(by_id / "usb-HD_USB_Camera_01-video-index0"), "HD USB Camera", "32e4:9230"),
        (str(dev / "video2"), "Integrated Webcam", "0bda:5689"),
    ]


def test_a_box_without_video4linux_has_no_device_cameras(tmp_path: Path) -> None:
    assert device_cameras(dev_root=tmp_path, sysfs=tmp_path / "none", by_id=tmp_path / "x") == []


def test_demo_mode_lists_the_simulators_and_the_demo_camera_folder(tmp_path: Path) -> None:
    folder = tmp_path / "camera"
    folder.mkdir()
    inventory = discover(
        demo=True,
        camera_folders=[folder, tmp_path / "missing"],
        comports=list,
        sysfs=tmp_path / "none",
    )
    thermometers = inventory.ports_for(PortUse.THERMOMETER)
    assert {p.model for p in thermometers} == {"gy-mcu90614", "body-aaa5", "ascii-line"}
    assert all(p.simulated for p in thermometers)
    assert [p.device for p in inventory.ports_for(PortUse.ID_READER)] == [
        "simidcard://?card=resident"
    ]
    assert [(c.source, c.simulated) for c in inventory.cameras] == [(str(folder), True)]


def test_outside_demo_mode_no_simulator_is_offered(tmp_path: Path) -> None:
    inventory = discover(comports=list, sysfs=tmp_path / "none")
    assert inventory.serial_ports == ()
    assert inventory.cameras == ()
