"""Random form data thrown at the answer endpoint: never a 500, never an invalid answer stored."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from surveys.extensions import db
from surveys.survey.models import Answer
from surveys.survey.queries import survey_definition
from surveys.survey.services import shown_questions
from tests.support.surveys import small_definition

FIELDS = ["q_member", "q_sports", "q_trust", "q_agree", "q_grid__a", "q_grid__b", "q_why",
          "q_people", "q_comment", "q_born", "q_unknown", "action"]
VALUES = st.one_of(
    st.sampled_from(["yes", "no", "dk", "run", "swim", "1", "2", "5", "10", "11", "-1", "1985",
                     "back", "next", "", " ", "2,5", "NaN", "inf", "1e9", "\x00", "<script>"]),
    st.text(max_size=60),
)
FORMS = st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), max_size=14)


def test_random_forms_get_a_redirect_or_a_clear_400(app, make_org, make_survey):
    make_survey(make_org(), slug="liten", definition=small_definition())
    checked = {"up_to": 0}  # answers with smaller ids passed the checks in an earlier example

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(page=st.sampled_from([1, 2]), pairs=FORMS)
    def check(page, pairs):
        # A fresh resident each time, already past page 1 when page 2 is tried.
        client = app.test_client()
        client.post_form("/s/liten/start")
        if page == 2:
            assert client.post_form("/s/liten/p/1", {"q_member": "yes"}).status_code == 302
        data = MultiDict([*pairs, ("csrf_token", client.csrf_token())])
        response = client.post(f"/s/liten/p/{page}", data=data)
        assert response.status_code in (302, 400), response.status_code
        with app.app_context():
            for answer in db.session.scalars(select(Answer).where(
                    Answer.id > checked["up_to"]).order_by(Answer.id)):
                checked["up_to"] = answer.id
                definition = survey_definition(answer.response.survey)
                question = definition.by_id[answer.question_id]
                # Every stored value is one the question's own parser would produce.
                form = MultiDict(_as_form(question, answer.value))
                assert question.kind.parse(question, form) == answer.value
                assert question in shown_questions(definition.pages[question.page_index], {
                    a.question.key: a.value for a in answer.response.answers}, definition)

    check()


def _as_form(question, value):
    name = f"q_{question.key}"
    if isinstance(value, dict):
        return [(f"{name}__{item}", code) for item, code in value.items()]
    if isinstance(value, list):
        return [(name, code) for code in value]
    # Decimal numbers go back as a resident in Sweden types them; text stays as it is.
    return [(name, str(value).replace(".", ",") if isinstance(value, float) else str(value))]
