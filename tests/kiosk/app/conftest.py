"""The demo world (real keys, signed codes and feed) shared by the app tests of a module."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.app.demo import DemoWorld, prepare_demo


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> DemoWorld:
    return prepare_demo(tmp_path_factory.mktemp("world"), datetime.now(UTC))
