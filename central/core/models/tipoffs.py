"""Tip-offs (issue 25): residents' 疫情线索举报 and 群众监督举报, each dispatched to the grid worker
(liaison) of the area it names.

What a resident typed about somebody (the clue's name, the description) and the liaison's
feedback are personal data: kept only as ciphertext (keys/records.key, central.core.cipher).
The place and the area are kept plain: they are what a liaison and the county's overview sort by.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from central.core.models.base import Base, new_id


class TipOff(Base):
    __tablename__ = "tip_offs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # A short number the liaison's SMS and the resident's receipt both show.
    number: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # clue, supervision
    area_code: Mapped[str] = mapped_column(String(15), index=True)
    place: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str | None] = mapped_column(String(32))  # a clue's health situation
    report_type: Mapped[str | None] = mapped_column(String(32))  # a supervision report's type
    clue_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    description_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    liaison_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(16))  # received, visited, closed
    created_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]
    notify_error: Mapped[str | None] = mapped_column(String(32))
    # The periodic job's resends of an SMS not taken (central.tipoffs.resend): how many were
    # made and when the next is due; none left once `notify_resends` reaches its bound.
    notify_resends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    notify_next_at: Mapped[datetime | None]
    visited_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    feedback_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


Index("ix_tip_offs_status_created", TipOff.status, TipOff.created_at)
