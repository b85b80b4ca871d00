"""inbox leases: a pending inbox row is held by the replica handling it until its lease runs out

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs (nullable, no constraint): no table rebuild on SQLite. Rows pending from before have no
    # lease: any replica may take them, as any could before.
    op.add_column("inbox_item", sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.add_column("inbox_item", sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
