"""Requests and answers of logging in and of checkpoints, shared by their routes and pages."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from central.core.passwords import MAX_PASSWORD_LENGTH
from central.core.schemas import ApiModel
from sync.schemas import Base64Bytes, CheckpointType


class PasswordSetup(ApiModel):
    token: str = Field(max_length=256)
    password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class Login(ApiModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class AccessToken(ApiModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: datetime


class AdministratorOut(ApiModel):
    administrator_id: str
    username: str


MAX_ADDRESS = 500


class CheckpointIn(ApiModel):
    name: str = Field(min_length=1, max_length=200)
    checkpoint_type: CheckpointType
    region_code: str = Field(pattern=r"^\d{6}$", description="GB/T 2260 region code")
    address: str = Field(min_length=1, max_length=MAX_ADDRESS)
    enterprise: str | None = Field(default=None, max_length=200)
    area_code: str | None = Field(
        default=None,
        pattern=r"^\d{6,15}$",
        description="The region it sits in, any of the six levels; default region_code",
    )
    enterprise_id: str | None = Field(
        default=None, max_length=64, description="The enterprise of a gate"
    )


class CheckpointOut(ApiModel):
    checkpoint_id: str
    name: str
    checkpoint_type: CheckpointType
    region_code: str
    address: str
    enterprise: str | None
    policy_version: int
    roster_version: int
    created_at: datetime
    area_code: str
    enterprise_id: str | None


class EnrollmentCodeOut(ApiModel):
    code_id: str
    checkpoint_id: str
    code: str = Field(description="One-time code the technician types or scans at the kiosk")
    expires_at: datetime
    qr_png: Base64Bytes = Field(description="The code as a QR image (PNG)")


class OperatorIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    pin: str = Field(min_length=6, max_length=8)


class OperatorOut(ApiModel):
    operator_id: str
    checkpoint_id: str
    name: str
