"""Signed kiosk releases (issue 15): central publishes versions, kiosks fetch the newest."""

from __future__ import annotations

from fastapi import APIRouter

from sync.schemas import API_PREFIX

router = APIRouter(prefix=f"{API_PREFIX}/releases", tags=["releases"])
