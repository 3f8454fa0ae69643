"""The demo in a database of its own, for a module of tests that only read it.

The shared test database is emptied after every test; these modules keep one copy of the
session's demo snapshot (tests.support.snapshot) for all their tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from surveys import create_app
from surveys.extensions import db
from tests.conftest import app_config
from tests.support.web import FormClient


@contextmanager
def demo_database(demo_snapshots, name: str) -> Iterator[Flask]:
    """An app on a fresh database (SQLite, or PostgreSQL in the PostgreSQL run) with the demo."""
    url = demo_snapshots.copy(f"{name}_{uuid.uuid4().hex[:8]}")
    app = create_app(app_config(url))
    app.test_client_class = FormClient
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
