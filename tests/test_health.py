"""A load balancer's probes: /healthz (the process) and /readyz (database and Redis).

Redis is a real redis-server on a free loopback port, started and stopped by the test;
an unreachable database is a PostgreSQL port nothing listens on, or a SQLite file in a
folder that does not exist.
"""

from __future__ import annotations

import pytest

from surveys import create_app
from surveys.extensions import db, limiter
from tests.conftest import app_config
from tests.support.servers import Redis, free_port


@pytest.fixture
def make_app():
    """Apps on a given database; their pools and Redis clients are closed afterwards."""
    made = []

    def make(database_url: str, **extra):
        app = create_app(app_config(database_url, **extra))
        made.append(app)
        return app

    yield make
    for app in made:
        if "delaktig_readyz_redis" in app.extensions:
            app.extensions["delaktig_readyz_redis"].close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def redis_server(tmp_path):
    server = Redis(tmp_path).start()
    yield server
    server.stop()


def unreachable_databases(tmp_path) -> dict[str, str]:
    return {
        "postgresql": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/delaktig",
        "sqlite": f"sqlite:///{tmp_path / 'missing' / 'read-only' / 'delaktig.db'}",
    }


def test_healthz_says_ok_in_plain_text_and_sets_no_cookie(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.mimetype == "text/plain" and reply.get_data(as_text=True) == "ok"
    assert "Set-Cookie" not in reply.headers
    assert client.post("/healthz").status_code == 405


def test_readyz_is_ready_when_the_database_answers(client):
    reply = client.get("/readyz")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ready", "checks": {"database": "ok"}, "failed": []}
    assert "Set-Cookie" not in reply.headers


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_without_a_database_the_process_is_healthy_but_not_ready(make_app, tmp_path, kind):
    app = make_app(unreachable_databases(tmp_path)[kind])
    client = app.test_client()
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    reply = client.get("/readyz")
    assert reply.status_code == 503
    assert reply.get_json() == {"status": "unavailable", "checks": {"database": "failed"},
                                "failed": ["database"]}
    assert not (tmp_path / "missing").exists()


def test_readyz_pings_redis_when_redis_url_is_set(make_app, database_url, redis_server):
    client = make_app(database_url, REDIS_URL=redis_server.url).test_client()
    reply = client.get("/readyz")
    assert reply.status_code == 200
    assert reply.get_json()["checks"] == {"database": "ok", "redis": "ok"}

    redis_server.stop()
    reply = client.get("/readyz")
    assert reply.status_code == 503
    assert reply.get_json() == {"status": "unavailable",
                                "checks": {"database": "ok", "redis": "failed"},
                                "failed": ["redis"]}
    assert client.get("/healthz").status_code == 200


def test_readyz_names_only_what_failed(make_app, tmp_path, redis_server):
    app = make_app(unreachable_databases(tmp_path)["postgresql"], REDIS_URL=redis_server.url)
    reply = app.test_client().get("/readyz")
    assert reply.status_code == 503
    assert reply.get_json()["failed"] == ["database"]
    assert reply.get_json()["checks"]["redis"] == "ok"


def test_probes_are_exempt_from_rate_limits(make_app, database_url, monkeypatch):
    # The limiter is one object shared by every app in the session: give its default
    # limits back afterwards, or later apps would inherit "2 per minute" everywhere.
    monkeypatch.setattr(limiter.limit_manager, "_default_limits",
                        limiter.limit_manager._default_limits)
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 429]
    assert {client.get(path).status_code for path in ["/healthz", "/readyz"] * 5} == {200}
