"""Several frameworks per organisation: goal trees of any depth, moved but never into a
circle, reordered, renamed in every language, archived, and never deleted while indicators,
values or actions hang on them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveys.core.i18n import LANGUAGES
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.followup.models import Framework, Goal, IndicatorDefinition, goal_indicators
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


def goal(app, goal_id: int) -> Goal:
    with app.app_context():
        found = db.session.get(Goal, goal_id)
        db.session.expunge(found)
        return found


def test_goals_nest_to_any_depth_and_the_page_shows_the_tree(app, analyst, made):
    assert analyst.post_form("/followup/goals/new", {
        "parent": f"goal:{made['bottom']}", "title_sv": "Nivå 4"}).status_code == 302
    html = analyst.get(f"/followup/frameworks/{made['framework']}").get_data(as_text=True)
    # each level is a list inside the item of the level above
    nested = re.search(r"Nivå 1<.*?<ul class=\"goal-tree\">.*?Nivå 2<.*?"
                       r"<ul class=\"goal-tree\">.*?Nivå 3<.*?<ul class=\"goal-tree\">"
                       r".*?Nivå 4<", html, re.DOTALL)
    assert nested
    with app.app_context():
        deepest = db.session.scalar(select(Goal).where(Goal.title["sv"].as_string() == "Nivå 4"))
        assert deepest.parent.parent.parent.id == made["top"]


def test_a_goal_cannot_be_moved_under_itself_or_its_own_sub_goals(app, analyst, made):
    before = snapshot(app)
    for target in (made["top"], made["bottom"]):
        reply = analyst.post_form(f"/followup/goals/{made['top']}/parent",
                                  {"parent": f"goal:{target}"})
        assert reply.status_code == 409
        assert ("A goal cannot be put under itself or under one of its own sub-goals."
                in text(reply))
    assert snapshot(app) == before
    # a legal move carries the sub-goals along, into another focus area
    with app.app_context():
        other_area = db.session.get(Framework, made["framework"]).focus_areas[2].id
    assert analyst.post_form(f"/followup/goals/{made['middle']}/parent",
                             {"parent": f"area:{other_area}"}).status_code == 302
    moved, below = goal(app, made["middle"]), goal(app, made["bottom"])
    assert moved.parent_id is None and moved.focus_area_id == other_area
    assert below.parent_id == made["middle"] and below.focus_area_id == other_area


def test_goals_focus_areas_and_frameworks_are_reordered(app, analyst, made, org):
    with app.app_context():
        area = db.session.get(Framework, made["framework"]).focus_areas[0]
        first, second = [g.id for g in area.goals if g.parent_id is None][:2]
    analyst.post_form(f"/followup/goals/{first}/move", {"direction": "down"})
    assert goal(app, first).position > goal(app, second).position
    analyst.post_form(f"/followup/focus-areas/{made['area']}/move", {"direction": "down"})
    with app.app_context():
        keys = [a.key for a in db.session.get(Framework, made["framework"]).focus_areas]
    assert keys[1] == "inclusion_trust"
    reply = analyst.post_form("/followup/frameworks/", {"title_sv": "Program för social "
                              "hållbarhet", "source": "empty"})
    assert reply.status_code == 302
    second_id = int(reply.headers["Location"].rsplit("/", 1)[1])
    analyst.post_form(f"/followup/frameworks/{second_id}/move", {"direction": "up"})
    page = text(analyst.get("/followup/frameworks/"))
    assert page.index("Program för social hållbarhet") < page.index(
        "Follow-up of trust and participation")


def test_a_framework_is_renamed_in_every_language(app, analyst, made):
    titles = {f"title_{code.replace('-', '_')}": f"Titel {code}" for code in LANGUAGES}
    url = f"/followup/frameworks/{made['framework']}/title"
    assert analyst.post_form(url, {**titles, "title_sv": ""}).status_code == 400
    assert analyst.post_form(url, titles).status_code == 302
    with app.app_context():
        assert db.session.get(Framework, made["framework"]).title == {
            code: f"Titel {code}" for code in LANGUAGES}
    assert "Titel ar" in analyst.get(f"/followup/frameworks/{made['framework']}?lang=ar"
                                     ).get_data(as_text=True)


def test_a_second_framework_from_the_template_reuses_the_indicators(app, analyst, made):
    reply = analyst.post_form("/followup/frameworks/", {
        "title_sv": "Social hållbarhet", "source": "template"})
    assert reply.status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(IndicatorDefinition)).all()) == 14  # none copied
        second = db.session.scalar(select(Framework).where(Framework.is_default.is_(False)))
        assert second.title == {"sv": "Social hållbarhet"} and second.slug != "kommun"
        links = db.session.execute(select(goal_indicators)).all()
        assert len(links) == 14  # every template indicator followed by a goal of the second
        linked_goal = next(g for a in second.focus_areas for g in a.goals if g.linked_indicators)
        goal_id = linked_goal.id
    # the goal's page shows the reused indicator beside the ones defined under it (none)
    page = text(analyst.get(f"/actions/goals/{goal_id}?lang=en"))
    assert "The goal's indicators" in page and "No indicators yet." not in page


def test_what_hangs_on_a_goal_or_framework_keeps_it(app, analyst, made, org):
    before = snapshot(app)
    checks = [
        # actions serve the middle goal, the top has a sub-goal, the template goal indicators
        (f"/followup/goals/{made['middle']}/delete", "sub-goals or actions can be deleted"),
        (f"/followup/goals/{made['top']}/delete", "sub-goals or actions can be deleted"),
        (f"/followup/focus-areas/{made['area']}/delete", "Only a focus area without goals"),
        (f"/followup/frameworks/{made['framework']}/archive", "default framework"),
        (f"/followup/frameworks/{made['framework']}/delete", "default framework"),
    ]
    for url, words in checks:
        reply = analyst.post_form(url)
        assert reply.status_code == 409, url
        assert words in text(reply), url
    assert snapshot(app) == before
    # archiving keeps everything: the goal and its actions stay, only marked
    assert analyst.post_form(f"/followup/goals/{made['middle']}/archive").status_code == 302
    assert goal(app, made["middle"]).archived_at is not None
    assert goal(app, made["bottom"]).archived_at is not None
    page = text(analyst.get(f"/actions/goals/{made['middle']}?lang=en"))
    assert "This goal is archived" in page and "Åtgärd social" in page
    # a framework whose goal has an action: archived, not deleted
    reply = analyst.post_form("/followup/frameworks/", {"title_sv": "Andra", "source": "empty"})
    second = int(reply.headers["Location"].rsplit("/", 1)[1])
    analyst.post_form(f"/followup/frameworks/{second}/areas/new", {"title_sv": "Område"})
    with app.app_context():
        area_id = db.session.get(Framework, second).focus_areas[0].id
    analyst.post_form("/followup/goals/new", {"parent": f"area:{area_id}", "title_sv": "Mål"})
    with app.app_context():
        new_goal = db.session.get(Framework, second).focus_areas[0].goals[0].id
    assert analyst.post_form(f"/actions/{made['social_action']}/edit", {
        "title_sv": "Åtgärd social", "unit_id": made["social"], "starts_on": "2025-01-01",
        "goals": [made["middle"], new_goal]}).status_code == 302
    assert analyst.post_form(f"/followup/frameworks/{second}/archive").status_code == 302
    reply = analyst.post_form(f"/followup/frameworks/{second}/delete")
    assert reply.status_code == 409 and "Only a framework without" in text(reply)
    page = text(analyst.get("/followup/frameworks/?lang=en"))
    assert "Archived frameworks" in page and "Andra" in page
    with app.app_context():
        assert db.session.get(Framework, second).archived_at is not None


def test_the_default_framework_keeps_its_api_and_pages(app, analyst, made):
    """The old addresses follow the default framework; a second one changes nothing there."""
    analyst.post_form("/followup/frameworks/", {"title_sv": "Andra", "source": "template"})
    assert analyst.get("/followup/structure").status_code == 200
    page = text(analyst.get("/followup/?lang=en"))
    assert "Follow-up of trust and participation" in page
    with app.app_context():
        default = db.session.scalar(select(Framework).where(Framework.is_default))
        assert default.id == made["framework"]


def test_an_indicator_under_a_deep_goal_shows_on_the_dashboard_and_in_the_api(
        app, analyst, made):
    with app.app_context():
        framework = db.session.get(Framework, made["framework"])
        framework.published = True
        db.session.get(IndicatorDefinition, made["indicator"]).goal_id = made["bottom"]
        db.session.commit()
        slug = framework.slug
    html = analyst.get("/followup/areas/inclusion_trust?lang=en").get_data(as_text=True)
    assert re.search(r'<h4 id="goal-%d">Sub-goal: .*?Nivå 3.*?<h5 id="ind-tillit_manniskor">'
                     % made["bottom"], html, re.DOTALL)
    structure = analyst.get(f"/api/v1/frameworks/{slug}").get_json()
    area = structure["focus_areas"][0]
    top = next(g for g in area["goals"] if g["id"] == made["top"])
    assert top["subgoals"][0]["subgoals"][0] == {
        "id": made["bottom"], "title": {"sv": "Nivå 3"}, "indicators": ["tillit_manniskor"],
        "subgoals": []}
