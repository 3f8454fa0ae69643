"""The demo built once per test run and variant, then restored by copying the database.

Loading the demo (two weighted waves, the follow-up and the dialogue events) takes seconds;
restoring it takes milliseconds: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
PostgreSQL. Tests that load the demo through `restore` get exactly what `load_demo` would
have written, dates included (the snapshot is made in the same run). The xdist workers
share the snapshots: the first to need one makes it under a lock, in the run's shared
folder (and, on PostgreSQL, on the run's shared server).
"""

from __future__ import annotations

import inspect
import json
import shutil
from pathlib import Path

import psycopg
from flask import Flask, has_app_context
from sqlalchemy.engine import make_url

from surveys import create_app
from surveys.demo import load_demo
from surveys.extensions import db
from tests.support.postgres import exclusive

#: The key of the snapshot with the schema and no rows.
EMPTY = (("empty", True),)


class DemoSnapshots:
    """One snapshot database per `load_demo` variant, made the first time a process of the
    run asks for it."""

    def __init__(self, config, folder: Path, postgres=None) -> None:
        #: `config(url)` gives a test app's configuration for a database URL.
        self.config = config
        self.folder = folder
        self.postgres = postgres
        self.made: dict[tuple, str] = {}
        #: What the `demo` command printed when it made the default snapshot.
        self.printed = ""

    def _key(self, variant: dict) -> tuple:
        """The variant without the arguments it gives `load_demo`'s defaults: one snapshot
        for `restore()` and `restore(followup=True)`."""
        defaults = {name: parameter.default
                    for name, parameter in inspect.signature(load_demo).parameters.items()}
        return tuple(sorted((name, value) for name, value in variant.items()
                            if defaults.get(name, object()) != value))

    def _make(self, key: tuple, name: str) -> str:
        """A database of its own holding the schema and, unless `key` is EMPTY, the demo
        variant; its URL (or file path)."""
        if self.postgres:
            url = self.postgres.create_database(name)
        else:
            url = "sqlite:///" + str(self.folder / f"{name}.db")
        app = create_app(self.config(url))
        with app.app_context():
            db.create_all()
            if not key:  # the default demo is what the command makes: keep what it printed
                result = app.test_cli_runner().invoke(args=["demo"])
                assert result.exit_code == 0, result.output
                self.printed = result.output
            elif key != EMPTY:
                load_demo(**dict(key))
            db.session.remove()
            db.engine.dispose()
        return url

    def snapshot(self, **variant) -> str:
        """The URL of the snapshot for `variant`, made on first use in the run."""
        return self._snapshot(self._key(variant))

    def _snapshot(self, key: tuple) -> str:
        if key not in self.made:
            name = "_".join(["snapshot", *(f"{k}_{v}" for k, v in key)]).lower()
            made = self.folder / f"{name}.json"
            with exclusive(self.folder / f"{name}.lock"):
                if not made.exists():
                    url = self._make(key, name)
                    made.write_text(json.dumps({"url": url, "printed": self.printed}))
                known = json.loads(made.read_text())
            self.made[key] = known["url"]
            if not key:
                self.printed = known["printed"]
        return self.made[key]

    def copy(self, name: str, **variant) -> str:
        """A new database named `name` holding the demo; its URL."""
        source = make_url(self.snapshot(**variant))
        if source.get_backend_name() == "sqlite":
            path = self.folder / f"{name}.db"
            shutil.copyfile(source.database, path)
            return "sqlite:///" + str(path)
        self._copy_postgres(source.database, source.set(database=name))
        return source.set(database=name).render_as_string(hide_password=False)

    def restore(self, app: Flask, **variant) -> None:
        """Replace `app`'s database with the demo: as if `load_demo(**variant)` had run."""
        self._replace(app, self.snapshot(**variant))

    def empty(self, app: Flask) -> None:
        """Replace `app`'s database with an empty one (the schema, no rows): after the demo,
        a tenth of the time that deleting its rows takes (0.06 s against 0.7 s on PostgreSQL)."""
        self._replace(app, self._snapshot(EMPTY))

    def _replace(self, app: Flask, source: str) -> None:
        if has_app_context():  # the test's own context: its session lets go of its connection
            db.session.remove()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
            target = db.engine.url
        if target.get_backend_name() == "sqlite":
            shutil.copyfile(make_url(source).database, target.database)
        else:
            self._copy_postgres(make_url(source).database, target)

    def _copy_postgres(self, template: str, target) -> None:
        maintenance = target.set(drivername="postgresql", database="postgres", query={})
        with psycopg.connect(maintenance.render_as_string(hide_password=False),
                             autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{target.database}" TEMPLATE "{template}"')
