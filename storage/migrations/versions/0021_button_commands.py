"""Telegram buttons' long commands in the database: any replica resolves a press

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new table: the running version never reads it (docs/deploy.md, upgrades without downtime).
    op.create_table(
        "button_command",
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    with op.batch_alter_table("button_command", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_button_command_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("button_command", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_button_command_expires_at"))
    op.drop_table("button_command")
