"""Pharmacy purchases and clinic visits sent by kiosks (issue 25): one table, by kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from central.core.models.base import Base


class SceneRecord(Base):
    """A kiosk's purchase (`purchase`) or clinic visit (`clinic_visit`). What identifies the
    person is sealed (`details_enc`: the whole record but the code id; `code_enc`); the colour
    rules act on it once (`applied_at`), through the blind index of the code."""

    __tablename__ = "scene_records"
    __table_args__ = (
        Index("ix_scene_records_region_at", "region_code", "at"),
        Index("ix_scene_records_pending", "applied_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the kiosk's record id
    kind: Mapped[str] = mapped_column(String(16))
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.id"))
    checkpoint_id: Mapped[str] = mapped_column(String(36))
    region_code: Mapped[str] = mapped_column(String(6))
    at: Mapped[datetime]
    received_at: Mapped[datetime]
    issuer: Mapped[str | None] = mapped_column(String(16))
    code_ix: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    code_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    watched: Mapped[bool] = mapped_column(Boolean)  # fever, cough or antiviral medicine bought
    visit: Mapped[str | None] = mapped_column(String(16))  # registration, observation
    case_type: Mapped[str | None] = mapped_column(String(16))
    # A purchase's medicine categories, ",fever,cough," (not personal): the report's counts.
    categories: Mapped[str | None] = mapped_column(String(64))
    details_enc: Mapped[bytes] = mapped_column(LargeBinary)
    applied_at: Mapped[datetime | None]
