"""Fixtures: the app on SQLite (default) or PostgreSQL, clients, and data factories.

Set DELAKTIG_TEST_DB=postgresql to run the whole suite against a throwaway
PostgreSQL server that the session starts itself. Tests marked `postgres` start
that server whatever the setting.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import delete

from surveys import create_app
from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.extensions import db, limiter
from surveys.survey.definition import load_template
from surveys.survey.models import SurveyStatus
from surveys.survey.services import import_definition
from tests.support.postgres import PostgresServer
from tests.support.snapshot import DemoSnapshots
from tests.support.web import FormClient
from tests.support.wheel import session_wheel

PASSWORD = "correct horse battery"


#: argon2id at its lowest cost: the production cost (~0.4 s a hash) is tested once, in test_auth.
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2 hash of PASSWORD, reused by every user the factories make."""
    return PasswordHasher(**CHEAP_ARGON2).hash(PASSWORD)


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs():
    """Build missing or stale .mo files, as the install step does (atomically: the
    xdist workers may both find them stale)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parents[1].glob("translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            partial = mo.with_suffix(f".{os.getpid()}.tmp")
            with open(po, "rb") as source, open(partial, "wb") as target:
                write_mo(target, read_po(source))
            partial.replace(mo)


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="run only the tests that use the test database (the second pass of .ci/run: "
             "tests that never touch the database ran in the first pass)")


#: Tests of half a minute or more under load that are not browser tests: started first, so
#: that no worker begins one near the end while the other has nothing left to do.
LONGEST = (
    "tests/test_production_readme.py::test_the_readme_production_section_runs_as_written",
    "tests/followup/test_report.py::test_the_swedish_pdf_has_numbered_pages_and_every_title_and_value",
    "tests/followup/test_report.py::test_the_arabic_pdf_keeps_the_arabic_titles_and_the_values",
)


def pytest_collection_modifyitems(config, items):
    if config.getoption("--database-tests-only"):
        # (the test database, or a database of the module's own copied from the demo snapshot)
        uses_database = [item for item in items
                         if {"database_url", "demo_snapshots"} & set(item.fixturenames)
                         or item.get_closest_marker("postgres")]
        config.hook.pytest_deselected(items=[i for i in items if i not in uses_database])
        items[:] = uses_database
    # The longest first, then the browser tests (seconds each), then the rest: the two
    # workers finish together instead of one waiting for the other's last long test.
    items.sort(key=lambda item: (item.nodeid not in LONGEST,
                                 item.get_closest_marker("browser") is None))


def pytest_collection_finish(session):
    """Once the tests and the app are imported, the garbage collector stops walking those
    objects (`freeze`) and collects young objects after 10,000 new ones instead of 700: the
    tests make objects by the million, and with the default settings a worker spent 10 % of
    its time collecting (14 s of 137 s on the follow-up tests; 4 s with these)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


#: A folder that every process of one test run shares (the xdist controller makes it).
SHARED = "DELAKTIG_TEST_SHARED"


def _is_controller(config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config):
    """The controller makes the run's shared folder; the workers inherit its name."""
    if _is_controller(config):
        os.environ[SHARED] = tempfile.mkdtemp(prefix="delaktig-tests-")


#: Tests skipped in this run (the controller sees every worker's reports).
_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may be skipped: a test that needs PostgreSQL, Chromium or a Debian
    package runs there for real, so a skip means the machine is not set up and fails the run."""
    if os.environ.get("CI") and _skipped and _is_controller(session.config):
        writer = session.config.get_terminal_writer()
        writer.line()
        writer.line(
            f"CI: {len(_skipped)} test(s) skipped, which CI does not allow: "
            + ", ".join(_skipped), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config):
    """After the last worker: stop the shared PostgreSQL server and remove the folder."""
    if _is_controller(config) and os.environ.get(SHARED):
        folder = Path(os.environ.pop(SHARED))
        PostgresServer.stop_shared(folder)
        shutil.rmtree(folder, ignore_errors=True)


def shared_folder() -> Path | None:
    return Path(os.environ[SHARED]) if os.environ.get(SHARED) else None


@pytest.fixture(scope="session")
def postgres():
    """The run's PostgreSQL server, shared by the xdist workers (tests.support.postgres)."""
    folder = shared_folder()
    if folder is not None:
        yield PostgresServer.shared(folder)  # stopped by the controller, after every worker
        return
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory, worker_id):
    if os.environ.get("DELAKTIG_TEST_DB", "sqlite") == "postgresql":
        server = request.getfixturevalue("postgres")
        return server.create_database(f"delaktig_test_{worker_id}")
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


