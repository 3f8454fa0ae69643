"""Answering pages keep a survey's definition per version: never a stale text, translation
or recording after an author's change, and a bounded number of SQL statements per request."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from surveys.extensions import db
from surveys.survey import published, services
from surveys.survey.models import Answer, Page, Question, Survey
from tests.support.audio import mp3
from tests.support.surveys import small_definition
from tests.support.web import send_twice_at_once

#: What an answering request may cost: a page view reads the survey row with this device's
#: response, then its answers; a submission reads them the same way (the response locked
#: first), writes the page's answers (one INSERT for all of them)
#: and updates the response. (BEGIN and COMMIT come on top; no ping before each request:
#: tests/test_connection_rest.py.)
PAGE_VIEW_STATEMENTS = 2
SUBMISSION_STATEMENTS = 3  # besides the INSERTs of answers


@pytest.fixture
def liten(app, client, make_org, make_survey):
    """A resident on page 1 of the small survey (its definition now cached)."""
    survey_id = make_survey(make_org(), slug="liten", definition=small_definition())
    client.post_form("/s/liten/start")
    assert "Är du medlem?" in page_one(client)
    return survey_id


def page_one(client) -> str:
    reply = client.get("/s/liten/p/1")
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def change(app, survey_id: int, edit) -> None:
    """An author's change, made and committed as a request would."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        question = db.session.scalar(select(Question).where(
            Question.survey_id == survey_id, Question.key == "member"))
        edit(survey, question)
        db.session.commit()


def test_an_edited_question_text_shows_at_once(app, client, liten):
    change(app, liten, lambda survey, q: services.update_question(
        q, type_name=q.type, key=q.key, required=q.required, text="Är du medlem i föreningen?",
        help="Svara ja eller nej.", raw_settings={
            "options": [("yes", "Ja, absolut"), ("no", "Nej")], "dont_know": "prefer_not"}))
    html = page_one(client)
    assert "Är du medlem i föreningen?" in html
    assert "Svara ja eller nej." in html and "Ja, absolut" in html


def test_a_saved_translation_shows_at_once(app, client, liten):
    assert "Are you a member?" in client.get("/s/liten/p/1?lang=en").get_data(as_text=True)

    def translate(survey, question):
        refs = {ref.get("sv"): ref.id for ref in services.survey_texts(survey)}
        assert services.save_translations(survey, "en", {
            refs["Är du medlem?"]: "Do you belong to the club?",
            refs["Sida ett"]: "First page"}) == 2

    change(app, liten, translate)
    html = client.get("/s/liten/p/1?lang=en").get_data(as_text=True)
    assert "Do you belong to the club?" in html and "First page" in html
    assert "Are you a member?" not in html


def test_a_translation_file_shows_at_once(app, client, liten):
    def import_file(survey, question):
        refs = {ref.get("sv"): ref for ref in services.survey_texts(survey)}
        po = (f'msgctxt "{refs["Är du medlem?"].id}"\nmsgid "Är du medlem?"\n'
              'msgstr "هل تنتمي إلى النادي؟"\n').encode()
        report = services.import_translations(survey, "ar", po)
        assert report.ok, report.problems

    change(app, liten, import_file)
    assert "هل تنتمي إلى النادي؟" in client.get("/s/liten/p/1?lang=ar").get_data(as_text=True)


def test_a_renamed_page_shows_at_once(app, client, liten):
    change(app, liten, lambda survey, q: services.rename_page(q.page, "Om dig"))
    assert "<h1>Om dig</h1>" in page_one(client)


def test_a_recording_added_or_removed_shows_at_once(app, client, liten):
    assert "/s/liten/audio/" not in page_one(client)
    change(app, liten, lambda survey, q: services.set_audio(q, "sv", mp3()))
    player = re.search(r'src="(/s/liten/audio/\d+/sv\?v=\w+)"', page_one(client))
    assert player
    with client.get(player.group(1)) as recording:
        assert recording.status_code == 200
    change(app, liten, lambda survey, q: services.remove_audio(q, "sv"))
    assert "/s/liten/audio/" not in page_one(client)
    assert client.get(player.group(1)).status_code == 404


