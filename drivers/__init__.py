"""Hardware drivers: camera and QR decoding, infrared thermometers, ID-card readers.

Each device is opened from a URL (`serial.serial_for_url`, a camera path, a folder of images)
and has a simulator that speaks the same bytes. Drivers know nothing of tokens, flows or Qt.
"""
