"""a person's choice of team for their private chat with the bot

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "private_chat_team",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("chosen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform", "user_id"),
    )
    with op.batch_alter_table("private_chat_team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_private_chat_team_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("private_chat_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_private_chat_team_team_id"))
    op.drop_table("private_chat_team")
