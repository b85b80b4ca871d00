"""merged community members

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 04:39:09.242877
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with its reference, no table rebuild: SQLite's AUTOINCREMENT and the interactions that
    # point at the members stay as they are (SQLite takes a REFERENCES clause on a new column, not a constraint).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE community_member ADD COLUMN merged_into INTEGER REFERENCES community_member (id)")
    else:
        op.add_column("community_member", sa.Column("merged_into", sa.Integer(), nullable=True))
        op.create_foreign_key(None, "community_member", "community_member", ["merged_into"], ["id"])
    op.create_index("ix_community_member_merged_into", "community_member", ["merged_into"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("community_member", schema=None) as batch_op:
        batch_op.drop_index("ix_community_member_merged_into")
        batch_op.drop_column("merged_into")
