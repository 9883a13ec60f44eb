"""regions: the pinyin and pinyin initials of each name, for the region picker's search

Revision ID: 0012_region_pinyin
Revises: 0011_login_failures
Create Date: 2026-12-07

Worked out once when a region is loaded (central/core/region_search.py), so a search by "blq"
or "beilin" is an indexed prefix match. Regions loaded before this revision get theirs here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_region_pinyin"
down_revision = "0011_login_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from central.core.regions import romanise

    op.add_column("regions", sa.Column("pinyin", sa.String(length=400), nullable=True))
    op.add_column("regions", sa.Column("pinyin_initials", sa.String(length=100), nullable=True))
    op.create_index("ix_regions_pinyin", "regions", ["pinyin"])
    op.create_index("ix_regions_pinyin_initials", "regions", ["pinyin_initials"])
    op.create_index("ix_regions_name_zh", "regions", ["name_zh"])
    op.create_index("ix_regions_level_code", "regions", ["level", "code"])
    connection = op.get_bind()
    regions = sa.table(
        "regions",
        sa.column("code", sa.String),
        sa.column("name_zh", sa.String),
        sa.column("pinyin", sa.String),
        sa.column("pinyin_initials", sa.String),
    )
    rows = connection.execute(sa.select(regions.c.code, regions.c.name_zh)).all()
    for code, name_zh in rows:
        pinyin, initials = romanise(name_zh)
        connection.execute(
            regions.update()
            .where(regions.c.code == code)
            .values(pinyin=pinyin, pinyin_initials=initials)
        )


def downgrade() -> None:
    op.drop_index("ix_regions_level_code", table_name="regions")
    op.drop_index("ix_regions_name_zh", table_name="regions")
    op.drop_index("ix_regions_pinyin_initials", table_name="regions")
    op.drop_index("ix_regions_pinyin", table_name="regions")
    op.drop_column("regions", "pinyin_initials")
    op.drop_column("regions", "pinyin")
