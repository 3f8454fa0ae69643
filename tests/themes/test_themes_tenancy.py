"""Every theme and series route with an object answers 404 to another organisation and
changes nothing, while the same request works for the owner; residents and other roles get
no further than the login page or 403; analysts neither change series nor delete themes."""

from __future__ import annotations

import json

import pytest
from flask import url_for
from sqlalchemy import select

from dialog.models import EventStatus
from surveys.extensions import db
from surveys.themes import services
from tests.support.dialog import make_event
from tests.support.themes import build_world

#: endpoint -> form data for POST (the owner's request succeeds with it), in an order where
#: each owner's request leaves the next one possible.
CASES = {
    "themes.theme": {},
    "themes.edit": {"name_sv": "Omdöpt", "goals": "{goal}"},
    "themes.event_statements": {},
    "themes.tag_statements": {"theme": "{theme_id}", "statements": "{statement_id}"},
    "themes.tag_statement": {"themes": "{theme_id}"},
    "themes.survey_answers": {},
    "themes.tag_answers": {"theme": "{theme_id}", "answers": "{answer_id}"},
    "themes.tag_answer": {"themes": "{theme_id}"},
    "themes.series": {},
    "themes.add_event": {"event_id": "{free_event}"},
    "themes.carry_forward": {},
    "themes.remove_event": {},
    "themes.delete": {},  # last: the owner's request deletes the theme
}
#: Lists and creation of the user's own organisation (tested below and in test_themes).
WITHOUT_OBJECT = {"themes.index", "themes.surveys", "themes.series_index"}
TABLES = ("themes", "theme_statements", "theme_answers", "theme_goals", "event_series",
          "event_series_members", "dialog_statements", "action_links")


def theme_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/themes/", "/series/")):
            routes.setdefault(rule.endpoint, set()).update(rule.methods & {"GET", "POST"})
    return routes


def snapshot(app) -> str:
    with app.app_context():
        return json.dumps({name: [[str(v) for v in row] for row in db.session.execute(
            select(db.metadata.tables[name])).all()] for name in TABLES}, sort_keys=True)


def test_every_theme_route_has_a_tenancy_case(app):
    assert set(theme_routes(app)) == set(CASES) | WITHOUT_OBJECT


def test_another_organisation_gets_404_everywhere_and_changes_nothing(
        app, make_org, make_client, login):
    owner_org, other_org = make_org(), make_org()
    world = build_world(app, owner_org, writers=2, answers=1)
    with app.app_context():
        theme = services.create_theme(owner_org.id, {"sv": "Belysning"})
        series = services.create_series(owner_org.id, {"sv": "Rådet"})
        from dialog.models import Event

        services.add_event(series, db.session.get(Event, world["event"]))
        later = make_event(owner_org.id, status=EventStatus.open)
        free = make_event(owner_org.id, status=EventStatus.draft)
        services.add_event(series, later)
        db.session.commit()
        ids = {"theme_id": theme.id, "event_id": later.id, "series_id": series.id,
               "statement_id": world["statements"][0], "survey_id": world["survey"],
               "answer_id": world["answers"][0], "goal": world["goals"][0],
               "free_event": free.id}
    ids["event_id"] = later.id
    owner = login(make_client(), owner_org, "facilitator")
    other = login(make_client(), other_org, "facilitator")
    routes = theme_routes(app)
    for endpoint, data in CASES.items():
        with app.test_request_context():
            rule = next(app.url_map.iter_rules(endpoint))
            args = {k: ids[k] for k in rule.arguments}
            if endpoint in ("themes.event_statements", "themes.tag_statements"):
                args["event_id"] = world["event"]
            url = url_for(endpoint, **args)
        form = {k: v.format(**ids) for k, v in data.items()}
        for method in sorted(routes[endpoint]):
            before = snapshot(app)
            sent = other.get(url) if method == "GET" else other.post_form(url, form)
            assert sent.status_code == 404, (endpoint, method, sent.status_code)
            assert snapshot(app) == before, (endpoint, method)
        for method in sorted(routes[endpoint]):
            sent = owner.get(url) if method == "GET" else owner.post_form(url, form)
            assert sent.status_code == (200 if method == "GET" else 302), (
                endpoint, method, sent.status_code, sent.get_data(as_text=True)[-400:])


def test_lists_show_only_the_own_organisations_themes_and_series(
        app, make_org, make_client, login):
    a, b = make_org(), make_org()
    with app.app_context():
        services.create_theme(a.id, {"sv": "Tema A"})
        services.create_series(a.id, {"sv": "Serie A"})
        db.session.commit()
    theirs = login(make_client(), b, "analyst")
    assert "Tema A" not in theirs.get("/themes/").get_data(as_text=True)
    assert "Serie A" not in theirs.get("/series/").get_data(as_text=True)
    assert theirs.post_form("/themes/", {"name_sv": "Tema A"}).status_code == 302


@pytest.mark.parametrize("role", ["author", "interpreter", "unit_reporter", "fieldwork", None])
def test_other_roles_and_residents_never_reach_a_theme_page(app, make_org, make_client,
                                                            login, role):
    org = make_org()
    client = make_client()
    if role:
        login(client, org, role)
    before = snapshot(app)
    for endpoint, methods in sorted(theme_routes(app).items()):
        with app.test_request_context():
            rule = next(app.url_map.iter_rules(endpoint))
            url = url_for(endpoint, **{k: 1 for k in rule.arguments})
        for method in sorted(methods):
            sent = client.get(url) if method == "GET" else client.post_form(url, {})
            if role:
                assert sent.status_code == 403, (endpoint, method)
            else:
                assert sent.status_code == 302 and "/login" in sent.headers["Location"]
    assert snapshot(app) == before


def test_analysts_see_series_but_only_facilitators_change_them_or_delete_themes(
        app, make_org, make_client, login):
    org = make_org()
    with app.app_context():
        series = services.create_series(org.id, {"sv": "Rådet"})
        db.session.commit()
        series_id = series.id
    analyst = login(make_client(), org, "analyst")
    assert analyst.get(f"/series/{series_id}").status_code == 200
    assert analyst.post_form("/series/", {"name_sv": "Ny"}).status_code == 403
    assert analyst.post_form(f"/series/{series_id}/events", {"event_id": "1"}).status_code \
        == 403
    with app.app_context():
        theme_id = services.create_theme(org.id, {"sv": "Belysning"}).id
        db.session.commit()
    assert analyst.get(f"/themes/{theme_id}/delete").status_code == 403
    assert analyst.post_form(f"/themes/{theme_id}/delete").status_code == 403