def app_config(database_url: str, **extra) -> dict:
    """Configuration for a test app."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "ARGON2_PARAMETERS": CHEAP_ARGON2,
        **extra,
    }


@pytest.fixture(scope="session")
def wheel(tmp_path_factory, worker_id) -> Path:
    """The wheel built from this checkout, once per test session (tests.support.wheel)."""
    return session_wheel(tmp_path_factory, worker_id)


@pytest.fixture(scope="session")
def demo_snapshots(request, tmp_path_factory):
    """The demo built once per variant and session (tests.support.snapshot)."""
    postgres = (request.getfixturevalue("postgres")
                if os.environ.get("DELAKTIG_TEST_DB", "sqlite") == "postgresql" else None)
    folder = shared_folder() or tmp_path_factory.mktemp("snapshots")
    return DemoSnapshots(app_config, folder, postgres)


@pytest.fixture
def restore_demo(app, demo_snapshots):
    """`restore_demo(**variant)`: the shared test database holds the demo, as `load_demo` makes it."""
    restored = False

    def restore(**variant) -> None:
        nonlocal restored
        demo_snapshots.restore(app, **variant)
        restored = True

    yield restore
    if restored:  # empty again by copying an empty database: faster than deleting the demo's rows
        demo_snapshots.empty(app)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(app_config(database_url, AUDIO_DIR=str(tmp_path_factory.mktemp("audio"))))
    app.test_client_class = FormClient
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts with empty tables."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.rollback()
        tables = list(reversed(db.metadata.sorted_tables))
        if db.engine.dialect.name == "postgresql":
            # one round trip for every table (psycopg sends statements without parameters
            # as one simple query)
            db.session.connection().exec_driver_sql(
                ";".join(f'DELETE FROM "{table.name}"' for table in tables))
        else:
            for table in tables:
                db.session.execute(delete(table))
        db.session.commit()
        # The limiter is one shared object: a test app with limits on must not leave them on.
        limiter.enabled = app.config["RATELIMIT_ENABLED"]


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def client(app) -> FormClient:
    return app.test_client()


@pytest.fixture
def make_client(app):
    """A fresh client (another phone, another browser)."""
    return app.test_client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_org(app, password_hash):
    """Create an organisation with one user per role; returns the organisation."""

    def make(name: str | None = None) -> Organisation:
        with app.app_context():
            org = Organisation(name=name or f"Kommun {uuid.uuid4().hex[:6]}")
            db.session.add(org)
            for role in Role:
                user = User(organisation=org, email=f"{role.value}@{org.name.replace(' ', '').lower()}.se",
                            name=role.value.title(), role=role)
                user.password_hash = password_hash
                db.session.add(user)
            db.session.commit()
            db.session.refresh(org)
            db.session.expunge(org)
            return org

    return make


def user_email(org: Organisation, role: Role | str) -> str:
    """Login of the `role` user that `make_org` created."""
    value = role.value if isinstance(role, Role) else role
    return f"{value}@{org.name.replace(' ', '').lower()}.se"


@pytest.fixture
def login():
    """Log a client in as the given role of an organisation."""

    def log_in(client: FormClient, org: Organisation, role: Role | str = Role.admin):
        response = client.post_form(
            "/login", {"email": user_email(org, role), "password": PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return log_in


@pytest.fixture
def make_survey(app):
    """Import a survey definition (the template by default) into an organisation."""

    def make(org: Organisation, slug: str = "demo", definition: dict | None = None,
             status: SurveyStatus = SurveyStatus.open) -> int:
        with app.app_context():
            survey = import_definition(
                definition or load_template("tillit-och-delaktighet"), org.id, slug=slug
            )
            survey.status = status
            db.session.commit()
            return survey.id

    return make
