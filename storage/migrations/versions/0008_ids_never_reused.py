"""ids are never reused: SQLite tables with an integer id get AUTOINCREMENT

Without AUTOINCREMENT SQLite gives a new row the largest id + 1, so deleting the newest activity and logging
another hands out the same number again — and an old "confirm delete #2" button deletes the new one.
PostgreSQL sequences never go back, so there is nothing to do there.

SQLite cannot alter a primary key: each table is rebuilt (create the new one, copy the rows with their ids,
drop the old one, rename), with foreign keys switched off by env.py for the duration, so that dropping a parent
table does not cascade into its children. Copying the rows sets sqlite_sequence to the largest id in use.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import re
from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID_COLUMN = re.compile(r'(\n\s*"?id"?\s+INTEGER\s+NOT NULL)(\s*,)')
_ID_KEY_FIRST = re.compile(r'\n\s*PRIMARY KEY \("?id"?\)\s*,')
_ID_KEY_LAST = re.compile(r',\s*PRIMARY KEY \("?id"?\)')


def _tables_with_plain_id(conn) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'alembic_version'"
    ).all()
    return [(name, sql) for name, sql in rows
            if _ID_COLUMN.search(sql) and "AUTOINCREMENT" not in sql.upper()
            and (_ID_KEY_FIRST.search(sql) or _ID_KEY_LAST.search(sql))]


def _autoincrement_sql(name: str, sql: str, new_name: str) -> str:
    sql = _ID_COLUMN.sub(r"\1 PRIMARY KEY AUTOINCREMENT\2", sql, count=1)
    sql = _ID_KEY_FIRST.sub("", sql, count=1) if _ID_KEY_FIRST.search(sql) else _ID_KEY_LAST.sub("", sql, count=1)
    head = re.compile(r'^CREATE TABLE\s+"?' + re.escape(name) + r'"?', re.I)
    return head.sub(f'CREATE TABLE "{new_name}"', sql, count=1)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    for name, sql in _tables_with_plain_id(conn):
        indexes = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (name,)
        ).scalars().all()
        temporary = f"_new_{name}"
        conn.exec_driver_sql(_autoincrement_sql(name, sql, temporary))
        conn.exec_driver_sql(f'INSERT INTO "{temporary}" SELECT * FROM "{name}"')
        conn.exec_driver_sql(f'DROP TABLE "{name}"')
        conn.exec_driver_sql(f'ALTER TABLE "{temporary}" RENAME TO "{name}"')
        for index in indexes:
            conn.exec_driver_sql(index)
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")


def downgrade() -> None:
    pass  # AUTOINCREMENT only stops reuse; nothing needs undoing
