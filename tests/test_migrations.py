"""The Alembic history builds the schema from nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from surveys import create_app
from surveys.extensions import db
from tests.conftest import app_config


def _round_trip(url: str) -> None:
    app = create_app(app_config(url))
    with app.app_context():
        try:
            _upgrade_downgrade_upgrade()
        finally:
            db.session.remove()
            db.engine.dispose()


def _upgrade_downgrade_upgrade() -> None:
    """Head, base, head again; the schema at head matches the models."""
    upgrade(revision="head")
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    # The migrations describe exactly the models: no drift in either direction.
    with db.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata
        )
    assert diff == []
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(revision="head")
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())


def test_migrations_round_trip_on_sqlite(tmp_path):
    _round_trip("sqlite:///" + str(tmp_path / "migrate.db"))


@pytest.mark.postgres
def test_migrations_round_trip_on_postgresql(postgres):
    _round_trip(postgres.create_database(f"migrate_{uuid.uuid4().hex[:8]}"))
