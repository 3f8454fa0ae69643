"""Action plans: dates checked, a dated status history, units that keep their actions, unit
reporters who see only their own unit's actions, and links to dialogue events."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from surveys.actions.models import Action, ActionStatus, Unit
from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.extensions import db
from tests.support.dialog import create_event
from tests.support.manage import snapshot, staff
from tests.support.strategy import build
from tests.support.web import page_text as text


@pytest.fixture
def org(make_org):
    return make_org()


@pytest.fixture
def made(app, org):
    return build(app, org)


@pytest.fixture
def analyst(client, login, org):
    return staff(client, login, org, Role.analyst)


@pytest.fixture
def reporter(make_client, login, org):
    return staff(make_client(), login, org, Role.unit_reporter)


def action_form(made, **changes) -> dict:
    return {"title_sv": "Läxhjälp på biblioteket", "title_ar": "مساعدة في الواجبات",
            "unit_id": made["social"], "contact_name": "Sara", "contact": "sara@example.se",
            "starts_on": "2026-02-01", "ends_on": "2026-12-31", "goals": [made["middle"]],
            "indicators": [made["indicator"]], **changes}


def stored(app, action_id: int) -> Action:
    with app.app_context():
        action = db.session.get(Action, action_id)
        history = [(u.on_date, u.status, u.comment) for u in action.updates]
        db.session.expunge(action)
        action.history = history
        return action


def test_an_action_whose_end_is_before_its_start_is_refused_and_nothing_is_saved(
        app, analyst, made):
    before = snapshot(app)
    reply = analyst.post_form("/actions/new", action_form(made, ends_on="2026-01-15"))
    assert reply.status_code == 400
    page = text(reply)
    assert "The end (" in page and ") is before the start (" in page
    assert 'value="Läxhjälp på biblioteket"' in reply.get_data(as_text=True)  # kept
    reply = analyst.post_form("/actions/new", action_form(made, starts_on="31/12"))
    assert reply.status_code == 400 and "Write a date, e.g. 2026-03-31." in text(reply)
    assert snapshot(app) == before
    reply = analyst.post_form("/actions/new", action_form(made))
    assert reply.status_code == 302
    action = stored(app, int(reply.headers["Location"].rsplit("/", 1)[1]))
    assert action.title == {"sv": "Läxhjälp på biblioteket", "ar": "مساعدة في الواجبات"}
    assert (action.starts_on, action.ends_on) == (date(2026, 2, 1), date(2026, 12, 31))
    # planned as of today, or as of its start when that came first
    assert action.history == [(min(utcnow().date(), date(2026, 2, 1)), ActionStatus.planned, "")]


def test_status_updates_make_a_dated_history_and_the_latest_counts(app, analyst, made):
    url = f"/actions/{made['social_action']}/status"
    today = utcnow().date()
    assert analyst.post_form(url, {"status": "started", "on_date": "2025-03-01",
                                   "comment": "Första gruppen i gång."}).status_code == 302
    assert analyst.post_form(url, {"status": "done", "on_date": "2025-11-30",
                                   "comment": "Klart."}).status_code == 302
    # written down later, about an earlier day: history in date order, status stays done
    assert analyst.post_form(url, {"status": "started", "on_date": "2025-06-01",
                                   "comment": "Halvvägs."}).status_code == 302
    action = stored(app, made["social_action"])
    assert action.status is ActionStatus.done
    assert [h[:2] for h in action.history] == [
        (date(2025, 11, 30), ActionStatus.done), (date(2025, 6, 1), ActionStatus.started),
        (date(2025, 3, 1), ActionStatus.started), (date(2025, 1, 1), ActionStatus.planned)]
    before = snapshot(app)
    future = (today + timedelta(days=3)).isoformat()
    refusals = [({"status": "started", "on_date": future}, "cannot be in the future"),
                ({"status": "done", "on_date": "2024-12-01"}, "only “planned” can be reported"),
                ({"status": "finished"}, "Not a valid choice"),
                ({"status": "done", "comment": "x" * 501}, "Comment")]
    for data, words in refusals:
        reply = analyst.post_form(url, data)
        assert reply.status_code == 400 and words in text(reply), data
    assert snapshot(app) == before
    page = text(analyst.get(f"/actions/{made['social_action']}?lang=en"))
    assert "Status history" in page and "Halvvägs." in page
    assert page.index("Klart.") < page.index("Halvvägs.") < page.index("Första gruppen")


def test_a_unit_reporter_sees_and_updates_only_its_units_actions(app, reporter, made):
    listed = text(reporter.get("/actions/?lang=en"))
    assert "Åtgärd social" in listed and "Åtgärd housing" not in listed
    mine, theirs = made["social_action"], made["housing_action"]
    assert reporter.get(f"/actions/{mine}").status_code == 200
    assert reporter.post_form(f"/actions/{mine}/status", {
        "status": "started", "comment": "Vi har börjat."}).status_code == 302
    before = snapshot(app)
    for url in (f"/actions/{theirs}", f"/actions/{theirs}/edit",
                f"/actions/units/{made['housing']}"):
        assert reporter.get(url).status_code == 404, url
    for url in (f"/actions/{theirs}/status", f"/actions/{theirs}/edit"):
        assert reporter.post_form(url, {"status": "done", "title_sv": "Kapad",
                                        "unit_id": made["housing"],
                                        "starts_on": "2025-01-01"}).status_code == 404, url
    # nor may it give its own action to another unit, or manage units and frameworks
    reply = reporter.post_form(f"/actions/{mine}/edit", {
        "title_sv": "Flyttad", "unit_id": made["housing"], "starts_on": "2025-01-01"})
    assert reply.status_code == 400
    for url in ("/actions/units/", f"/actions/units/{made['social']}/edit",
                f"/actions/goals/{made['middle']}", "/followup/frameworks/", "/followup/",
                "/manage/"):
        assert reporter.get(url).status_code == 403, url
    assert reporter.post_form(f"/actions/units/{made['social']}/delete").status_code == 403
    assert snapshot(app) == before
    # its unit's summary for the committee works, printable without script
    summary = reporter.get(f"/actions/units/{made['social']}?lang=en")
    html = summary.get_data(as_text=True)
    assert summary.status_code == 200 and "<script" not in html
    assert "Actions of Socialnämnden" in text(summary) and "Vi har börjat." in text(summary)


def test_a_unit_that_owns_actions_is_not_deleted(app, analyst, made):
    before = snapshot(app)
    reply = analyst.post_form(f"/actions/units/{made['housing']}/delete")
    assert reply.status_code == 409
    assert ("Actions owned by Bostadsbolaget AB: 1. A unit that owns actions cannot be "
            "deleted: give them to another unit first.") in text(reply)
    assert snapshot(app) == before
    assert analyst.post_form(f"/actions/{made['housing_action']}/edit", action_form(
        made, title_sv="Åtgärd housing")).status_code == 302
    assert analyst.post_form(f"/actions/units/{made['housing']}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Unit, made["housing"]) is None
        assert db.session.get(Action, made["housing_action"]).unit_id == made["social"]
    reply = analyst.post_form("/actions/units/", {"name": "socialnämnden", "kind": "committee"})
    assert reply.status_code == 400 and "already has a unit called" in text(reply)


def test_admins_choose_the_units_reporters_among_unit_reporters_only(
        app, client, login, org, made):
    admin = staff(client, login, org, Role.admin)
    with app.app_context():
        from surveys.auth.models import User

        users = {u.role: u.id for u in db.session.scalars(
            select(User).where(User.organisation_id == org.id))}
    url = f"/actions/units/{made['housing']}/reporters"
    assert admin.post_form(url, {"reporters": [users[Role.analyst]]}).status_code == 400
    assert admin.post_form(url, {"reporters": [users[Role.unit_reporter]]}).status_code == 302
    with app.app_context():
        assert [u.id for u in db.session.get(Unit, made["housing"]).reporters] == [
            users[Role.unit_reporter]]


def test_an_action_links_to_its_organisations_dialogue_events_only(
        app, analyst, made, org, make_org):
    ours = create_event(app, org)
    theirs = create_event(app, make_org())
    reply = analyst.post_form("/actions/new", action_form(
        made, links=[f"dialogue_event:{theirs['id']}"]))
    assert reply.status_code == 400
    reply = analyst.post_form("/actions/new", action_form(
        made, links=[f"dialogue_event:{ours['id']}"]))
    assert reply.status_code == 302
    html = analyst.get(reply.headers["Location"]).get_data(as_text=True)
    assert f'href="/dialog/events/{ours["id"]}"' in html


def test_a_goal_shows_its_actions_status_and_effect_indicators_side_by_side(
        app, analyst, made):
    analyst.post_form(f"/actions/{made['social_action']}/status", {"status": "started"})
    page = text(analyst.get(f"/actions/goals/{made['middle']}?lang=en"))
    row = re.search(r"Åtgärd social Socialnämnden Started .*? Trust in other people", page)
    assert row, page
    assert "Åtgärd housing Bostadsbolaget AB Planned" in page
