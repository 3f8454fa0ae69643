"""The migration to several frameworks carries each organisation's framework over as its
default one, with everything in it."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from surveys import create_app
from surveys.extensions import db
from tests.conftest import app_config

BEFORE = "b522b1e9e4a9"


def test_the_existing_framework_becomes_the_default_one(tmp_path):
    app = create_app(app_config("sqlite:///" + str(tmp_path / "carry.db")))
    with app.app_context():
        try:
            upgrade(revision=BEFORE)
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO organisations (id, name, created_at) "
                    "VALUES (1, 'Kommun', '2026-01-01')"))
                connection.execute(text(
                    "INSERT INTO indicator_frameworks (id, organisation_id, slug, title, "
                    "min_group_size, max_rse, groupings, gaps, published, updated_at) VALUES "
                    "(7, 1, 'kommun', '{\"sv\": \"Strategi\"}', 10, 0.3, '[]', '[]', 1, "
                    "'2026-01-01')"))
                connection.execute(text(
                    "INSERT INTO focus_areas (id, framework_id, key, position, title) "
                    "VALUES (3, 7, 'work', 0, '{\"sv\": \"Arbete\"}')"))
                connection.execute(text(
                    "INSERT INTO goals (id, focus_area_id, parent_id, position, title) "
                    "VALUES (5, 3, NULL, 0, '{\"sv\": \"Mål\"}')"))
            upgrade(revision="head")
            with db.engine.begin() as connection:
                row = connection.execute(text(
                    "SELECT is_default, position, archived_at, slug FROM indicator_frameworks"
                )).one()
                assert (bool(row[0]), row[1], row[2], row[3]) == (True, 0, None, "kommun")
                assert connection.execute(text(
                    "SELECT focus_area_id, archived_at FROM goals WHERE id = 5")).one() == (3, None)
                # a second framework of the same organisation is now allowed
                connection.execute(text(
                    "INSERT INTO indicator_frameworks (organisation_id, slug, title, "
                    "min_group_size, max_rse, groupings, gaps, published, updated_at, "
                    "is_default, position) VALUES (1, 'program', '{}', 10, 0.3, '[]', '[]', 0, "
                    "'2026-01-01', 0, 1)"))
            # and the way back keeps the default one
            downgrade(revision=BEFORE)
            with db.engine.begin() as connection:
                assert connection.execute(text(
                    "SELECT id FROM indicator_frameworks")).scalars().all() == [7]
        finally:
            db.session.remove()
            db.engine.dispose()
