"""the newest platform stamp per voter, card and choice (votes applied in the platform's order)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vote_order",
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("voter", sqlmodel.sql.sqltypes.AutoString(length=96), nullable=False),
        sa.Column("choice", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["card_id"], ["feedback_card.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("card_id", "voter", "choice"),
    )


def downgrade() -> None:
    op.drop_table("vote_order")