def test_closing_and_opening_again_take_effect_at_once(app, client, liten):
    change(app, liten, lambda survey, q: services.close_survey(survey))
    assert client.get("/s/liten/p/1").status_code == 410
    change(app, liten, lambda survey, q: services.open_survey(survey))
    assert "Är du medlem?" in page_one(client)


def test_every_change_of_a_page_or_question_gives_a_new_version(app, liten):
    def version() -> str:
        with app.app_context():
            return db.session.get(Survey, liten).definition_version

    seen = [version()]
    for edit in (
        lambda survey, q: q.text.update(en="Member?"),
        lambda survey, q: q.audio.update(sv={"sha256": "0" * 64, "type": "audio/mpeg", "size": 1}),
        lambda survey, q: setattr(q, "required", False),
        lambda survey, q: q.page.title.update(en="One"),
        lambda survey, q: survey.pages.append(Page(position=2, title={})),
        lambda survey, q: survey.pages.remove(survey.pages[-1]),
    ):
        change(app, liten, edit)
        seen.append(version())
    assert len(set(seen)) == len(seen)
    # Survey texts are read with the row on every request: no new version needed.
    change(app, liten, lambda survey, q: survey.texts["intro"].update(sv="Hej"))
    assert version() == seen[-1]


def test_a_definition_loaded_while_an_author_changes_it_is_not_kept():
    cache = published.DefinitionCache(size=2)
    newer = published.SurveyDefinition(1, "b", ())
    assert cache.get(1, "a", lambda: newer) is newer
    older = published.SurveyDefinition(1, "a", ())
    assert cache.get(1, "a", lambda: older) is older  # "a" was not kept
    assert cache.get(1, "a", lambda: pytest.fail("read again")) is older
    for survey_id in (2, 3):
        cache.get(survey_id, "a", lambda survey_id=survey_id:
                  published.SurveyDefinition(survey_id, "a", ()))
    assert cache.get(1, "a", lambda: newer) is newer  # the least recently used left


def test_cached_definitions_cannot_be_changed(app, liten):
    with app.app_context():
        definition = services.queries.survey_definition(db.session.get(Survey, liten))
    question = definition.by_key["member"]
    with pytest.raises(TypeError):
        question.text["sv"] = "x"
    with pytest.raises(AttributeError):
        question.required = False
    assert isinstance(question.settings["options"], tuple)


def test_sql_statements_per_answering_request_stay_few(app, client, liten):
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        statements.clear()
        page_one(client)
        view = list(statements)
        statements.clear()
        sent = client.post_form("/s/liten/p/1", {
            "q_member": "yes", "q_sports": "run", "q_trust": "7", "q_agree": "4",
            "q_grid__a": "1", "q_grid__b": "2"})
        submission = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/s/liten/p/2")
    assert len(view) <= PAGE_VIEW_STATEMENTS, view
    inserts = [s for s in submission if s.startswith("INSERT INTO answers")]
    assert len(submission) - len(inserts) <= SUBMISSION_STATEMENTS, submission
    assert len(inserts) == 1, inserts  # all five answers
    assert not any("survey_questions" in s or "survey_pages" in s for s in view + submission)


@pytest.mark.postgres  # the PostgreSQL pass runs it; a local SQLite run skips it
def test_a_double_tap_saves_the_page_once_without_an_error(app, client, make_client, liten):
    """Two sends of one page at once (PostgreSQL locks the response; the second request
    reads the answers only once the first has committed them)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    page = {"q_member": "yes", "q_sports": "run", "q_trust": "7", "q_agree": "4",
            "q_grid__a": "1", "q_grid__b": "2", "csrf_token": client.csrf_token()}
    twin = make_client()
    twin.set_cookie("session", client.get_cookie("session").value)
    replies = send_twice_at_once(engine, "responses", client, twin, "/s/liten/p/1", page)
    assert [r.status_code for r in replies] == [302, 302], [r.get_data(as_text=True)[:300]
                                                            for r in replies]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 5
