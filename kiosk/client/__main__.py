"""`python -m sync`: kiosk-side commands (enroll, ping)."""

from sync.cli import main

raise SystemExit(main())
