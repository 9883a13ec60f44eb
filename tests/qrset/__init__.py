"""The generated QR test set: realistic camera frames of our own codes, by category."""
