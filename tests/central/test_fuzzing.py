"""Issue 27: no input reaches a 500, proved by fuzzing every route of the OpenAPI document
(tests/central/fuzzing.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.central.conftest import Central
from tests.central.fuzzing import fuzz_every_route

# Per operation and mode; about 1,100 requests a database (>= 2,000 with both) in a minute.
EXAMPLES = 8


def test_no_generated_request_to_any_route_gets_a_server_error(central: Central) -> None:
    tally = fuzz_every_route(central.app, central.client, central.admin_headers, examples=EXAMPLES)
    print(
        f"fuzzing: {tally.requests} requests to {tally.operations} operations, "
        f"{len(tally.server_errors)} server errors"
    )
    assert tally.operations >= 70
    assert tally.requests >= 1000
    assert tally.server_errors == []
