"""a team's generation: bumped by triggers whenever the team, one of its chats or one of its members changes

The bot caches the team and member a chat works as (storage.chat_context) and checks, in each command's own
transaction, that the team's generation is still the one it read them at. Triggers bump it — rather than the
code paths that change teams, chats and members — so that no path can forget: the ORM, Core statements, another
process or replica, a CLI command or a hand-written UPDATE alike.

On PostgreSQL one trigger function per table serves insert, update and delete (the locking they lead to is
described in storage/chat_context.py).

SQLite drops a table's triggers with the table: a later migration that rebuilds team, chat_binding or member
(batch mode) must create them again (``create_triggers``); tests/storage/test_chat_context.py fails if one is
missing at head.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (trigger name, table, event, the team ids it bumps)
_SQLITE = (
    ("team_generation_on_update", "team", "UPDATE", None),
    ("chat_binding_generation_on_insert", "chat_binding", "INSERT", ("NEW",)),
    ("chat_binding_generation_on_update", "chat_binding", "UPDATE", ("OLD", "NEW")),
    ("chat_binding_generation_on_delete", "chat_binding", "DELETE", ("OLD",)),
    ("member_generation_on_insert", "member", "INSERT", ("NEW",)),
    ("member_generation_on_update", "member", "UPDATE", ("OLD", "NEW")),
    ("member_generation_on_delete", "member", "DELETE", ("OLD",)),
)

_POSTGRES = (
    """CREATE FUNCTION team_generation_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.generation := OLD.generation + 1;
    RETURN NEW;
END $$""",
    """CREATE FUNCTION team_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE team SET generation = generation + 1 WHERE id = OLD.team_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.team_id IS DISTINCT FROM OLD.team_id) THEN
        UPDATE team SET generation = generation + 1 WHERE id = NEW.team_id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$""",
    "CREATE TRIGGER team_generation_on_update BEFORE UPDATE ON team FOR EACH ROW "
    "WHEN (NEW.generation = OLD.generation) EXECUTE FUNCTION team_generation_touch()",
    "CREATE TRIGGER chat_binding_generation BEFORE INSERT OR UPDATE OR DELETE ON chat_binding FOR EACH ROW "
    "EXECUTE FUNCTION team_generation_bump()",
    "CREATE TRIGGER member_generation BEFORE INSERT OR UPDATE OR DELETE ON member FOR EACH ROW "
    "EXECUTE FUNCTION team_generation_bump()",
)


def create_triggers(bind: sa.Connection) -> None:
    if bind.dialect.name == "postgresql":
        for statement in _POSTGRES:
            bind.exec_driver_sql(statement)
        return
    for name, table, event, rows in _SQLITE:
        if rows is None:  # the team's own row: bump unless the statement set the generation itself
            bind.exec_driver_sql(
                f"CREATE TRIGGER {name} AFTER UPDATE ON team WHEN NEW.generation = OLD.generation "
                "BEGIN UPDATE team SET generation = generation + 1 WHERE id = NEW.id; END"
            )
            continue
        ids = " OR ".join(f"id = {row}.team_id" for row in rows)
        bind.exec_driver_sql(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} "
            f"BEGIN UPDATE team SET generation = generation + 1 WHERE {ids}; END"
        )


def drop_triggers(bind: sa.Connection) -> None:
    if bind.dialect.name == "postgresql":
        for statement in ("DROP TRIGGER member_generation ON member",
                          "DROP TRIGGER chat_binding_generation ON chat_binding",
                          "DROP TRIGGER team_generation_on_update ON team",
                          "DROP FUNCTION team_generation_bump()", "DROP FUNCTION team_generation_touch()"):
            bind.exec_driver_sql(statement)
        return
    for name, _table, _event, _rows in _SQLITE:
        bind.exec_driver_sql(f"DROP TRIGGER {name}")


def upgrade() -> None:
    # A plain ADD COLUMN (NOT NULL with a constant default): no table rebuild on SQLite.
    op.add_column("team", sa.Column("generation", sa.Integer(), server_default="0", nullable=False))
    create_triggers(op.get_bind())


def downgrade() -> None:
    drop_triggers(op.get_bind())
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("generation")
