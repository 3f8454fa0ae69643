"""Pooled connections are pinged only after a rest (surveys/core/database.py): a connection
the database dropped while it rested is replaced unseen; one dropped while in steady use
costs one request a 503, and the next request connects afresh."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, event, text

from surveys import create_app
from surveys.core import database
from surveys.extensions import db
from tests.conftest import app_config


@pytest.fixture
def pg_app(postgres):
    url = postgres.create_database(f"delaktig_rest_{uuid.uuid4().hex[:8]}")
    app = create_app(app_config(url))
    with app.app_context():
        db.create_all()
    yield app, url
    with app.app_context():
        db.engine.dispose()


def drop_connections(url: str) -> None:
    """What a database restart does to the app's pooled connections."""
    admin = create_engine(url, poolclass=None)
    with admin.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()


def statements_sent(app) -> list[str]:
    sent: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent


@pytest.mark.postgres
def test_a_connection_dropped_while_resting_is_replaced_unseen(pg_app, monkeypatch):
    app, url = pg_app
    client = app.test_client()
    assert client.get("/s/no-such-survey").status_code == 404  # a query on a pooled connection
    drop_connections(url)
    monkeypatch.setattr(database, "REST_SECONDS", 0.0)
    assert client.get("/s/no-such-survey").status_code == 404


@pytest.mark.postgres
def test_a_connection_in_steady_use_is_not_pinged(pg_app):
    app, url = pg_app
    client = app.test_client()
    client.get("/s/no-such-survey")
    sent = statements_sent(app)
    client.get("/s/no-such-survey")
    assert len(sent) == 1 and "surveys" in sent[0], sent
    # A restart under steady use: one request answers 503, the next connects afresh.
    drop_connections(url)
    assert client.get("/s/no-such-survey").status_code == 503
    assert client.get("/s/no-such-survey").status_code == 404
