"""The demo in a database of its own, for tests that only read it.

The shared test database is emptied after every test, and loading the whole demo (two
weighted waves) takes seconds, so read-only tests share one copy per module.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from surveys import create_app
from surveys.demo import load_demo
from surveys.extensions import db
from tests.conftest import app_config
from tests.support.web import FormClient


@contextmanager
def demo_database(request, tmp_path_factory, name: str) -> Iterator[Flask]:
    """An app on a fresh database (SQLite, or PostgreSQL in the PostgreSQL run) with the demo."""
    if os.environ.get("DELAKTIG_TEST_DB", "sqlite") == "postgresql":
        url = request.getfixturevalue("postgres").create_database(
            f"{name}_{uuid.uuid4().hex[:8]}")
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp(name) / "demo.db")
    app = create_app(app_config(url))
    app.test_client_class = FormClient
    with app.app_context():
        db.create_all()
        load_demo()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
