"""Alembic environment: always run programmatically by :mod:`scarwise.store.migrate`.

The caller passes an open connection in ``config.attributes["connection"]``; batch mode lets
SQLite alter tables (it cannot ``ALTER`` most constraints).
"""

from __future__ import annotations

from alembic import context

from scarwise.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running the alembic CLI by hand
    raise RuntimeError("run scarwise migrations through scarwise.store.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
