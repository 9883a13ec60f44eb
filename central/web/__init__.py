"""The server-rendered administration pages (issue 14): Chinese first, phone and desktop."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
