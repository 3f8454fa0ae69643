"""Themes: names, tagging statements and free-text answers, counts with small cells hidden,
links to goals and actions, what the yearly report gets; series and carrying over."""

from __future__ import annotations

from sqlalchemy import func, select

from dialog.models import Event, EventStatus, Statement, StatementTranslation, TranslationStatus
from surveys.actions.links import KINDS
from surveys.extensions import db
from surveys.themes import queries, services
from surveys.themes.models import Series, Theme, statement_themes
from tests.support.dialog import make_event
from tests.support.themes import build_world


def _english(make_client):
    """A browser that prefers English, so the tests can read the interface's own words."""
    client = make_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _theme(client, sv: str, **others) -> object:
    return client.post_form("/themes/", {"name_sv": sv, **{f"name_{k}": v
                                                          for k, v in others.items()}})


def _theme_id(app, org, sv: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Theme.id).where(Theme.organisation_id == org.id,
                                                        Theme.key == sv.casefold()))


def test_a_theme_has_a_name_per_language_and_a_duplicate_is_refused(
        app, make_org, make_client, login):
    org = make_org()
    client = login(_english(make_client), org, "analyst")
    assert _theme(client, "Trygghet", en="Safety", ar="الأمان").status_code == 302
    refused = _theme(client, "  trygghet ", en="Safety at night")
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "already has a theme called trygghet" in page
    assert 'value="Safety at night"' in page  # what was written comes back, nothing lost
    assert _theme(client, "Belysning", en="safety").status_code == 409  # English clash
    assert _theme(client, "", en="Only English").status_code == 400
    assert _theme(client, "x" * 101).status_code == 400
    with app.app_context():
        themes = queries.themes(org.id)
        assert [t.name for t in themes] == [{"sv": "Trygghet", "en": "Safety", "ar": "الأمان"}]
    # Another organisation may use the same name.
    other = login(_english(make_client), make_org(), "facilitator")
    assert _theme(other, "Trygghet").status_code == 302
    # The interface shows the name in the reader's language, else in Swedish.
    listed = client.get("/themes/?lang=ar").get_data(as_text=True)
    assert "الأمان" in listed
    assert '<span lang="sv" dir="ltr">Trygghet</span>' in client.get(
        "/themes/?lang=uk").get_data(as_text=True)


def test_tagging_counts_by_group_and_hides_small_counts(app, make_org, make_client, login):
    org = make_org()
    world = build_world(app, org)
    client = login(_english(make_client), org, "facilitator")
    _theme(client, "Belysning")
    theme_id = _theme_id(app, org, "Belysning")
    for statement in world["statements"]:
        sent = client.post_form(f"/themes/statements/{statement}", {"themes": [theme_id]})
        assert sent.status_code == 302
    analyst = login(_english(make_client), org, "analyst")
    for answer in world["answers"]:
        assert analyst.post_form(f"/themes/answers/{answer}",
                                 {"themes": [theme_id]}).status_code == 302
    with app.app_context():
        theme = db.session.get(Theme, theme_id)
        said = queries.statements_by_group(theme)
        assert said["gender"] == {"kvinna": 5, "man": 2}
        assert said["age"] == {"16-29": 7} and said["district"] == {"": 7}
        answered = queries.answers_by_group(theme)
        assert answered["gender"] == {"kvinna": 6}
        assert queries.theme_totals(org.id)[theme_id] == (7, 6)
        assert [(c.event.id, c.statements) for c in queries.statements_by_event(theme)] == [
            (world["event"], 7)]
        assert queries.answers_by_year(theme) == [(2026, 6)]
    page = client.get(f"/themes/{theme_id}?lang=en").get_data(as_text=True)
    women = page.split("<th scope=\"row\">Woman</th>")[1].split("</tr>")[0]
    men = page.split("<th scope=\"row\">Man</th>")[1].split("</tr>")[0]
    assert ">5<" in women and ">6<" in women
    assert "fewer than 5" in men and ">2<" not in men
    # Untagging: an empty choice removes the themes.
    assert client.post_form(f"/themes/statements/{world['statements'][0]}",
                            {}).status_code == 302
    with app.app_context():
        assert queries.theme_totals(org.id)[theme_id] == (6, 6)


def test_the_answers_page_shows_no_respondent_identity(app, make_org, make_client, login):
    org = make_org()
    world = build_world(app, org, answers=2)
    client = login(_english(make_client), org, "analyst")
    page = client.get(f"/themes/surveys/{world['survey']}?lang=en").get_data(as_text=True)
    assert "Bättre belysning 0" in page and "Bättre belysning 1" in page
    assert f"t{org.id}-0" not in page and f"R{org.id}0" not in page  # no token or code
    assert "woman" not in page.lower().split("<main", 1)[1]  # no other answer beside it
    assert client.get("/themes/surveys/").status_code == 200


