"""the newest platform stamp per person and community poll (/ask answers applied in the platform's order)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "community_poll_order",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("voter", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["community_poll.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_id", "voter"),
    )


def downgrade() -> None:
    op.drop_table("community_poll_order")
