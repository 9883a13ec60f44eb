"""The declarative base every table hangs from, and new row ids."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import DeclarativeBase

from central.core.db import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012


def new_id() -> str:
    return str(uuid.uuid4())
