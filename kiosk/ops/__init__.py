"""The kiosk's operations: self-test, diagnostics, updates and the launcher, crash handling, logs.

Qt-free, except the self-test's and the diagnostics' probes that Qt and its multimedia load.
"""
