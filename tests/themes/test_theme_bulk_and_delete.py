"""Tagging several statements or answers with one theme at once, or taking it off them (all
or nothing, refusals in words with nothing changed), deleting a theme after a confirmation
(its tags and links go, what they pointed at stays), and districts by the organisation's
names on a theme's page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from dialog.models import Event, Participant, Statement, StatementStatus
from surveys.actions import services as action_services
from surveys.actions.models import Action, ActionLink, UnitKind
from surveys.auth.models import User
from surveys.extensions import db
from surveys.followup.models import Goal
from surveys.survey.models import Answer, Question
from surveys.themes import queries, services
from surveys.themes.models import (
    Series,
    Theme,
    answer_themes,
    statement_themes,
    theme_goals,
)
from tests.support.dialog import make_event
from tests.support.themes import build_world
from tests.support.web import page_text, send_twice_at_once


def english(make_client):
    client = make_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def new_theme(app, org, sv: str, **names) -> int:
    with app.app_context():
        theme = services.create_theme(org.id, {"sv": sv, **names})
        db.session.commit()
        return theme.id


def tags(app) -> set[tuple[str, int, int]]:
    with app.app_context():
        return ({("s", s, t) for s, t in db.session.execute(select(statement_themes))}
                | {("a", a, t) for a, t in db.session.execute(select(answer_themes))})


# -- several at once ----------------------------------------------------------------------------
def test_one_theme_is_added_to_the_ticked_statements_and_a_repeat_changes_nothing(
        app, make_org, make_client, login):
    org = make_org()
    world = build_world(app, org, writers=4, answers=0)
    theme_id = new_theme(app, org, "Belysning", en="Lighting")
    other_id = new_theme(app, org, "Lekplatser")
    client = login(english(make_client), org, "analyst")
    first, second, third, fourth = world["statements"]
    url = f"/themes/events/{world['event']}/tag"
    page = client.get(f"/themes/events/{world['event']}?lang=en").get_data(as_text=True)
    # the boxes belong to the one bulk form; each statement keeps its own form too
    assert len(re.findall(r'form="bulk-tag" name="statements"', page)) == 4
    assert 'id="bulk-tag"' in page and page.count('name="csrf_token"') == 6
    client.post_form(f"/themes/statements/{first}", {"themes": [other_id]})
    sent = client.post_form(url, {"theme": theme_id, "statements": [first, second, second]})
    assert sent.status_code == 302
    shown = page_text(client.get(sent.headers["Location"]))
    assert "The theme Lighting was added to 2 statements." in shown
    assert tags(app) == {("s", first, other_id), ("s", first, theme_id),
                         ("s", second, theme_id)}
    # the same form again (a double tap): a 409 in words, nothing changed, ticks kept
    again = client.post_form(url, {"theme": theme_id, "statements": [first, second]})
    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert "Every statement you ticked already has the theme Lighting." in page_text(again)
    assert re.search(rf'name="statements" value="{first}" checked', page)
    assert re.search(rf'<option value="{theme_id}" selected>', page)
    assert tags(app) == {("s", first, other_id), ("s", first, theme_id),
                         ("s", second, theme_id)}
    # one new among old ones: only the new one gains it
    sent = client.post_form(url, {"theme": theme_id, "statements": [second, third]})
    assert "was added to 1 statement." in page_text(client.get(sent.headers["Location"]))
    assert ("s", third, theme_id) in tags(app) and ("s", fourth, theme_id) not in tags(app)


def test_bad_bulk_requests_are_refused_in_words_and_change_nothing(
        app, make_org, make_client, login):
    org, stranger = make_org(), make_org()
    world = build_world(app, org, writers=2, answers=0)
    theme_id = new_theme(app, org, "Belysning")
    foreign_id = new_theme(app, stranger, "Fritid")
    with app.app_context():
        elsewhere = make_event(org.id)
        from dialog import services as dialog_services
        from dialog.models import StatementSource

        other_statement = dialog_services.add_staff_statement(
            elsewhere, elsewhere.prompts[0], "Annan kväll", "sv", StatementSource.facilitator)
        waiting = db.session.get(Statement, world["statements"][1])
        waiting.status = StatementStatus.pending
        db.session.commit()
        other_id = other_statement.id
    client = login(english(make_client), org, "facilitator")
    url = f"/themes/events/{world['event']}/tag"
    mine = world["statements"][0]
    for form, status, message in [
        ({"theme": theme_id}, 400, "Tick at least one statement to tag."),
        ({"theme": foreign_id, "statements": [mine]}, 400,
         "Choose among the organisation's themes."),
        ({"theme": "99999999999", "statements": [mine]}, 400,
         "Choose among the organisation's themes."),
        ({"theme": "", "statements": [mine]}, 400, "Choose among the organisation's themes."),
        ({"theme": [theme_id, theme_id + 1], "statements": [mine]}, 400,
         "Choose among the organisation's themes."),
        ({"theme": theme_id, "statements": [mine, other_id]}, 400,
         "Choose among the statements listed on this page."),
        ({"theme": theme_id, "statements": [mine, world["statements"][1]]}, 400,
         "Choose among the statements listed on this page."),  # waits for a moderator
        ({"theme": theme_id, "statements": [mine, "x" * 30]}, 400,
         "Choose among the statements listed on this page."),
        ({"theme": theme_id, "statements": ["-1"]}, 400,
         "Choose among the statements listed on this page."),
    ]:
        sent = client.post_form(url, form)
        assert sent.status_code == status, form
        assert message in page_text(sent), form
        assert 'role="alert"' in sent.get_data(as_text=True)
        assert tags(app) == set(), form
    # without the form's token nothing happens either
    assert client.post(url, data={"theme": theme_id, "statements": [mine]}).status_code == 400
    # another organisation's event is not found
    theirs = login(english(make_client), stranger, "facilitator")
    assert theirs.post_form(url, {"theme": foreign_id, "statements": [mine]}).status_code \
        == 404
    assert tags(app) == set()


def test_one_theme_is_added_to_the_ticked_answers(app, make_org, make_client, login):
    org, stranger = make_org(), make_org()
    world = build_world(app, org, writers=0, answers=3)
    theme_id = new_theme(app, org, "Belysning")
    foreign_id = new_theme(app, stranger, "Fritid")
    with app.app_context():
        gender = db.session.scalar(select(Answer.id).join(Question).where(
            Question.key == "gender"))
        assert gender is not None
    client = login(english(make_client), org, "analyst")
    url = f"/themes/surveys/{world['survey']}/tag"
    page = client.get(f"/themes/surveys/{world['survey']}").get_data(as_text=True)
    assert len(re.findall(r'form="bulk-tag" name="answers"', page)) == 3
    first, second, _third = world["answers"]
    assert client.post_form(url, {"theme": theme_id, "answers": []}).status_code == 400
    assert client.post_form(url, {"theme": foreign_id,
                                  "answers": [first]}).status_code == 400
    refused = client.post_form(url, {"theme": theme_id, "answers": [first, gender]})
    assert refused.status_code == 400  # not a free-text answer: not on the page
    assert "Choose among the answers listed on this page." in page_text(refused)
    assert tags(app) == set()
    sent = client.post_form(url, {"theme": theme_id, "answers": [first, second]})
    assert sent.status_code == 302
    assert "was added to 2 answers." in page_text(client.get(sent.headers["Location"]))
    assert tags(app) == {("a", first, theme_id), ("a", second, theme_id)}
    again = client.post_form(url, {"theme": theme_id, "answers": [second, first]})
    assert again.status_code == 409
    assert "Every answer you ticked already has the theme Belysning." in page_text(again)
    assert tags(app) == {("a", first, theme_id), ("a", second, theme_id)}


def test_one_theme_is_taken_off_the_ticked_statements_and_answers_and_only_that_theme(
        app, make_org, make_client, login):
    org = make_org()
    world = build_world(app, org, writers=3, answers=2)
    theme_id = new_theme(app, org, "Belysning", en="Lighting")
    kept_id = new_theme(app, org, "Lekplatser")
    client = login(english(make_client), org, "facilitator")
    first, second, third = world["statements"]
    statements = f"/themes/events/{world['event']}/tag"
    client.post_form(statements, {"theme": theme_id, "statements": [first, second]})
    client.post_form(statements, {"theme": kept_id, "statements": [first]})
    page = client.get(f"/themes/events/{world['event']}").get_data(as_text=True)
    assert 'name="change" value="remove"' in page
    # ticked: one with the theme, one without; only the one that had it loses it
    sent = client.post_form(statements, {"theme": theme_id, "statements": [first, third],
                                         "change": "remove"})
    assert sent.status_code == 302
    assert "The theme Lighting was removed from 1 statement." in page_text(
        client.get(sent.headers["Location"]))
    assert tags(app) == {("s", first, kept_id), ("s", second, theme_id)}
    # again (a double tap): a 409 in words, nothing changed, the ticks kept
    again = client.post_form(statements, {"theme": theme_id, "statements": [first, third],
                                          "change": "remove"})
    assert again.status_code == 409
    assert "None of the statements you ticked has the theme Lighting." in page_text(again)
    assert re.search(rf'name="statements" value="{third}" checked', again.get_data(as_text=True))
    # a change that is neither adding nor removing
    odd = client.post_form(statements, {"theme": theme_id, "statements": [second],
                                        "change": "swap"})
    assert odd.status_code == 400
    assert "Choose whether to add the theme or to remove it." in page_text(odd)
    assert tags(app) == {("s", first, kept_id), ("s", second, theme_id)}
    # the answers' page works the same way
    answers = f"/themes/surveys/{world['survey']}/tag"
    one, two = world["answers"]
    client.post_form(answers, {"theme": theme_id, "answers": [one, two]})
    sent = client.post_form(answers, {"theme": theme_id, "answers": [one, two],
                                      "change": "remove"})
    assert "The theme Lighting was removed from 2 answers." in page_text(
        client.get(sent.headers["Location"]))
    refused = client.post_form(answers, {"theme": theme_id, "answers": [one],
                                         "change": "remove"})
    assert refused.status_code == 409
    assert "None of the answers you ticked has the theme Lighting." in page_text(refused)
    assert tags(app) == {("s", first, kept_id), ("s", second, theme_id)}


# -- deleting -----------------------------------------------------------------------------------
def test_deleting_a_theme_takes_its_tags_and_links_and_keeps_everything_else(
        app, make_org, make_client, login):
    org = make_org()
    world = build_world(app, org)
    theme_id = new_theme(app, org, "Belysning", en="Lighting")
    kept_id = new_theme(app, org, "Lekplatser")
    with app.app_context():
        theme, kept = db.session.get(Theme, theme_id), db.session.get(Theme, kept_id)
        goals = [db.session.get(Goal, g) for g in world["goals"]]
        services.set_goals(theme, goals)
        services.set_goals(kept, goals[:1])
        event = db.session.get(Event, world["event"])
        services.tag_statements(event, world["statements"], theme)
        services.tag_statements(event, world["statements"][:1], kept)
        from surveys.survey.models import Survey

        services.tag_answers(db.session.get(Survey, world["survey"]), world["answers"], theme)
        series = services.create_series(org.id, {"sv": "Rådet"})
        services.add_event(series, event)
        unit = action_services.create_unit(org.id, "Tekniska nämnden", UnitKind.committee)
        analyst = db.session.scalar(select(User).where(User.organisation_id == org.id,
                                                       User.role == "analyst"))
        action = action_services.create_action(
            org.id, analyst, title={"sv": "Nya lampor"}, description={}, unit=unit,
            contact_name="", contact="", starts_on=date(2026, 1, 1), ends_on=None, goals=[],
            indicators=[], links={"theme": [theme_id, kept_id]})
        db.session.commit()
        action_id, series_id = action.id, series.id
        assert [t.theme_id for t in queries.raised_about_goals(
            org.id, world["framework"], 2026, "sv")[0].themes] == [theme_id, kept_id]
    analyst = login(english(make_client), org, "analyst")
    assert analyst.get(f"/themes/{theme_id}/delete").status_code == 403
    assert analyst.post_form(f"/themes/{theme_id}/delete").status_code == 403
    assert "Delete the theme" not in page_text(analyst.get(f"/themes/{theme_id}"))
    client = login(english(make_client), org, "facilitator")
    assert f"/themes/{theme_id}/delete" in client.get(f"/themes/{theme_id}").get_data(
        as_text=True)
    before = tags(app)
    confirm = client.get(f"/themes/{theme_id}/delete?lang=en")
    assert confirm.status_code == 200 and tags(app) == before  # a look changes nothing
    words = page_text(confirm)
    for said in ("its tags on 7 statements", "its tags on 6 free-text answers",
                 "its links to 2 goals", "the link from 1 action that says it answers the theme",
                 "are kept"):
        assert said in words, said
    assert client.post(f"/themes/{theme_id}/delete").status_code == 400  # no CSRF token
    sent = client.post_form(f"/themes/{theme_id}/delete")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/themes/")
    assert "The theme Lighting was deleted." in page_text(client.get("/themes/"))
    assert tags(app) == {("s", world["statements"][0], kept_id)}
    with app.app_context():
        assert db.session.get(Theme, theme_id) is None
        assert db.session.get(Theme, kept_id) is not None
        assert set(db.session.execute(select(theme_goals)).all()) == {
            (kept_id, world["goals"][0])}
        # what the tags and links pointed at stays
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 7
        assert db.session.scalar(select(func.count()).select_from(Answer).where(
            Answer.id.in_(world["answers"]))) == 6
        assert db.session.scalar(select(func.count()).select_from(Goal).where(
            Goal.id.in_(world["goals"]))) == 2
        assert db.session.get(Action, action_id) is not None
        assert [(link.kind, link.target_id) for link in db.session.scalars(
            select(ActionLink))] == [("theme", kept_id)]
        # the report and the series know only the theme that is left
        raised = queries.raised_about_goals(org.id, world["framework"], 2026, "sv")
        assert [[t.theme_id for t in g.themes] for g in raised] == [[kept_id]]
        course = queries.series_course(db.session.get(Series, series_id))
        assert [t.id for t, _n in course[0].themes] == [kept_id]
    assert "Lighting" not in page_text(client.get(f"/series/{series_id}?lang=en"))
    # sent twice: the theme is gone, said in words
    twice = client.post_form(f"/themes/{theme_id}/delete")
    assert twice.status_code == 404
    assert "There is no such theme. It may have been deleted already." in page_text(twice)
    assert client.get(f"/themes/{theme_id}/delete").status_code == 404


def test_another_organisation_cannot_delete_a_theme(app, make_org, make_client, login):
    org, stranger = make_org(), make_org()
    theme_id = new_theme(app, org, "Belysning")
    theirs = login(english(make_client), stranger, "facilitator")
    assert theirs.get(f"/themes/{theme_id}/delete").status_code == 404
    refused = theirs.post_form(f"/themes/{theme_id}/delete")
    assert refused.status_code == 404
    for bad in ("0", "99999999999"):
        assert theirs.post_form(f"/themes/{bad}/delete").status_code == 404
    with app.app_context():
        assert db.session.get(Theme, theme_id) is not None


# -- districts by name --------------------------------------------------------------------------
def test_a_themes_page_names_districts_as_the_check_in_does(app, make_org, make_client, login):
    org = make_org()
    world = build_world(app, org, writers=6, answers=0)
    theme_id = new_theme(app, org, "Belysning")
    with app.app_context():
        for number, statement_id in enumerate(world["statements"]):
            writer = db.session.get(Statement, statement_id).participant_id
            db.session.get(Participant, writer).district = "soder" if number < 5 else "1480X"
        services.tag_statements(db.session.get(Event, world["event"]), world["statements"],
                                db.session.get(Theme, theme_id))
        db.session.commit()
    client = login(english(make_client), org, "analyst")
    page = client.get(f"/themes/{theme_id}?lang=en").get_data(as_text=True)
    district = page.split('id="group-district"')[1].split("</table>")[0]
    assert "Söder (south)" in district and ">soder<" not in district
    assert "1480X" in district  # a category without a name is shown as it is
    swedish = client.get(f"/themes/{theme_id}?lang=sv").get_data(as_text=True)
    assert "Söder" in swedish.split('id="group-district"')[1].split("</table>")[0]


@pytest.mark.postgres  # the PostgreSQL pass runs it; a local SQLite run skips it
def test_a_bulk_form_sent_twice_at_once_tags_once_and_answers_409(
        app, make_org, make_client, login):
    """Two sends of one bulk form at once: PostgreSQL locks the theme, so the second reads
    the tags only once the first has committed them."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    org = make_org()
    world = build_world(app, org, writers=3, answers=0)
    theme_id = new_theme(app, org, "Belysning")
    client = login(english(make_client), org, "facilitator")
    twin = make_client()
    twin.set_cookie("session", client.get_cookie("session").value)
    form = {"theme": theme_id, "statements": world["statements"],
            "csrf_token": client.csrf_token()}
    url = f"/themes/events/{world['event']}/tag"
    replies = send_twice_at_once(engine, "themes", client, twin, url, form)
    assert sorted(r.status_code for r in replies) == [302, 409]
    assert tags(app) == {("s", s, theme_id) for s in world["statements"]}
