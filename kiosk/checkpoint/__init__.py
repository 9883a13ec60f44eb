"""The kiosk's brain: the passage flow and its decisions, policies and clock trust. Pure Python,
no Qt, no threads, no I/O: every rule here is tested without a screen."""
