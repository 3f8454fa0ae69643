"""Production refuses to start with a short SECRET_KEY, or with several gunicorn workers
counting rate limits each in its own memory; development and tests are not refused.

The gunicorn cases run the real `gunicorn -c python:surveys.gunicorn_conf` as deployed.
"""

from __future__ import annotations

import logging
import signal

import pytest

from surveys import create_app
from surveys.config import ConfigError, operations_settings
from surveys.extensions import limiter
from surveys.production import refuse_unsafe_workers
from tests.support.servers import Gunicorn, wait_until

LONG_KEY = "k" * 64


@pytest.fixture
def production(monkeypatch, tmp_path):
    """The environment of a production server (no development mode, no Redis)."""
    for name in ("DELAKTIG_ENV", "FLASK_DEBUG", "REDIS_URL", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", LONG_KEY)
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)  # the limiter is shared
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
            "RATELIMIT_ENABLED": False}


@pytest.mark.parametrize("key", ["short", "x" * 31, "ä" * 15])
def test_a_secret_key_under_32_bytes_refuses_to_start_in_production(production, monkeypatch,
                                                                    key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match=rf"SECRET_KEY is {len(key.encode())} bytes long; "
                                          r"production needs at least 32"):
        create_app(production)


@pytest.mark.parametrize("key", ["x" * 32, "ä" * 16, LONG_KEY])
def test_a_secret_key_of_32_bytes_or_more_starts(production, monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    assert create_app(production).config["SECRET_KEY"] == key


def test_development_and_tests_accept_a_short_secret_key(production, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "dev")
    assert create_app({**production, "TESTING": True}).config["SECRET_KEY"] == "dev"
    monkeypatch.setenv("DELAKTIG_ENV", "development")
    assert create_app(production).config["SECRET_KEY"] == "dev"


def test_several_workers_need_redis_in_production_only(production, monkeypatch):
    refuse_unsafe_workers(1)
    with pytest.raises(ConfigError, match="4 gunicorn workers and no REDIS_URL"):
        refuse_unsafe_workers(4)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    refuse_unsafe_workers(4)
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.setenv("DELAKTIG_ENV", "development")
    refuse_unsafe_workers(4)


def test_a_server_started_without_the_gunicorn_settings_still_warns(production, caplog):
    client = create_app(production).test_client()
    with caplog.at_level(logging.ERROR):
        client.get("/healthz")
        assert not caplog.records
        for _ in range(3):
            client.get("/healthz", environ_overrides={"wsgi.multiprocess": True})
    [record] = caplog.records
    assert "Several worker processes and no REDIS_URL" in record.getMessage()
    assert "could make several times the allowed attempts" in record.getMessage()
    assert "-c python:surveys.gunicorn_conf" in record.getMessage()


@pytest.mark.parametrize("value, proxies", [("", 0), ("0", 0), ("1", 1), ("2", 2)])
def test_trusted_proxies_is_a_count(monkeypatch, value, proxies):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    assert operations_settings()["TRUSTED_PROXIES"] == proxies


@pytest.mark.parametrize("value", ["yes", "-1", "1.5", "127.0.0.1", "²"])
def test_a_trusted_proxies_that_is_not_a_count_is_refused(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES must be the number"):
        operations_settings()


def test_the_client_address_is_logged_only_with_log_client_address_1(monkeypatch):
    for value, logged in [(None, False), ("0", False), ("1", True)]:
        if value is None:
            monkeypatch.delenv("LOG_CLIENT_ADDRESS", raising=False)
        else:
            monkeypatch.setenv("LOG_CLIENT_ADDRESS", value)
        assert operations_settings()["LOG_CLIENT_ADDRESS"] is logged


# -- gunicorn, as deployed ---------------------------------------------------------------------
def test_gunicorn_refuses_several_workers_without_redis_before_starting_any(tmp_path):
    server = Gunicorn(tmp_path, {"SECRET_KEY": LONG_KEY}, workers=2)
    assert server.run_until_exit(timeout=90) == 1
    assert "Error: 2 gunicorn workers and no REDIS_URL" in server.output()
    assert "Booting worker" not in server.output()


def test_gunicorn_counts_workers_set_through_web_concurrency(tmp_path):
    server = Gunicorn(tmp_path, {"SECRET_KEY": LONG_KEY, "WEB_CONCURRENCY": "3"}, workers=None)
    assert server.run_until_exit(timeout=90) == 1
    assert "Error: 3 gunicorn workers and no REDIS_URL" in server.output()


def test_gunicorn_stops_when_the_secret_key_is_too_short(tmp_path):
    server = Gunicorn(tmp_path, {"SECRET_KEY": "too-short"}, workers=1)
    assert server.run_until_exit(timeout=90) != 0
    assert "SECRET_KEY is 9 bytes long; production needs at least 32" in server.output()


def test_gunicorn_keeps_one_worker_when_asked_for_more_without_redis(tmp_path):
    # The settings, not the app, are under test here: a one-line WSGI app starts in a blink.
    (tmp_path / "hello.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'ok']\n")
    server = Gunicorn(tmp_path, {"SECRET_KEY": LONG_KEY}, workers=1)
    server.args[-1] = "hello:app"
    server.env["PYTHONPATH"] += f":{tmp_path}"
    try:
        server.start()
        server.process.send_signal(signal.SIGTTIN)
        wait_until(lambda: "Keeping 1 worker(s)" in server.output(), "the refusal", server.process)
        # the master handles signals in order: once USR1 is handled, TTIN is fully done
        server.process.send_signal(signal.SIGUSR1)
        wait_until(lambda: "Handling signal: usr1" in server.output(), "USR1", server.process)
        assert server.output().count("Booting worker") == 1
        assert "2 gunicorn workers and no REDIS_URL" in server.output()
    finally:
        server.stop()
