"""The base of the API's own schemas (the kiosk wire schemas live in `sync.schemas`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
