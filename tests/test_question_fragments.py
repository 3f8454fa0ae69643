"""Answering pages keep an unanswered question's HTML per language (surveys/survey/fragments.py):
the same HTML as rendering it afresh, never another language's, never a resident's answer."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.survey import fragments, services
from surveys.survey.models import Question
from tests.support.surveys import small_definition

PAGE_ONE = {"q_member": "yes", "q_sports": "run", "q_trust": "7", "q_agree": "4",
            "q_grid__a": "1", "q_grid__b": "2"}


@pytest.fixture
def liten(app, client, make_org, make_survey):
    survey_id = make_survey(make_org(), slug="liten", definition=small_definition())
    client.post_form("/s/liten/start")
    return survey_id


def form(client, path: str, lang: str | None = None) -> str:
    """The page's form (what varies per resident, the CSRF token, left out)."""
    reply = client.get(path + (f"?lang={lang}" if lang else ""))
    assert reply.status_code == 200
    html = re.search(r"<form method=\"post\" novalidate>.*?</form>", reply.get_data(as_text=True),
                     re.DOTALL).group(0)
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def test_a_kept_question_is_the_html_rendered_afresh(app, client, liten, monkeypatch):
    kept = form(client, "/s/liten/p/1")
    again = form(client, "/s/liten/p/1")  # from what was kept
    monkeypatch.setattr(fragments, "CACHE_SIZE", 0)  # nothing kept: rendered each time
    fragments._kept.clear()
    assert form(client, "/s/liten/p/1") == kept == again
    assert "Är du medlem?" in kept and 'value="yes" checked' not in kept


def test_each_language_gets_its_own_kept_html(app, client, liten):
    swedish = form(client, "/s/liten/p/1", "sv")
    arabic = form(client, "/s/liten/p/1", "ar")
    english = form(client, "/s/liten/p/1", "en")
    assert "Är du medlem?" in swedish and "(måste besvaras)" in swedish
    assert "هل أنت عضو؟" in arabic and "Är du medlem?" not in arabic
    assert "Are you a member?" in english and "(required)" in english
    assert form(client, "/s/liten/p/1", "sv") == swedish


def test_answers_and_errors_are_rendered_and_never_kept(app, client, make_client, liten):
    form(client, "/s/liten/p/1")  # the unanswered page, kept
    refused = client.post_form("/s/liten/p/1", {**PAGE_ONE, "q_member": "", "q_trust": "7"})
    assert refused.status_code == 400
    assert 'value="7" checked' in refused.get_data(as_text=True)
    assert client.post_form("/s/liten/p/1", PAGE_ONE).status_code == 302
    back = client.post_form("/s/liten/p/2", {"q_why": "Hemligt skäl", "q_people": "3",
                                             "q_comment": "Mitt eget svar", "q_born": "1984",
                                             "action": "back"})  # saved, not finished
    assert back.status_code == 302
    answered = form(client, "/s/liten/p/1")
    assert 'value="yes" checked' in answered and 'value="7" checked' in answered
    assert "Mitt eget svar" in form(client, "/s/liten/p/2")
    kept = "".join(fragments._kept.values())
    assert "checked" not in kept and "Mitt eget svar" not in kept and "Hemligt" not in kept
    # another resident's first view of the same pages shows none of it
    other = make_client()
    other.post_form("/s/liten/start")
    assert "checked" not in form(other, "/s/liten/p/1")


def test_an_edited_question_is_not_served_from_the_old_html(app, client, liten):
    assert "Är du medlem?" in form(client, "/s/liten/p/1")
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == "member"))
        services.update_question(
            question, type_name=question.type, key=question.key, required=True,
            text="Är du med i föreningen?", help="",
            raw_settings={"options": [("yes", "Ja"), ("no", "Nej")], "dont_know": "prefer_not"})
        db.session.commit()
    assert "Är du med i föreningen?" in form(client, "/s/liten/p/1")
