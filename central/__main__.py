"""`python -m central` is the `central` command."""

from central.cli import main

raise SystemExit(main())
