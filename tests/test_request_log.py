"""Request logs: one JSON line per request on stderr, with the route, never the path."""

from __future__ import annotations

import json
import re

import pytest

from surveys import create_app
from tests.conftest import app_config

RESIDENT = {"REMOTE_ADDR": "198.51.100.23"}


def log_lines(capsys) -> list[dict]:
    """The request log lines written to stderr since the last call."""
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()
            if line.startswith("{") and '"route"' in line]


@pytest.fixture
def logging_app(database_url):
    """An app that logs the client's address, behind one trusted proxy."""
    return create_app(app_config(database_url, LOG_CLIENT_ADDRESS=True, TRUSTED_PROXIES=1))


def test_a_request_is_logged_with_its_route_status_duration_and_id_but_no_address(
        client, capsys):
    capsys.readouterr()
    reply = client.get("/indicators/kommun-7f3a9c", environ_base=RESIDENT)
    assert reply.status_code == 404
    [line] = log_lines(capsys)
    assert set(line) == {"time", "request_id", "method", "route", "status", "duration_ms"}
    assert line["method"] == "GET" and line["route"] == "/indicators/<slug>"
    assert line["status"] == 404 and 0 <= line["duration_ms"] < 10_000
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert reply.headers["X-Request-Id"] == line["request_id"]
    assert "kommun-7f3a9c" not in json.dumps(line) and "198.51.100.23" not in json.dumps(line)


def test_an_address_no_route_matches_is_logged_without_it(client, capsys):
    capsys.readouterr()
    client.get("/no/such/page/f00dfeed")
    [line] = log_lines(capsys)
    assert line["route"] is None and line["status"] == 404
    assert "f00dfeed" not in json.dumps(line)


def test_a_refused_form_is_logged_with_its_method_and_status(client, capsys):
    capsys.readouterr()
    assert client.post("/login", data={"email": "a@b.se", "password": "x"}).status_code == 400
    [line] = log_lines(capsys)
    assert (line["method"], line["route"], line["status"]) == ("POST", "/login", 400)


@pytest.mark.parametrize("incoming, kept", [
    ("3f2a9c1b-07d4-4e5f-9a1b-0c2d3e4f5a6b", True),
    ("lb.node-7:000123", True),
    ("two words", False),
    ('"}, {"status": 200', False),
    ("x" * 129, False),
    ("", False),
])
def test_a_well_formed_incoming_request_id_is_kept_and_echoed(client, capsys, incoming, kept):
    capsys.readouterr()
    reply = client.get("/healthz", headers={"X-Request-Id": incoming})
    [line] = log_lines(capsys)
    assert reply.headers["X-Request-Id"] == line["request_id"]
    if kept:
        assert line["request_id"] == incoming
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])


def test_every_request_gets_its_own_id(client, capsys):
    capsys.readouterr()
    ids = {client.get("/healthz").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5 and len(log_lines(capsys)) == 5


def test_the_address_is_logged_only_when_asked_and_taken_through_the_trusted_proxy(
        logging_app, capsys):
    client = logging_app.test_client()
    capsys.readouterr()
    client.get("/healthz", environ_base=RESIDENT)
    # nginx appended the resident's address to what the resident claimed
    client.get("/healthz", environ_base={"REMOTE_ADDR": "127.0.0.1"},
               headers={"X-Forwarded-For": "203.0.113.250, 198.51.100.24"})
    assert [line["client"] for line in log_lines(capsys)] == ["198.51.100.23", "198.51.100.24"]
