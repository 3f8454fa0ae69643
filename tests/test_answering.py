"""A resident answers a survey on a phone: pages, errors, resume, languages, closed surveys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.survey.models import Answer, Response, Survey, SurveyStatus
from tests.support.surveys import TEMPLATE_ANSWERS, TEMPLATE_VALUES, small_definition


def stored_answers(app, survey_id: int) -> list[dict]:
    """Every response of a survey as {question key: value}."""
    with app.app_context():
        responses = db.session.scalars(
            select(Response).where(Response.survey_id == survey_id).order_by(Response.id)
        ).all()
        return [{a.question.key: a.value for a in r.answers} for r in responses]


def answer_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Answer.id)))


def start(client, slug="demo", **headers):
    response = client.post_form(f"/s/{slug}/start", headers=headers)
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.fixture
def template_survey(make_org, make_survey):
    return make_survey(make_org())


@pytest.fixture
def small_survey(make_org, make_survey):
    return make_survey(make_org(), slug="liten", definition=small_definition())


def test_a_resident_answers_every_page_and_each_answer_is_stored_once(app, client, template_survey):
    assert start(client).endswith("/s/demo/p/1")
    for n, data in enumerate(TEMPLATE_ANSWERS, start=1):
        page = client.get(f"/s/demo/p/{n}")
        assert page.status_code == 200
        assert f"Sida {n} av 6" in page.get_data(as_text=True)
        sent = client.post_form(f"/s/demo/p/{n}", data)
        assert sent.status_code == 302
    assert sent.headers["Location"].endswith("/s/demo/thanks")
    assert client.get("/s/demo/thanks").status_code == 200
    assert stored_answers(app, template_survey) == [TEMPLATE_VALUES]
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.completed_at is not None and response.language == "sv"


def test_sending_the_same_page_twice_never_duplicates_an_answer(app, client, template_survey):
    start(client)
    client.post_form("/s/demo/p/1", TEMPLATE_ANSWERS[0])
    before = answer_count(app)
    again = client.post_form("/s/demo/p/1", {**TEMPLATE_ANSWERS[0], "q_trust_people": "2"})
    assert again.status_code == 302
    assert answer_count(app) == before == 5
    assert stored_answers(app, template_survey)[0]["trust_people"] == 2


def test_the_back_button_keeps_answers_and_returns_to_the_previous_page(app, client, template_survey):
    start(client)
    client.post_form("/s/demo/p/1", TEMPLATE_ANSWERS[0])
    back = client.post_form("/s/demo/p/2", {"q_group_distance": "3", "action": "back"})
    assert back.headers["Location"].endswith("/s/demo/p/1")
    page = client.get("/s/demo/p/1").get_data(as_text=True)
    assert 'name="q_trust_people" value="7" checked' in page
    assert stored_answers(app, template_survey)[0]["group_distance"] == 3


def test_switching_language_half_way_keeps_every_answer(app, client, template_survey):
    start(client)
    client.post_form("/s/demo/p/1", TEMPLATE_ANSWERS[0])
    arabic = client.get("/s/demo/p/2?lang=ar")
    body = arabic.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in body
    assert "الانتماء" in body or "ar" in body
    with app.app_context():  # viewing a page writes nothing; saving it does
        assert db.session.scalar(select(Response.language)) == "sv"
    client.post_form("/s/demo/p/2", TEMPLATE_ANSWERS[1])
    # The choice is remembered on the next page without ?lang=.
    assert '<html lang="ar" dir="rtl">' in client.get("/s/demo/p/3").get_data(as_text=True)
    answers = stored_answers(app, template_survey)[0]
    assert answers["trust_people"] == 7 and answers["group_distance"] == 6
    with app.app_context():
        assert db.session.scalar(select(Response.language)) == "ar"


def test_the_browser_language_chooses_the_survey_language(client, template_survey):
    page = client.get("/s/demo", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en" dir="ltr">' in page.get_data(as_text=True)
    assert "Trust and participation" in page.get_data(as_text=True)


def test_a_resident_resumes_where_they_left_off_on_the_same_phone(client, template_survey):
    start(client)
    client.post_form("/s/demo/p/1", TEMPLATE_ANSWERS[0])
    client.post_form("/s/demo/p/2", TEMPLATE_ANSWERS[1])
    landing = client.get("/s/demo").get_data(as_text=True)
    assert "Fortsätt där du slutade" in landing or "Continue where you left off" in landing
    assert start(client).endswith("/s/demo/p/3")


def test_a_resident_resumes_on_another_device_with_the_short_code(app, client, make_client, template_survey):
    start(client)
    client.post_form("/s/demo/p/1", TEMPLATE_ANSWERS[0])
    with app.app_context():
        code = db.session.scalar(select(Response.resume_code))
    other = make_client()
    typed = f"{code[:4].lower()} {code[4:]}"
    resumed = other.post_form("/s/demo/resume", {"code": typed})
    assert resumed.headers["Location"].endswith("/s/demo/p/2")
    other.post_form("/s/demo/p/2", TEMPLATE_ANSWERS[1])
    assert len(stored_answers(app, template_survey)) == 1
    assert stored_answers(app, template_survey)[0]["belong_municipality"] == 5


def test_a_wrong_resume_code_is_explained_in_the_residents_language(client, template_survey):
    wrong = client.post_form("/s/demo/resume?lang=en", {"code": "AAAA-AAAA"})
    assert wrong.status_code == 400
    assert "no unfinished answers with that code" in wrong.get_data(as_text=True)


def test_a_required_question_left_empty_is_explained_and_nothing_is_saved(app, client, small_survey):
    start(client, "liten")
    sent = client.post_form("/s/liten/p/1?lang=en", {"q_trust": "5"})
    body = sent.get_data(as_text=True)
    assert sent.status_code == 400
    assert 'class="error-summary"' in body and 'href="#q_member"' in body
    assert 'id="q_member-error"' in body and 'aria-describedby="q_member-error"' in body
    assert "This question needs an answer." in body
    # The resident's other answer is shown again, but nothing reached the database.
    assert 'value="5" checked' in body
    assert answer_count(app) == 0


def test_a_page_after_a_missing_required_answer_cannot_be_opened_or_sent(app, client,
                                                                         small_survey):
    start(client, "liten")
    assert client.get("/s/liten/p/2").headers["Location"].endswith("/s/liten/p/1")
    jumped = client.post_form("/s/liten/p/2", {"q_people": "3", "q_comment": "Hej"})
    assert jumped.status_code == 302 and jumped.headers["Location"].endswith("/s/liten/p/1")
    assert answer_count(app) == 0
    assert client.post_form("/s/liten/p/1", {"q_member": "yes"}).headers[
        "Location"].endswith("/s/liten/p/2")
    assert client.get("/s/liten/p/2").status_code == 200


def test_a_required_answer_cleared_on_the_way_back_is_asked_for_before_finishing(
        app, client, small_survey):
    start(client, "liten")
    client.post_form("/s/liten/p/1", {"q_member": "yes"})
    # Going back skips the required check, so the answer can be taken away ...
    client.post_form("/s/liten/p/1", {"action": "back"})
    assert "member" not in stored_answers(app, small_survey)[0]
    # ... but the last page does not finish the response while it is missing.
    sent = client.post_form("/s/liten/p/2", {"q_people": "3"})
    assert sent.headers["Location"].endswith("/s/liten/p/1")
    with app.app_context():
        assert db.session.scalar(select(Response.completed_at)) is None


def test_a_condition_hides_a_question_and_a_changed_answer_forgets_it(app, client, small_survey):
    start(client, "liten")
    client.post_form("/s/liten/p/1", {"q_member": "yes"})
    assert 'name="q_why"' in client.get("/s/liten/p/2").get_data(as_text=True)
    back = client.post_form("/s/liten/p/2", {"q_why": "För gemenskapen", "q_people": "3",
                                             "action": "back"})
    assert back.headers["Location"].endswith("/s/liten/p/1")
    assert stored_answers(app, small_survey)[0]["why"] == "För gemenskapen"
    client.post_form("/s/liten/p/1", {"q_member": "no"})
    assert 'name="q_why"' not in client.get("/s/liten/p/2").get_data(as_text=True)
    answers = stored_answers(app, small_survey)[0]
    assert "why" not in answers and answers["people"] == 3


def test_a_page_whose_questions_are_all_hidden_is_skipped(client, template_survey):
    start(client)
    for n in (1, 2):
        client.post_form(f"/s/demo/p/{n}", TEMPLATE_ANSWERS[n - 1])
    no_discrimination = {**TEMPLATE_ANSWERS[2], "q_discrimination": "no"}
    sent = client.post_form("/s/demo/p/3", no_discrimination)
    # Page 4 still has the open comment question, so it is shown without the grounds.
    assert sent.headers["Location"].endswith("/s/demo/p/4")
    body = client.get("/s/demo/p/4").get_data(as_text=True)
    assert "q_discrimination_grounds" not in body and "q_other_comments" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"q_member": "maybe"}, "Choose one of the options."),
        ({"q_member": "yes", "q_trust": "11"}, "Choose one of the points on the scale."),
        ({"q_member": "yes", "q_trust": "abc"}, "Choose one of the points on the scale."),
        ({"q_member": "yes", "q_sports": ["run", "ski"]}, "Choose among the options shown."),
        ({"q_member": "yes", "q_sports": ["run", "dk"]}, "cannot be combined"),
        ({"q_member": "yes", "q_agree": "dk"}, "Choose one of the points on the scale."),
        ({"q_member": "yes", "q_grid__a": "9"}, "Choose one of the options for every statement."),
    ],
)
def test_a_tampered_form_is_refused_with_a_message_and_nothing_changes(app, client, small_survey, data, message):
    start(client, "liten")
    client.post_form("/s/liten/p/1", {"q_member": "no", "q_trust": "4"})
    before = stored_answers(app, small_survey)
    sent = client.post_form("/s/liten/p/1?lang=en", data)
    assert sent.status_code == 400
    assert message in sent.get_data(as_text=True)
    assert stored_answers(app, small_survey) == before


def test_answers_to_questions_not_on_the_page_are_ignored(app, client, small_survey):
    start(client, "liten")
    sent = client.post_form("/s/liten/p/1", {"q_member": "yes", "q_people": "5", "q_nonsense": "x"})
    assert sent.status_code == 302
    assert stored_answers(app, small_survey) == [{"member": "yes"}]


def test_a_text_too_large_to_receive_is_refused_with_a_message(app, client, small_survey):
    start(client, "liten")
    client.post_form("/s/liten/p/1", {"q_member": "yes"})
    sent = client.post_form("/s/liten/p/2?lang=en", {"q_comment": "x" * 5_000_000})
    assert sent.status_code == 413
    assert "too large" in sent.get_data(as_text=True)
    assert stored_answers(app, small_survey) == [{"member": "yes"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"q_people": "three"}, "Write a whole number."),
        ({"q_people": "25"}, "Write a number from 1 to 20."),
        ({"q_why": "x" * 51}, "Shorten your answer to at most 50 characters"),
        ({"q_comment": "x" * 1_000_000}, "Shorten your answer to at most 5000 characters"),
        ({"q_born": "1800"}, "Write a year from"),
        ({"q_born": ["1980", "dk"]}, "not both"),
    ],
)
def test_bad_values_on_the_second_page_get_clear_messages(app, client, small_survey, data, message):
    start(client, "liten")
    client.post_form("/s/liten/p/1", {"q_member": "yes"})
    sent = client.post_form("/s/liten/p/2?lang=en", data)
    assert sent.status_code == 400
    assert message in sent.get_data(as_text=True)
    assert stored_answers(app, small_survey) == [{"member": "yes"}]


def test_numbers_accept_a_decimal_comma_and_years_prefer_not_to_say(app, client, make_org, make_survey):
    definition = small_definition("tal")
    definition["pages"][1]["questions"][1]["settings"] = {"min": 0, "max": 10, "integer": False}
    survey_id = make_survey(make_org(), slug="tal", definition=definition)
    start(client, "tal")
    client.post_form("/s/tal/p/1", {"q_member": "no"})
    client.post_form("/s/tal/p/2", {"q_people": "2,5", "q_born": "dk"})
    assert stored_answers(app, survey_id)[0] | {} == {"member": "no", "people": 2.5, "born": "dk"}


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_saved(app, client, small_survey):
    start(client, "liten")
    sent = client.post("/s/liten/p/1?lang=en", data={"q_member": "yes"})
    assert sent.status_code == 400
    assert "not sent from this site" in sent.get_data(as_text=True)
    assert answer_count(app) == 0


def test_a_closed_survey_says_so_and_accepts_nothing(app, client, make_org, make_survey):
    make_survey(make_org(), status=SurveyStatus.closed)
    page = client.get("/s/demo?lang=en")
    assert page.status_code == 410
    assert "This survey is closed" in page.get_data(as_text=True)
    assert client.post_form("/s/demo/start").status_code == 410
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0


def test_a_survey_closing_while_a_resident_answers_keeps_what_they_saved(app, client, template_survey):
    start(client)
    client.post_form("/s/demo/p/1", TEMPLATE_ANSWERS[0])
    with app.app_context():
        db.session.get(Survey, template_survey).status = SurveyStatus.closed
        db.session.commit()
    late = client.post_form("/s/demo/p/2", TEMPLATE_ANSWERS[1])
    assert late.status_code == 410
    assert stored_answers(app, template_survey) == [
        {k: TEMPLATE_VALUES[k] for k in ("trust_people", "trust_kommun", "trust_polis",
                                          "trust_vard", "trust_skola")}
    ]


def test_a_survey_that_has_not_opened_yet_says_when_it_opens(app, client, template_survey):
    with app.app_context():
        db.session.get(Survey, template_survey).opens_at = utcnow() + timedelta(days=3)
        db.session.commit()
    page = client.get("/s/demo?lang=en")
    assert page.status_code == 403
    assert "has not opened yet" in page.get_data(as_text=True)


def test_a_draft_survey_does_not_exist_for_residents(client, make_org, make_survey):
    make_survey(make_org(), status=SurveyStatus.draft)
    assert client.get("/s/demo").status_code == 404
    assert client.get("/s/nothing-here").status_code == 404


def test_no_ip_address_or_browser_is_stored_with_a_response(app, client, template_survey):
    start(client, **{"User-Agent": "PhoneBrowser/1.0"})
    client.post_form("/s/demo/p/1", TEMPLATE_ANSWERS[0],
                     environ_base={"REMOTE_ADDR": "203.0.113.77"})
    with app.app_context():
        columns = {c.name for c in Response.__table__.columns}
        assert not columns & {"ip", "ip_address", "remote_addr", "user_agent"}
        rows = db.session.execute(select(Response.__table__)).all()
        flat = " ".join(str(value) for row in rows for value in row)
        assert "203.0.113.77" not in flat and "PhoneBrowser" not in flat


def test_pages_of_a_finished_response_lead_to_the_thank_you_page(client, template_survey):
    start(client)
    for n, data in enumerate(TEMPLATE_ANSWERS, start=1):
        client.post_form(f"/s/demo/p/{n}", data)
    assert client.get("/s/demo/p/2").headers["Location"].endswith("/s/demo/thanks")
    assert client.get("/s/demo").headers["Location"].endswith("/s/demo/thanks")


def test_answer_pages_are_not_cached_on_shared_phones(client, template_survey):
    start(client)
    assert client.get("/s/demo/p/1").headers["Cache-Control"] == "no-store"
