"""Every facilitator route with an object answers 404 to another organisation and changes
nothing, while the same request works for the owner; residents and other roles get no further
than the login page or 403."""

from __future__ import annotations

import json

import pytest
from flask import url_for
from sqlalchemy import select

from surveys.extensions import db
from tests.support.dialog import create_event, join, write
from tests.support.libretranslate import LibreTranslate

#: endpoint -> form data for POST (the owner's request succeeds with it).
CASES = {
    "dialog.event": {},
    "dialog.edit_event": {"default_language": "sv", "languages": ["sv"], "title_sv": "Ny",
                          "moderation": "post", "statement_max_length": "280",
                          "dot_points": "5"},
    "dialog.change_status": {"status": "closed"},
    "dialog.qr": {},
    "dialog.add_prompt": {"text_sv": "Ny fråga?"},
    "dialog.edit_prompt": {"text_sv": "Ändrad fråga?"},
    "dialog.move_prompt": {"direction": "down"},
    "dialog.moderation": {},
    "dialog.moderate": {"action": "hide"},
    "dialog.mute": {"action": "mute"},
    "dialog.mute_devices": {"device": "{participant_id}"},
    "dialog.translations": {},
    "dialog.translate": {"language": "sv", "text": "Ett påstående"},
    "dialog.statement_language": {"language": "sv"},
    "dialog.machine_drafts": {},
    "dialog.tables": {"name": "Bord 9"},
    "dialog.add_note": {"prompt_id": "{prompt_id}", "text": "Anteckning"},
    "dialog.paper": {},
    "dialog.paper_statement": {"prompt_id": "{prompt_id}", "language": "sv",
                               "source": "paper", "text": "Från papper"},
    "dialog.paper_tally": {"statement_id": "{statement_id}", "agree": "1", "disagree": "0",
                           "passed": "0", "dots": "0"},
    "dialog.live_screen": {},
    "dialog.live_json": {},
    "dialog.room_panel": {},
    "dialog.groups": {},
    "dialog.feedback": {},
    "dialog.save_response": {"text_sv": "Vi sätter upp lampor."},
    "dialog.add_action": {"status": "planned", "action_sv": "Fler lampor"},
    "dialog.change_action": {"status": "done"},
    "dialog.csv_export": {},
    "dialog.xlsx_export": {},
    "dialog.report": {},
}
WITHOUT_OBJECT = {"dialog.index", "dialog.new_event"}


def dialog_routes(app) -> dict[str, set[str]]:
    """Endpoint -> methods of every facilitator route (under /dialog/, static files aside)."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/dialog/") and rule.endpoint != "dialog.static":
            routes.setdefault(rule.endpoint, set()).update(rule.methods & {"GET", "POST"})
    return routes


def snapshot(app) -> str:
    """Every row of every dialog table, as text."""
    with app.app_context():
        rows = {}
        for table in db.metadata.sorted_tables:
            if table.name.startswith("dialog_"):
                rows[table.name] = [
                    [str(v) for v in row] for row in db.session.execute(
                        select(table).order_by(*table.primary_key.columns)).all()]
        return json.dumps(rows, sort_keys=True)


def test_every_dialog_route_has_a_tenancy_case(app):
    assert set(dialog_routes(app)) == set(CASES) | WITHOUT_OBJECT


@pytest.fixture
def translation_service(app, monkeypatch):
    """A translation service, so that the owner's request for machine drafts works."""
    with LibreTranslate() as service:
        monkeypatch.setitem(app.config, "TRANSLATE_URL", service.url)
        yield service


def test_another_organisation_gets_404_everywhere_and_changes_nothing(
        app, make_org, make_client, login, translation_service):
    from dialog.models import ActionStatus, EventAction, Participant, Statement, TableGroup

    owner_org, other_org = make_org(), make_org()
    ev = create_event(app, owner_org, prompts=2)
    phone = make_client()
    join(phone, ev["code"])
    write(phone, ev["code"], ev["prompts"][0], "Ett påstående")
    with app.app_context():
        db.session.add(TableGroup(event_id=ev["id"], name="Bord 1"))
        db.session.add(EventAction(event_id=ev["id"], text={"sv": "Lampor"},
                                   status=ActionStatus.planned))
        db.session.commit()
        ids = {"event_id": ev["id"], "prompt_id": ev["prompts"][0],
               "statement_id": db.session.scalar(select(Statement.id)),
               "participant_id": db.session.scalar(select(Participant.id)),
               "table_id": db.session.scalar(select(TableGroup.id)),
               "action_id": db.session.scalar(select(EventAction.id)), "table": "statements"}
    owner = login(make_client(), owner_org, "facilitator")
    other = login(make_client(), other_org, "facilitator")
    for endpoint, data in CASES.items():
        methods = dialog_routes(app)[endpoint]
        with app.test_request_context():
            rule = next(app.url_map.iter_rules(endpoint))
            url = url_for(endpoint, **{k: ids[k] for k in rule.arguments})
        form = {k: (v.format(**ids) if isinstance(v, str) else v) for k, v in data.items()}
        for method in sorted(methods):
            before = snapshot(app)
            sent = other.get(url) if method == "GET" else other.post_form(url, form)
            assert sent.status_code == 404, (endpoint, method, sent.status_code)
            assert snapshot(app) == before, (endpoint, method)
        for method in sorted(methods):
            sent = owner.get(url) if method == "GET" else owner.post_form(url, form)
            assert sent.status_code == (200 if method == "GET" else 302), (
                endpoint, method, sent.status_code, sent.get_data(as_text=True)[-500:])


@pytest.mark.parametrize("role", ["author", "analyst", None])
def test_other_roles_and_residents_never_reach_a_facilitator_page(app, make_org, make_client,
                                                                  login, role):
    org = make_org()
    ev = create_event(app, org)
    client = make_client()
    if role:
        login(client, org, role)
    else:
        join(client, ev["code"])  # a resident who joined the event on this device
    before = snapshot(app)
    for endpoint in sorted(dialog_routes(app)):
        with app.test_request_context():
            rule = next(app.url_map.iter_rules(endpoint))
            url = url_for(endpoint, **{k: 1 for k in rule.arguments})
        for method in sorted(dialog_routes(app)[endpoint]):
            sent = client.get(url) if method == "GET" else client.post_form(url, {})
            if role:
                assert sent.status_code == 403, (endpoint, method)
            else:
                assert sent.status_code == 302 and "/login" in sent.headers["Location"]
    assert snapshot(app) == before
