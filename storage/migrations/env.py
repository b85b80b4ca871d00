"""Alembic environment: the engine comes from the caller (storage.db.upgrade)."""

from alembic import context
from sqlmodel import SQLModel

from storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A migration that rebuilds a table (SQLite cannot alter it in place) drops the old one; with
            # foreign keys on, that drop would cascade into the children. The pragma only takes effect outside
            # a transaction, so it is set before one begins and restored after the commit — on the driver's own
            # connection, because any statement through SQLAlchemy opens a transaction first (storage.db's
            # explicit-BEGIN recipe), which would make the pragma a silent no-op.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


run_migrations_online()
