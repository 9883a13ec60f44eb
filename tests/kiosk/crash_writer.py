"""A process that records passages as fast as it can and prints each one's id after its commit;
the crash test kills it with SIGKILL at random points."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.store import Store
from tests.kiosk.checkpoint_support import passage


def main() -> None:
    database, key_file = Path(sys.argv[1]), Path(sys.argv[2])
    store = Store.open(database, key_file)
    print("ready", flush=True)
    while True:
        record = passage(code_byte=len(sys.argv) % 200, fever=True)  # two outbox rows each
        store.passages.record(record).result()
        print(record.record_id, flush=True)


if __name__ == "__main__":
    main()
