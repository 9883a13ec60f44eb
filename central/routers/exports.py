"""Report exports (issue 14): filtered passage and roster exports, run in the background."""

from __future__ import annotations

from fastapi import APIRouter

from sync.schemas import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/exports", tags=["reports"])
