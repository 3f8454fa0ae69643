"""Every route of the action plans and of the framework editing answers 404 to another
organisation and changes nothing, while the same request works for the owner."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from surveys.actions.models import UnitKind
from surveys.actions.services import create_unit
from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.followup import services as followup
from tests.conftest import user_email
from tests.support.manage import staff
from tests.support.strategy import build

#: endpoint -> form data for POST (the owner's request succeeds with it), in an order where
#: each owner's request leaves the next one possible (deletions last).
CASES = {
    "followup.framework": {},
    "followup.framework_title": {"title_sv": "Nytt namn"},
    "followup.move_framework": {"direction": "up"},
    "followup.new_area": {"title_sv": "Nytt område"},
    "followup.area_title_by_id": {"title_sv": "Område"},
    "followup.move_area": {"direction": "down"},
    "followup.goal_title": {"title_sv": "Mål"},
    "followup.move_goal": {"direction": "up"},
    "followup.reparent_goal": {"parent": "goal:{top}"},
    "followup.new_goal": {"parent": "goal:{top}", "title_sv": "Under"},
    "followup.goal_indicators": {"indicator_id": "{indicator}", "action": "unlink"},
    "followup.archive_goal": {"archived": "1"},
    "actions.goal": {},
    "actions.action": {},
    "actions.edit": {"title_sv": "Ändrad", "unit_id": "{social}", "starts_on": "2025-01-01"},
    "actions.report_status": {"status": "started"},
    "actions.edit_unit": {"name": "Omdöpt", "kind": "company"},
    "actions.unit_reporters": {"reporters": "{reporter}"},
    "actions.unit_summary": {},
    "followup.archive_framework": {"archived": "1"},
    "followup.delete_area": {},
    "followup.delete_framework": {},
    "followup.delete_goal": {},
    "actions.delete_unit": {},
}
#: Lists and creation of the user's own organisation (tested below and in test_actions).
WITHOUT_OBJECT = {"actions.index", "actions.new", "actions.units", "followup.frameworks"}


#: What these routes can change (and the audit log, which records some of it).
TABLES = ("indicator_frameworks", "focus_areas", "goals", "goal_indicators", "org_units",
          "unit_reporters", "actions", "action_updates", "action_goals", "action_indicators",
          "action_links", "audit_events")


def snapshot(app) -> dict[str, list[str]]:
    """Every row of those tables, to prove that a refused request changed nothing."""
    with app.app_context():
        return {name: sorted(repr(tuple(row)) for row in db.session.execute(
            select(db.metadata.tables[name]))) for name in TABLES}


def strategy_routes(app) -> dict[str, set[str]]:
    """Endpoint -> methods of every action route and of the framework editing."""
    framework_rules = ("/followup/frameworks", "/followup/focus-areas", "/followup/goals")
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/actions/", *framework_rules)):
            routes.setdefault(rule.endpoint, set()).update(rule.methods & {"GET", "POST"})
    return routes


def test_every_strategy_route_has_a_tenancy_case(app):
    assert set(strategy_routes(app)) == set(CASES) | WITHOUT_OBJECT


def test_another_organisation_gets_404_everywhere_and_changes_nothing(
        app, make_org, make_client, login):
    owner_org, other_org = make_org(), make_org()
    made = build(app, owner_org)
    build(app, other_org)  # the other has a strategy of its own
    with app.app_context():
        organisation = db.session.get(Organisation, owner_org.id)
        second = followup.create_empty(organisation, "Andra ramverket")
        area = followup.add_area(second, "Tomt område")
        empty_unit = create_unit(owner_org.id, "Tom enhet", UnitKind.administration)
        reporter = db.session.scalar(select(User.id).where(
            User.email == user_email(owner_org, Role.unit_reporter)))
        db.session.commit()
        ids = {**made, "framework_id": second.id, "area_id": area.id,
               "goal_id": made["bottom"], "unit_id": empty_unit.id,
               "action_id": made["social_action"], "reporter": reporter}
    owner = staff(make_client(), login, owner_org, Role.admin)
    other = staff(make_client(), login, other_org, Role.admin)
    routes = strategy_routes(app)
    for endpoint, data in CASES.items():
        with app.test_request_context():
            rule = next(app.url_map.iter_rules(endpoint))
            url = url_for(endpoint, **{k: ids[k] for k in rule.arguments})
        form = {k: (v.format(**ids) if isinstance(v, str) else v) for k, v in data.items()}
        for method in sorted(routes[endpoint]):
            before = snapshot(app)
            sent = other.get(url) if method == "GET" else other.post_form(url, form)
            assert sent.status_code == 404, (endpoint, method, sent.status_code)
            assert snapshot(app) == before, (endpoint, method)
        for method in sorted(routes[endpoint]):
            sent = owner.get(url) if method == "GET" else owner.post_form(url, form)
            assert sent.status_code == (200 if method == "GET" else 302), (
                endpoint, method, sent.status_code, sent.get_data(as_text=True)[-800:])


def test_lists_and_new_actions_stay_within_the_organisation(app, make_org, make_client,
                                                            login):
    owner_org, other_org = make_org(), make_org()
    made = build(app, owner_org)
    other = staff(make_client(), login, other_org, Role.analyst)
    build(app, other_org)
    for url, theirs in (("/actions/", f'href="/actions/{made["social_action"]}"'),
                        ("/actions/units/", f'href="/actions/units/{made["social"]}"')):
        reply = other.get(url)
        assert reply.status_code == 200 and theirs not in reply.get_data(as_text=True)
    before = snapshot(app)
    # the owner's unit and goal are not choices for the other organisation
    reply = other.post_form("/actions/new", {"title_sv": "Kapad", "unit_id": made["social"],
                                             "starts_on": "2025-01-01"})
    assert reply.status_code == 400
    reply = other.post_form("/actions/new", {"title_sv": "Kapad", "starts_on": "2025-01-01",
                                             "goals": [made["middle"]]})
    assert reply.status_code == 400
    assert snapshot(app) == before