def test_tagging_refuses_a_theme_of_another_organisation_and_keeps_the_tags(
        app, make_org, make_client, login):
    org, other = make_org(), make_org()
    world = build_world(app, org, writers=1, answers=1)
    mine = login(_english(make_client), org, "facilitator")
    theirs = login(_english(make_client), other, "facilitator")
    _theme(mine, "Belysning")
    _theme(theirs, "Fritid")
    own_id, foreign_id = _theme_id(app, org, "Belysning"), _theme_id(app, other, "Fritid")
    statement = world["statements"][0]
    assert mine.post_form(f"/themes/statements/{statement}",
                          {"themes": [own_id]}).status_code == 302
    refused = mine.post_form(f"/themes/statements/{statement}", {"themes": [foreign_id]})
    assert refused.status_code == 400
    assert mine.post_form(f"/themes/statements/{statement}",
                          {"themes": ["x" * 30]}).status_code == 400
    with app.app_context():
        assert queries.statement_theme_ids([statement]) == {statement: {own_id}}


def test_themes_link_to_goals_and_actions_and_reach_the_yearly_report(
        app, make_org, make_client, login):
    org = make_org()
    world = build_world(app, org)
    client = login(_english(make_client), org, "analyst")
    _theme(client, "Belysning", en="Lighting")
    theme_id = _theme_id(app, org, "Belysning")
    assert client.post_form(f"/themes/{theme_id}/edit", {
        "name_sv": "Belysning", "name_en": "Lighting",
        "goals": world["goals"]}).status_code == 302
    for statement in world["statements"]:
        client.post_form(f"/themes/statements/{statement}", {"themes": [theme_id]})
    for answer in world["answers"][:3]:
        client.post_form(f"/themes/answers/{answer}", {"themes": [theme_id]})
    with app.app_context():
        first = db.session.get(Statement, world["statements"][0])
        db.session.add(StatementTranslation(statement_id=first.id, language="en",
                                            text="More light in the park",
                                            status=TranslationStatus.approved))
        db.session.commit()
        raised = queries.raised_about_goals(org.id, world["framework"], 2026, "en")
        assert [g.goal_id for g in raised] == world["goals"]
        entry = raised[0].themes[0]
        assert (entry.name, entry.statements, entry.answers) == ("Lighting", 7, 3)
        assert entry.statements_shown == 7 and entry.answers_shown is None
        # most agreed with first; the approved translation in the report's language
        assert entry.examples[0].text == "More light in the park"
        assert entry.examples[0].original == "Mer ljus i parken 0"
        assert entry.examples[1].language == "sv" and entry.examples[1].original is None
        assert len(entry.examples) == queries.EXAMPLES
        assert queries.raised_about_goals(org.id, world["framework"], 2025, "en")[0] \
            .themes[0].statements == 0
        assert queries.raised_about_goals(make_org().id, world["framework"], 2026, "en") == []
        # only published events count
        db.session.get(Event, world["event"]).status = EventStatus.closed
        db.session.commit()
        assert queries.raised_about_goals(org.id, world["framework"], 2026, "sv")[0] \
            .themes[0].statements == 0
        # actions can say which themes they answer
        assert KINDS["theme"].choices(org.id) == [(theme_id, "Belysning")]


def test_a_series_carries_open_statements_and_their_themes_over(
        app, make_org, make_client, login):
    from datetime import datetime

    org = make_org()
    world = build_world(app, org, writers=5)
    with app.app_context():
        later = make_event(org.id, status=EventStatus.draft, languages=("sv", "en"))
        later.starts_at = datetime(2026, 6, 1)
        hidden = db.session.get(Statement, world["statements"][2])
        hidden.status = hidden.status.__class__.hidden
        db.session.commit()
        later_id = later.id
    client = login(_english(make_client), org, "facilitator")
    _theme(client, "Belysning")
    theme_id = _theme_id(app, org, "Belysning")
    client.post_form(f"/themes/statements/{world['statements'][0]}", {"themes": [theme_id]})
    sent = client.post_form("/series/", {"name_sv": "Utvecklingsrådet"})
    assert sent.status_code == 302
    series_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    for event_id in (later_id, world["event"]):
        assert client.post_form(f"/series/{series_id}/events",
                                {"event_id": event_id}).status_code == 302
    # an event is in one series at most; the first has nothing to carry over
    other = client.post_form("/series/", {"name_sv": "Annan serie"})
    other_id = int(other.headers["Location"].rsplit("/", 1)[1])
    assert client.post_form(f"/series/{other_id}/events",
                            {"event_id": later_id}).status_code == 409
    for bad in ("", "abc", "9" * 40, "-1", str(world["event"] + 10_000)):
        refused = client.post_form(f"/series/{other_id}/events", {"event_id": bad})
        assert refused.status_code == 400, bad
        assert "Choose one of the organisation" in refused.get_data(as_text=True)
    assert client.post_form(f"/series/{series_id}/events/{world['event']}/carry",
                            {}).status_code == 409
    assert client.post_form(f"/series/{series_id}/events/{later_id}/carry",
                            {}).status_code == 302
    # again: nothing is copied twice
    assert client.post_form(f"/series/{series_id}/events/{later_id}/carry",
                            {}).status_code == 302
    with app.app_context():
        copies = list(db.session.scalars(select(Statement).where(
            Statement.event_id == later_id).order_by(Statement.id)))
        kept = [s for i, s in enumerate(world["statements"]) if i != 2]  # not the hidden one
        assert [c.carried_from_id for c in copies] == kept
        assert queries.statement_theme_ids([c.id for c in copies]) == {
            copies[0].id: {theme_id}}
        course = queries.series_course(db.session.get(Series, series_id))
        assert [row.event.id for row in course] == [world["event"], later_id]
        assert course[1].carried == 4 and course[1].previous.id == world["event"]
        # ranked: statements with at least 5 votes, most agreed first
        assert [(s.id, agree, votes) for s, agree, votes in course[0].top] == [
            (world["statements"][0], 5, 5), (world["statements"][1], 5, 5)]
        assert course[0].themes[0][1] == 1
    page = client.get(f"/series/{series_id}?lang=en").get_data(as_text=True)
    assert "Carried over from the event before: 4 statements." in page
    moderation = client.get(f"/dialog/events/{later_id}/moderation?lang=en")
    assert "carried over" in moderation.get_data(as_text=True)
    # In the yearly report a statement raised again at the next meeting counts once.
    with app.app_context():
        from surveys.followup.models import Goal

        theme = db.session.get(Theme, theme_id)
        services.set_goals(theme, [db.session.get(Goal, world["goals"][0])])
        db.session.get(Event, later_id).status = EventStatus.published
        db.session.commit()
        raised = queries.raised_about_goals(org.id, world["framework"], 2026, "sv")
        entry = raised[0].themes[0]
        assert entry.statements == 1 and len(entry.examples) == 1


