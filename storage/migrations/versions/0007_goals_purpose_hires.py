"""goals, an activity's purpose and hires, a team's default purpose and name for target actions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PURPOSES = "'hiring', 'brand', 'product', 'community'"
_GOAL_METRICS = (
    "'activities', 'talks', 'events', 'partnerships', 'publications', 'social', 'reach', 'engagement', "
    "'contacts', 'target_actions', 'hires', 'nps', 'rating'"
)


def upgrade() -> None:
    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("period IN ('month', 'quarter', 'year')", name="ck_goal_period"),
        sa.CheckConstraint(f"metric IN ({_GOAL_METRICS})", name="ck_goal_metric"),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["member.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_index("ix_goal_team_period", ["team_id", "start", "end"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_created_by"), ["created_by"], unique=False)

    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hires", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.create_check_constraint("ck_activity_hires_nonnegative", "hires IS NULL OR hires >= 0")
        batch_op.create_check_constraint("ck_activity_purpose", f"purpose IS NULL OR purpose IN ({_PURPOSES})")

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("target_action_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("target_action_name")
        batch_op.drop_column("default_purpose")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_constraint("ck_activity_purpose", type_="check")
        batch_op.drop_constraint("ck_activity_hires_nonnegative", type_="check")
        batch_op.drop_column("purpose")
        batch_op.drop_column("hires")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_created_by"))
        batch_op.drop_index(batch_op.f("ix_goal_member_id"))
        batch_op.drop_index("ix_goal_team_period")
    op.drop_table("goal")
