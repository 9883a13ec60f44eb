"""`python -m kiosk.client`: the kiosk's client commands (enroll, ping, upload, export-outbox)."""

from kiosk.client.cli import main

raise SystemExit(main())