def test_reading_pages_write_nothing(app, make_org, make_client, login):
    org = make_org()
    world = build_world(app, org, writers=1, answers=1)
    client = login(_english(make_client), org, "analyst")
    _theme(client, "Belysning")
    theme_id = _theme_id(app, org, "Belysning")
    with app.app_context():
        series = services.create_series(org.id, {"sv": "Rådet"})
        services.add_event(series, db.session.get(Event, world["event"]))
        db.session.commit()
        series_id = series.id
        before = db.session.scalar(select(func.count()).select_from(statement_themes))
    for path in ("/themes/", f"/themes/{theme_id}", f"/themes/{theme_id}/edit",
                 f"/themes/events/{world['event']}", "/themes/surveys/",
                 f"/themes/surveys/{world['survey']}", "/series/", f"/series/{series_id}"):
        assert client.get(path).status_code == 200, path
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(statement_themes)) == before


def test_an_action_answers_a_theme_through_the_actions_extension_point(
        app, make_org, make_client, login):
    from datetime import date

    from surveys.actions import services as action_services
    from surveys.actions.models import Unit, UnitKind
    from surveys.auth.models import User

    org = make_org()
    client = login(_english(make_client), org, "analyst")
    _theme(client, "Belysning", en="Lighting")
    theme_id = _theme_id(app, org, "Belysning")
    with app.app_context():
        unit = action_services.create_unit(org.id, "Tekniska nämnden", UnitKind.committee)
        analyst_id = db.session.scalar(select(User.id).where(User.organisation_id == org.id,
                                                             User.role == "analyst"))
        db.session.commit()
        unit_id = unit.id
    form = client.get("/actions/new").get_data(as_text=True)
    assert f'value="theme:{theme_id}"' in form and "Lighting" in form
    sent = client.post_form("/actions/new", {
        "title_sv": "Nya lampor", "unit_id": unit_id, "starts_on": "2026-01-01",
        "links": [f"theme:{theme_id}"]})
    assert sent.status_code == 302
    page = client.get(f"/themes/{theme_id}").get_data(as_text=True)
    assert "Nya lampor" in page and "Tekniska nämnden" in page
    # a theme of another organisation is not among an action's choices
    other = make_org()
    with app.app_context():
        foreign = services.create_theme(other.id, {"sv": "Främmande"})
        db.session.commit()
        try:
            action_services.create_action(
                org.id, db.session.get(User, analyst_id), title={"sv": "X"}, description={},
                unit=db.session.get(Unit, unit_id), contact_name="", contact="",
                starts_on=date(2026, 1, 1), ends_on=None, goals=[], indicators=[],
                links={"theme": [foreign.id]})
        except action_services.ActionError as error:
            assert error.code == "unknown_link"
        else:
            raise AssertionError("a foreign theme was linked")


def test_bad_addresses_and_forms_get_a_4xx(app, make_org, make_client, login):
    org = make_org()
    client = login(_english(make_client), org, "analyst")
    for path in ("/themes/99999999999", "/themes/0", "/series/2147483648",
                 "/themes/events/99999999999", "/themes/surveys/123456789"):
        assert client.get(path).status_code == 404, path
    assert client.post_form("/themes/", {"name_sv": "Ok", "goals": ["x"]}).status_code == 400
    assert client.post_form("/themes/", {"name_sv": ["a", "b"]}).status_code in (302, 400)
