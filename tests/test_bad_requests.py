"""Malformed requests get a clear answer in the visitor's language, never a 500: NUL
characters, numbers beyond the database's integers, a broken server, a database that is
down; 405 says which methods work."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from surveys import create_app
from surveys.accessibility.models import BarrierReport
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.survey.models import Answer
from tests.conftest import app_config
from tests.support.servers import free_port
from tests.support.surveys import small_definition


@pytest.mark.parametrize("path", ["/s/%00", "/s/demo%00/p/1", "/indicators/%00",
                                  "/api/v1/frameworks/%00", "/d/%00", "/manage/%00"])
def test_an_address_with_a_nul_character_is_not_found(client, make_org, make_survey, path):
    make_survey(make_org())
    reply = client.get(path + "?lang=en")
    assert reply.status_code == 404
    assert "The page could not be found" in reply.get_data(as_text=True)


def test_nul_characters_are_dropped_from_what_a_resident_types_and_the_rest_is_saved(
        app, client, make_org, make_survey):
    make_survey(make_org(), slug="liten", definition=small_definition())
    client.post_form("/s/liten/start")
    client.post_form("/s/liten/p/1", {"q_member": "yes"})
    sent = client.post_form("/s/liten/p/2", {"q_comment": "Mer ljus\x00 i parken\x00",
                                             "q_why": "\x00Gemenskap"})
    assert sent.status_code == 302
    with app.app_context():
        values = set(db.session.scalars(select(Answer.value)))
    assert {"Mer ljus i parken", "Gemenskap"} <= values


def test_a_barrier_report_with_a_nul_character_is_kept(app, client):
    sent = client.post_form("/accessibility?from=/s/demo", {
        "description": "Knappen\x00 syns inte", "contact": ""})
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(BarrierReport.description)) == "Knappen syns inte"


@pytest.mark.parametrize("value", ["2147483648", "99999999999999999999"])
def test_an_id_beyond_the_databases_integers_in_a_query_is_refused_not_a_crash(
        client, make_org, make_survey, login, value):
    org = make_org()
    survey_id = make_survey(org)
    login(client, org, Role.analyst)
    reply = client.get(f"/analysis/surveys/{survey_id}/representation?margins={value}&lang=en")
    assert reply.status_code in (400, 404)
    assert "could not be" in reply.get_data(as_text=True)


def test_a_method_a_page_does_not_take_is_refused_with_allow(client):
    reply = client.delete("/login")
    assert reply.status_code == 405
    assert set(reply.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


@pytest.fixture
def broken_app(database_url):
    app = create_app(app_config(database_url, PROPAGATE_EXCEPTIONS=False))

    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", "broken", broken)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_server_error_is_explained_in_the_visitors_language(broken_app):
    reply = broken_app.test_client().get("/broken?lang=ar")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 500
    assert 'lang="ar"' in page and "a bug" not in page and "Traceback" not in page
    assert "Something went wrong" not in page  # Arabic, not English


@pytest.fixture
def app_without_database(tmp_path):
    url = (f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/delaktig"
           if os.environ.get("DELAKTIG_TEST_DB") == "postgresql"
           else f"sqlite:///{tmp_path / 'missing' / 'delaktig.db'}")
    app = create_app(app_config(url, PROPAGATE_EXCEPTIONS=False))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_when_the_database_is_down_a_resident_is_told_the_earlier_pages_are_kept(
        app_without_database):
    reply = app_without_database.test_client().get("/s/demo/p/2?lang=en")
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "30"
    assert "The pages you sent before are kept" in reply.get_data(as_text=True)
