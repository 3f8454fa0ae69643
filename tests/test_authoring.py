"""Authors build, translate, preview, open, export and import surveys in the browser."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import func, select

from surveys.auth.models import User
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.survey.definition import export_definition, load_template
from surveys.survey.models import Channel, Question, Response, Survey, SurveyStatus
from surveys.survey.services import start_response
from surveys.survey.texts import completeness, survey_texts
from tests.conftest import user_email
from tests.support.manage import (
    ids,
    layout,
    snapshot,
    staff,
    survey_count,
    upload,
)
from tests.support.surveys import small_definition



def text_of(response) -> str:
    return response.get_data(as_text=True)


def get_survey(app, survey_id: int) -> Survey:
    """A detached copy of the survey with its pages and questions loaded."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        export = export_definition(survey)
        status = survey.status
    return export, status


@pytest.fixture
def org(make_org):
    return make_org("Exempelby kommun")


@pytest.fixture
def author(client, login, org):
    return staff(client, login, org, Role.author)


def create_survey(author, slug="trygghet", languages=("sv", "ar")) -> int:
    sent = author.post_form("/manage/surveys/new", {
        "slug": slug, "title": "Trygghet i kommunen", "default_language": "sv",
        "languages": list(languages)})
    assert sent.status_code == 302, text_of(sent)
    return int(sent.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def add_question(author, page_id: int, data: dict):
    return author.post_form(f"/manage/pages/{page_id}/questions/new",
                            {"shown_type": data["type"], **data})


def test_an_author_builds_a_survey_translates_it_and_opens_it(app, author, org):
    survey_id = create_survey(author)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert (survey.organisation_id, survey.status, survey.languages) == (
            org.id, SurveyStatus.draft, ["sv", "ar"])
        assert survey.texts["title"] == {"sv": "Trygghet i kommunen"}
    page_id = ids(app, survey_id)["pages"][0]

    sent = author.post_form(f"/manage/surveys/{survey_id}/settings", {
        "slug": "trygghet", "languages": ["ar"], "title": "Trygghet i kommunen",
        "intro": "Vi vill veta hur trygg du känner dig.", "consent": "Frivilligt och anonymt.",
        "thanks": ""})
    assert sent.status_code == 302, text_of(sent)

    chooser = author.get(f"/manage/pages/{page_id}/questions/new")
    assert chooser.status_code == 200 and 'name="type" value="single_choice"' in text_of(chooser)
    form = author.get(f"/manage/pages/{page_id}/questions/new?type=single_choice")
    assert form.status_code == 200 and 'name="options"' in text_of(form)
    assert add_question(author, page_id, {
        "type": "single_choice", "key": "safe_evening", "text": "Känner du dig trygg på kvällen?",
        "options": "yes = Ja\nno = Nej", "dont_know": "dont_know", "required": "y",
    }).status_code == 302
    assert add_question(author, page_id, {
        "type": "scale", "key": "safety", "text": "Hur trygg är du?", "low": "0", "high": "10",
        "min_label": "Inte alls", "max_label": "Helt", "dont_know": "",
    }).status_code == 302
    assert layout(app, survey_id) == [["safe_evening", "safety"]]

    refused = author.post_form(f"/manage/surveys/{survey_id}/open")
    assert refused.status_code == 400
    with app.app_context():
        done, total = completeness(db.session.get(Survey, survey_id))["ar"]
        assert db.session.get(Survey, survey_id).status is SurveyStatus.draft
    assert (done, total) == (0, 9)
    assert "Arabic: 0 of 9 texts" in text_of(refused)

    page = author.get(f"/manage/surveys/{survey_id}/translations/ar")
    assert page.status_code == 200
    body = text_of(page)
    for text_id in ("survey.title", "survey.intro", "q.safe_evening.text",
                    "q.safe_evening.option.yes", "q.safety.min_label"):
        assert f"<code>{text_id}</code>" in body
    assert 'lang="ar" dir="rtl"' in body
    with app.app_context():
        field_names = {ref.id: "t-" + ref.id.replace(".", "-")
                       for ref in survey_texts(db.session.get(Survey, survey_id))}
    translations = {name: f"ترجمة {text_id}" for text_id, name in field_names.items()}
    saved = author.post_form(f"/manage/surveys/{survey_id}/translations/ar", translations)
    assert saved.status_code == 302
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert completeness(survey) == {"sv": (9, 9), "ar": (9, 9)}
        assert survey.questions()[0].settings["options"][0]["label"] == {
            "sv": "Ja", "ar": "ترجمة q.safe_evening.option.yes"}

    opened = author.post_form(f"/manage/surveys/{survey_id}/open")
    assert opened.status_code == 302
    assert get_survey(app, survey_id)[1] is SurveyStatus.open
    start = author.get("/s/trygghet?lang=ar")
    assert start.status_code == 200 and "ترجمة survey.title" in text_of(start)


def test_opening_names_each_incomplete_language_with_its_counts(app, author, org, make_survey):
    survey_id = make_survey(org, slug="tillit", status=SurveyStatus.draft)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        refs = survey_texts(survey)
        for ref in refs[:3]:
            ref.set("ar", "")
        refs[5].set("uk", "")
        db.session.commit()
        counts = completeness(survey)
    refused = author.post_form(f"/manage/surveys/{survey_id}/open")
    assert refused.status_code == 400
    body = text_of(refused)
    done, total = counts["ar"]
    assert done == total - 3
    assert f"Arabic: {done} of {total} texts" in body
    assert f"Ukrainian: {total - 1} of {total} texts" in body
    assert "Swedish:" not in body.split("error-summary")[1].split("</div>")[0]
    assert get_survey(app, survey_id)[1] is SurveyStatus.draft


def test_a_survey_without_questions_cannot_open(app, author):
    survey_id = create_survey(author, languages=("sv",))
    refused = author.post_form(f"/manage/surveys/{survey_id}/open")
    assert refused.status_code == 400
    assert "Add at least one question before opening the survey." in text_of(refused)
    assert get_survey(app, survey_id)[1] is SurveyStatus.draft


def test_an_author_closes_and_reopens_a_survey(app, author, org, make_survey):
    survey_id = make_survey(org, slug="tillit")
    assert author.post_form(f"/manage/surveys/{survey_id}/close").status_code == 302
    assert get_survey(app, survey_id)[1] is SurveyStatus.closed
    assert author.get("/s/tillit").status_code == 410
    assert author.post_form(f"/manage/surveys/{survey_id}/open").status_code == 302
    assert get_survey(app, survey_id)[1] is SurveyStatus.open


def test_an_author_reorders_pages_and_questions(app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    before = layout(app, survey_id)
    assert before == [["member", "sports", "trust", "agree", "grid"],
                      ["why", "people", "comment", "born"]]
    q = ids(app, survey_id)["questions"]

    def move(key, direction):
        return author.post_form(f"/manage/questions/{q[key]}/move", {"direction": direction})

    assert move("trust", "up").status_code == 302
    assert move("member", "down").status_code == 302
    assert move("grid", "next").status_code == 302
    assert move("people", "previous").status_code == 302
    assert layout(app, survey_id) == [["trust", "member", "sports", "agree", "people"],
                                      ["grid", "why", "comment", "born"]]
    # Nothing to move past: refused, nothing changes.
    before = snapshot(app)
    assert move("trust", "up").status_code == 400
    assert move("trust", "previous").status_code == 400
    assert move("born", "down").status_code == 400
    assert move("born", "next").status_code == 400
    assert move("trust", "sideways").status_code == 400
    assert snapshot(app) == before

    def move_page(page_id, direction):
        return author.post_form(f"/manage/pages/{page_id}/move", {"direction": direction})

    added = author.post_form(f"/manage/surveys/{survey_id}/pages", {"title": "Extra"})
    assert added.status_code == 302
    pages = ids(app, survey_id)["pages"]
    assert move_page(pages[0], "down").status_code == 400
    assert layout(app, survey_id)[0][0] == "trust"  # "why" depends on "member": order kept
    assert move_page(pages[2], "up").status_code == 302
    assert layout(app, survey_id) == [["trust", "member", "sports", "agree", "people"], [],
                                      ["grid", "why", "comment", "born"]]


def test_deleting_a_page_asks_first_and_keeps_positions_contiguous(app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    author.post_form(f"/manage/surveys/{survey_id}/pages", {"title": ""})
    pages = ids(app, survey_id)["pages"]
    confirm = author.get(f"/manage/pages/{pages[1]}/delete")
    assert confirm.status_code == 200
    assert "Delete page 2?" in text_of(confirm) and "4 questions" in text_of(confirm)
    assert len(layout(app, survey_id)) == 3
    assert author.post_form(f"/manage/pages/{pages[1]}/delete").status_code == 302
    assert layout(app, survey_id) == [["member", "sports", "trust", "agree", "grid"], []]
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 5


def test_a_question_with_dependents_cannot_be_deleted(app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    q = ids(app, survey_id)["questions"]
    refused = author.post_form(f"/manage/questions/{q['member']}/delete")
    assert refused.status_code == 400 and "why depend on the answer" in text_of(refused)
    assert author.post_form(f"/manage/questions/{q['sports']}/delete").status_code == 302
    assert layout(app, survey_id)[0] == ["member", "trust", "agree", "grid"]


def test_a_condition_can_only_depend_on_an_earlier_question(app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    q = ids(app, survey_id)["questions"]
    url = f"/manage/questions/{q['comment']}/condition"

    page = author.get(url + "?source=trust")
    body = text_of(page)
    assert page.status_code == 200
    assert 'option value="member"' in body and 'option value="born"' not in body
    assert 'name="values" value="10"' in body and 'value="dk"' in body

    saved = author.post_form(url, {"action": "save", "source": "trust", "values": ["9", "10"]})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Question, q["comment"]).condition == {
            "question": "trust", "values": ["9", "10"]}

    before = snapshot(app)
    later = author.post_form(f"/manage/questions/{q['sports']}/condition",
                             {"action": "save", "source": "born", "values": ["dk"]})
    assert later.status_code == 400
    not_offered = author.post_form(url, {"action": "save", "source": "trust", "values": ["11"]})
    assert not_offered.status_code == 400
    text_source = author.post_form(url, {"action": "save", "source": "why", "values": ["x"]})
    assert text_source.status_code == 400
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.get(Question, q["comment"]).condition["question"] == "trust"

    assert author.post_form(url, {"action": "remove"}).status_code == 302
    with app.app_context():
        assert db.session.get(Question, q["comment"]).condition is None


def test_a_move_that_would_put_a_question_before_its_source_is_refused(app, author, org,
                                                                        make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    q = ids(app, survey_id)["questions"]
    move = lambda key, direction: author.post_form(  # noqa: E731
        f"/manage/questions/{q[key]}/move", {"direction": direction})
    # "why" (page 2) is shown depending on "member" (first on page 1).
    assert move("why", "previous").status_code == 302
    for _ in range(4):
        assert move("why", "up").status_code == 302
    assert layout(app, survey_id)[0] == ["member", "why", "sports", "trust", "agree", "grid"]
    before = snapshot(app)
    for key, direction in [("why", "up"), ("member", "down")]:
        refused = move(key, direction)
        assert refused.status_code == 400
        assert "why is shown depending on the answer to member, which must come before it." \
            in text_of(refused)
    assert snapshot(app) == before
    assert move("member", "next").status_code == 400  # "why" stays on page 1
    assert snapshot(app) == before


def test_renaming_a_key_updates_the_conditions_that_use_it(app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    q = ids(app, survey_id)["questions"]
    sent = author.post_form(f"/manage/questions/{q['member']}", {
        "type": "single_choice", "shown_type": "single_choice", "key": "is_member",
        "text": "Är du medlem?", "required": "y", "options": "yes = Ja\nno = Nej",
        "dont_know": "prefer_not"})
    assert sent.status_code == 302, text_of(sent)
    with app.app_context():
        assert db.session.get(Question, q["why"]).condition == {
            "question": "is_member", "values": ["yes"]}
    dropped = author.post_form(f"/manage/questions/{q['member']}", {
        "type": "single_choice", "shown_type": "single_choice", "key": "is_member",
        "text": "Är du medlem?", "options": "no = Nej", "dont_know": ""})
    assert dropped.status_code == 400
    assert "why is shown only after the answers yes" in text_of(dropped)


def test_editing_options_in_swedish_keeps_their_translations(app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    q = ids(app, survey_id)["questions"]
    form = author.get(f"/manage/questions/{q['sports']}")
    assert "run = Löpning" in text_of(form)
    sent = author.post_form(f"/manage/questions/{q['sports']}", {
        "type": "multiple_choice", "shown_type": "multiple_choice", "key": "sports",
        "text": "Vilka sporter?", "help": "Välj alla som passar.",
        "options": "run = Springa\nswim = Simning\nski = Skidor", "dont_know": "prefer_not"})
    assert sent.status_code == 302, text_of(sent)
    with app.app_context():
        question = db.session.get(Question, q["sports"])
        assert question.settings["options"] == [
            {"code": "run", "label": {"sv": "Springa", "en": "Running", "ar": "الجري"}},
            {"code": "swim", "label": {"sv": "Simning", "en": "Swimming", "ar": "السباحة"}},
            {"code": "ski", "label": {"sv": "Skidor"}},
        ]
        assert question.text["sv"] == "Vilka sporter?" and question.text["en"] == "Sports"
        assert question.help == {"sv": "Välj alla som passar."}


@pytest.mark.parametrize("data, message", [
    ({"options": "yes Ja"}, 'Line 1: write it as "code = label"'),
    ({"options": "Ja = Ja"}, "Line 1: a code may hold lower-case letters"),
    ({"options": ""}, "Add at least one option."),
    ({"options": "yes = Ja\nyes = Jo"}, "Option codes must be unique."),
    ({"key": "Bad Key"}, "Use lower-case letters a-z, digits and _ only."),
    ({"key": "sports"}, "Another question already uses the key sports."),
    ({"text": ""}, "This field is required."),
])
def test_a_question_with_bad_settings_is_shown_again_with_the_problem(
        app, author, org, make_survey, data, message):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    page_id = ids(app, survey_id)["pages"][0]
    before = snapshot(app)
    sent = add_question(author, page_id, {"type": "single_choice", "key": "colour",
                                          "text": "Färg?", "options": "red = Röd", **data})
    assert sent.status_code == 400
    assert message in text_of(sent)
    assert snapshot(app) == before


@pytest.mark.parametrize("type_name, data, expected", [
    ("scale", {"low": "1", "high": "7", "min_label": "Lite", "max_label": "Mycket",
               "dont_know": "dont_know"},
     {"min": 1, "max": 7, "min_label": {"sv": "Lite"}, "max_label": {"sv": "Mycket"},
      "dont_know": "dont_know"}),
    ("agreement", {"dont_know": ""}, {"dont_know": None}),
    ("matrix", {"items": "a = Skolan\nb = Vården", "options": "1 = Dåligt\n2 = Bra",
                "dont_know": ""},
     {"items": [{"code": "a", "label": {"sv": "Skolan"}}, {"code": "b", "label": {"sv": "Vården"}}],
      "options": [{"code": "1", "label": {"sv": "Dåligt"}}, {"code": "2", "label": {"sv": "Bra"}}],
      "dont_know": None}),
    ("number", {"low": "0", "high": "2,5", "integer": ""},
     {"min": 0, "max": 2.5, "integer": False}),
    ("short_text", {"max_length": "80"}, {"max_length": 80}),
    ("long_text", {"max_length": "3000"}, {"max_length": 3000}),
    ("year_of_birth", {"min_age": "18", "max_age": "99", "dont_know": "prefer_not"},
     {"min_age": 18, "max_age": 99, "dont_know": "prefer_not"}),
])
def test_every_question_type_can_be_added_with_its_settings(app, author, org, make_survey,
                                                           type_name, data, expected):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    page_id = ids(app, survey_id)["pages"][1]
    form = author.get(f"/manage/pages/{page_id}/questions/new?type={type_name}")
    assert form.status_code == 200
    sent = add_question(author, page_id, {"type": type_name, "key": "added", "text": "Ny", **data})
    assert sent.status_code == 302, text_of(sent)
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == "added"))
        assert (question.type, question.settings, question.position) == (type_name, expected, 4)


def test_changing_the_type_shows_the_new_settings_before_saving(app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    q = ids(app, survey_id)["questions"]
    before = snapshot(app)
    shown = author.post_form(f"/manage/questions/{q['member']}", {
        "type": "matrix", "shown_type": "single_choice", "key": "member", "text": "Är du medlem?",
        "options": "yes = Ja\nno = Nej", "dont_know": "prefer_not"})
    assert shown.status_code == 200
    body = text_of(shown)
    assert 'name="items"' in body and "yes = Ja" in body
    assert 'name="shown_type" type="hidden" value="matrix"' in body
    assert snapshot(app) == before
    saved = author.post_form(f"/manage/questions/{q['member']}", {
        "type": "matrix", "shown_type": "matrix", "key": "member", "text": "Är du medlem?",
        "items": "club = I en förening", "options": "yes = Ja\nno = Nej", "dont_know": ""})
    assert saved.status_code == 302, text_of(saved)
    with app.app_context():
        question = db.session.get(Question, q["member"])
        assert question.type == "matrix"
        assert question.settings["items"] == [{"code": "club", "label": {"sv": "I en förening"}}]
        # The Arabic option labels survive, since the option codes did.
        assert question.settings["options"][0]["label"]["ar"] == "نعم"


def test_structure_is_fixed_once_a_survey_has_responses(app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition())
    with app.app_context():
        start_response(db.session.get(Survey, survey_id), "sv")
        db.session.commit()
    ids_ = ids(app, survey_id)
    q, page_id = ids_["questions"], ids_["pages"][0]
    before = snapshot(app)
    refusals = [
        add_question(author, page_id, {"type": "short_text", "key": "new", "text": "Ny",
                                       "max_length": "100"}),
        author.post_form(f"/manage/questions/{q['sports']}/delete"),
        author.post_form(f"/manage/surveys/{survey_id}/pages", {"title": ""}),
        author.post_form(f"/manage/pages/{page_id}/delete"),
        author.post_form(f"/manage/questions/{q['why']}/move", {"direction": "previous"}),
        author.post_form(f"/manage/questions/{q['sports']}", {
            "type": "multiple_choice", "shown_type": "multiple_choice", "key": "sports",
            "text": "Sporter", "options": "run = Löpning", "dont_know": "prefer_not"}),
        author.post_form(f"/manage/questions/{q['sports']}", {
            "type": "multiple_choice", "shown_type": "multiple_choice", "key": "sport",
            "text": "Sporter", "options": "run = Löpning\nswim = Simning",
            "dont_know": "prefer_not"}),
    ]
    for refused in refusals:
        assert refused.status_code == 400
        assert "This survey already has responses" in text_of(refused)
    assert snapshot(app) == before

    relabelled = author.post_form(f"/manage/questions/{q['sports']}", {
        "type": "multiple_choice", "shown_type": "multiple_choice", "key": "sports",
        "text": "Vilka sporter utövar du?", "options": "swim = Simma\nrun = Springa",
        "dont_know": "prefer_not"})
    assert relabelled.status_code == 302
    with app.app_context():
        question = db.session.get(Question, q["sports"])
        assert question.text["sv"] == "Vilka sporter utövar du?"
        assert [o["label"]["sv"] for o in question.settings["options"]] == ["Simma", "Springa"]


def test_settings_store_swedish_times_as_utc_and_show_them_back(app, author):
    survey_id = create_survey(author, languages=("sv",))
    sent = author.post_form(f"/manage/surveys/{survey_id}/settings", {
        "slug": "trygghet", "title": "Trygghet", "intro": "Hej", "consent": "Ok", "thanks": "",
        "opens_at": "2030-06-01T10:00", "closes_at": "2030-12-01T10:00"})
    assert sent.status_code == 302, text_of(sent)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        # Summer time is UTC+2, winter time UTC+1.
        assert survey.opens_at == datetime(2030, 6, 1, 8, 0)
        assert survey.closes_at == datetime(2030, 12, 1, 9, 0)
    page = text_of(author.get(f"/manage/surveys/{survey_id}/settings"))
    assert 'value="2030-06-01T10:00"' in page and 'value="2030-12-01T10:00"' in page

    backwards = author.post_form(f"/manage/surveys/{survey_id}/settings", {
        "slug": "trygghet", "title": "Trygghet", "opens_at": "2030-06-01T10:00",
        "closes_at": "2030-05-01T10:00"})
    assert backwards.status_code == 400
    assert "The closing time must be after the opening time." in text_of(backwards)


def test_the_address_is_fixed_once_the_survey_has_opened(app, author, org, make_survey):
    survey_id = make_survey(org, slug="tillit")
    make_survey(org, slug="upptagen", status=SurveyStatus.draft)
    refused = author.post_form(f"/manage/surveys/{survey_id}/settings", {
        "slug": "ny-adress", "languages": ["en"], "title": "Tillit"})
    assert refused.status_code == 400
    assert "The address cannot change once the survey has opened" in text_of(refused)
    draft_id = create_survey(author, slug="utkast", languages=("sv",))
    taken = author.post_form(f"/manage/surveys/{draft_id}/settings",
                             {"slug": "upptagen", "title": "T"})
    assert taken.status_code == 400 and "The address upptagen is already taken." in text_of(taken)
    with app.app_context():
        assert db.session.get(Survey, survey_id).slug == "tillit"
        assert db.session.get(Survey, draft_id).slug == "utkast"


def test_a_new_survey_needs_a_free_well_formed_address(app, author, org, make_survey):
    make_survey(org, slug="tillit")
    count = survey_count(app)
    for slug, message in [("tillit", "The address tillit is already taken."),
                          ("Med Mellanslag", "Use lower-case letters a-z, digits and hyphens")]:
        sent = author.post_form("/manage/surveys/new", {
            "slug": slug, "title": "T", "default_language": "sv", "languages": ["sv"]})
        assert sent.status_code == 400 and message in text_of(sent)
    assert survey_count(app) == count


def test_an_author_creates_a_survey_from_the_ready_template(app, author, org):
    page = text_of(author.get("/manage/surveys/new"))
    assert '<option value="tillit-och-delaktighet">Trust and participation</option>' in page
    sent = author.post_form("/manage/surveys/from-template", {
        "template-template": "tillit-och-delaktighet", "template-slug": "tillit-2026"})
    assert sent.status_code == 302, text_of(sent)
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == "tillit-2026"))
        assert survey.organisation_id == org.id and survey.status is SurveyStatus.draft
        expected = load_template("tillit-och-delaktighet")
        assert len(survey.questions()) == sum(len(p["questions"]) for p in expected["pages"])
    again = author.post_form("/manage/surveys/from-template", {
        "template-template": "tillit-och-delaktighet", "template-slug": "tillit-2026"})
    assert again.status_code == 400 and "already taken" in text_of(again)


def test_export_then_import_gives_the_same_survey(app, author, org, make_survey):
    survey_id = make_survey(org, slug="tillit")
    exported = author.get(f"/manage/surveys/{survey_id}/export")
    assert exported.status_code == 200
    assert exported.mimetype == "application/json"
    assert 'attachment; filename="tillit.json"' == exported.headers["Content-Disposition"]
    definition = json.loads(exported.data)
    sent = upload(author, "/manage/surveys/import", exported.data, slug="tillit-kopia")
    assert sent.status_code == 302, text_of(sent)
    with app.app_context():
        copy = db.session.scalar(select(Survey).where(Survey.slug == "tillit-kopia"))
        assert copy.organisation_id == org.id and copy.status is SurveyStatus.draft
        assert export_definition(copy) == {**definition, "slug": "tillit-kopia"}


def broken_definitions():
    good = small_definition("importerad")
    unknown_type = json.loads(json.dumps(good))
    unknown_type["pages"][0]["questions"][0]["type"] = "slider"
    bad_condition = json.loads(json.dumps(good))
    bad_condition["pages"][0]["questions"][0]["condition"] = {"question": "born", "values": ["1"]}
    wrong_format = {**good, "format": "surveymonkey/3"}
    list_where_code = json.loads(json.dumps(good))
    list_where_code["pages"][0]["questions"][0]["type"] = ["single_choice"]
    return [
        ("not-json", b"this is { not json", "The file is not valid JSON (line 1, column 1)."),
        ("latin1", "åäö".encode("latin-1"), "The file is not a text file in UTF-8."),
        ("array", b"[1, 2, 3]", "The file does not hold a survey definition."),
        ("format", json.dumps(wrong_format).encode(),
         "Unknown format: expected delaktig-survey/1."),
        ("type", json.dumps(unknown_type).encode(), "unknown question type slider."),
        ("condition", json.dumps(bad_condition).encode(),
         "a condition must name an earlier question"),
        ("duplicate", json.dumps({**good, "slug": "tillit"}).encode(),
         "The address tillit is already taken."),
        ("list", json.dumps(list_where_code).encode(), "unknown question type"),
        ("huge", b" " * (1024 * 1024 + 10) + b"{}", "The file is too large"),
    ]


@pytest.mark.parametrize("name, content, message", broken_definitions(),
                         ids=[case[0] for case in broken_definitions()])
def test_a_broken_import_explains_itself_and_creates_nothing(app, author, org, make_survey,
                                                            name, content, message):
    make_survey(org, slug="tillit")
    before = snapshot(app)
    sent = upload(author, "/manage/surveys/import", content)
    assert sent.status_code == 400
    assert message in text_of(sent)
    assert snapshot(app) == before


def test_an_import_without_a_file_asks_for_one(app, author):
    sent = author.post_form("/manage/surveys/import", {}, content_type="multipart/form-data")
    assert sent.status_code == 400 and "Choose a file to import." in text_of(sent)
    assert survey_count(app) == 0


def test_the_preview_shows_each_page_in_the_chosen_language_without_a_response(
        app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    start = author.get(f"/manage/surveys/{survey_id}/preview?lang=ar")
    assert start.status_code == 200
    assert '<html lang="ar" dir="rtl">' in text_of(start)
    assert "استبيان صغير" in text_of(start)
    first = author.get(f"/manage/surveys/{survey_id}/preview/1?lang=ar")
    body = text_of(first)
    assert "هل أنت عضو؟" in body and 'name="q_member"' in body and "Are you a member?" not in body
    second = author.get(f"/manage/surveys/{survey_id}/preview/2?lang=en")
    assert '<html lang="en" dir="ltr">' in text_of(second)
    assert "Shown only when the answer to member is one of: yes" in text_of(second)
    assert author.get(f"/manage/surveys/{survey_id}/preview/3").status_code == 200
    assert author.get(f"/manage/surveys/{survey_id}/preview/4").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0


def test_the_preview_marks_texts_missing_in_its_language(app, author, org, make_survey):
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == "member"))
        question.text.pop("en")
        db.session.commit()
    # The preview's interface follows the language previewed, like the residents' pages.
    body = text_of(author.get(f"/manage/surveys/{survey_id}/preview/1?lang=en"))
    assert '<span lang="sv" dir="ltr">Är du medlem?</span>' in body
    assert "1 text has no translation in this language" in body


@pytest.mark.parametrize("role", [Role.facilitator, Role.analyst, Role.author, Role.admin])
def test_staff_type_in_a_paper_questionnaire(app, client, login, make_org, make_survey, role):
    org = make_org()
    survey_id = make_survey(org, slug="tillit", status=SurveyStatus.closed)
    staff(client, login, org, role)
    sent = client.post_form(f"/manage/surveys/{survey_id}/entry",
                            {"language": "ar", "channel": "paper"})
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith("/s/tillit/p/1?lang=ar")
    with client.session_transaction() as session:
        token = session["responses"][str(survey_id)]
    with app.app_context():
        response = db.session.scalar(select(Response))
        entered_by = db.session.scalar(select(User).where(User.email == user_email(org, role)))
        assert (response.token, response.channel, response.language, response.entered_by_id) == (
            token, Channel.paper, "ar", entered_by.id)
    page = client.get(sent.headers["Location"])
    assert page.status_code == 200 and 'lang="ar"' in text_of(page)


def test_answers_cannot_be_entered_on_a_draft(app, author, org, make_survey):
    survey_id = make_survey(org, slug="tillit", status=SurveyStatus.draft)
    refused = author.post_form(f"/manage/surveys/{survey_id}/entry",
                               {"language": "sv", "channel": "interview"})
    assert refused.status_code == 400
    assert "Answers can be entered once the survey has been opened." in text_of(refused)
    wrong = author.post_form(f"/manage/surveys/{make_survey(org, slug='open')}/entry",
                             {"language": "xx", "channel": "web"})
    assert wrong.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0


def test_the_list_shows_status_responses_and_translation_state(app, author, org, make_survey):
    survey_id = make_survey(org, slug="tillit")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for _ in range(2):
            start_response(survey, "sv")
        start_response(survey, "ar").completed_at = datetime(2030, 1, 1)
        survey_texts(survey)[0].set("ar", "")
        db.session.commit()
        done, total = completeness(survey)["ar"]
        updated = survey.updated_at
    page = author.get("/manage/")
    body = text_of(page)
    assert "Tillit och delaktighet" in body and "/s/tillit" in body
    assert "3 started, 1 completed" in body
    assert f"Arabic: {done} of {total} texts" in body and done == total - 1
    assert f"Swedish: {total} of {total} texts" in body
    with app.app_context():  # Looking changes nothing.
        assert db.session.get(Survey, survey_id).updated_at == updated


def test_other_staff_see_surveys_read_only(app, client, login, org, make_survey):
    survey_id = make_survey(org, slug="tillit")
    staff(client, login, org, Role.analyst)
    listing = text_of(client.get("/manage/"))
    assert "Tillit och delaktighet" in listing and "New survey" not in listing
    overview = client.get(f"/manage/surveys/{survey_id}")
    assert overview.status_code == 200
    assert "Move up" not in text_of(overview) and "Start entering answers" in text_of(overview)
    assert client.get(f"/manage/surveys/{survey_id}/preview/1").status_code == 200


def authoring_requests(app, survey_id):
    """Every /manage request that changes a survey, with plausible form data."""
    found = ids(app, survey_id)
    page, question = found["pages"][0], found["questions"]["trust_kommun"]
    return [
        ("GET", "/manage/surveys/new", {}),
        ("POST", "/manage/surveys/new", {"slug": "x", "title": "X", "default_language": "sv"}),
        ("POST", "/manage/surveys/from-template",
         {"template-template": "tillit-och-delaktighet", "template-slug": "y"}),
        ("GET", "/manage/surveys/import", {}),
        ("POST", "/manage/surveys/import", {}),
        ("GET", f"/manage/surveys/{survey_id}/settings", {}),
        ("POST", f"/manage/surveys/{survey_id}/settings", {"slug": "tillit", "title": "T"}),
        ("POST", f"/manage/surveys/{survey_id}/open", {}),
        ("POST", f"/manage/surveys/{survey_id}/close", {}),
        ("GET", f"/manage/surveys/{survey_id}/export", {}),
        ("GET", f"/manage/surveys/{survey_id}/translations/en", {}),
        ("POST", f"/manage/surveys/{survey_id}/translations/en", {"t-survey-title": "T"}),
        ("POST", f"/manage/surveys/{survey_id}/pages", {"title": "P"}),
        ("GET", f"/manage/pages/{page}", {}),
        ("POST", f"/manage/pages/{page}", {"title": "P"}),
        ("POST", f"/manage/pages/{page}/move", {"direction": "down"}),
        ("GET", f"/manage/pages/{page}/delete", {}),
        ("POST", f"/manage/pages/{page}/delete", {}),
        ("GET", f"/manage/pages/{page}/questions/new", {}),
        ("POST", f"/manage/pages/{page}/questions/new",
         {"type": "short_text", "shown_type": "short_text", "key": "k", "text": "T",
          "max_length": "10"}),
        ("GET", f"/manage/questions/{question}", {}),
        ("POST", f"/manage/questions/{question}", {"type": "agreement", "shown_type": "agreement",
                                                    "key": "k", "text": "T"}),
        ("POST", f"/manage/questions/{question}/move", {"direction": "down"}),
        ("GET", f"/manage/questions/{question}/condition", {}),
        ("POST", f"/manage/questions/{question}/condition",
         {"source": "trust_people", "values": ["5"]}),
        ("GET", f"/manage/questions/{question}/delete", {}),
        ("POST", f"/manage/questions/{question}/delete", {}),
    ]


@pytest.mark.parametrize("role", [Role.facilitator, Role.analyst])
def test_facilitators_and_analysts_cannot_author(app, client, login, org, make_survey, role):
    survey_id = make_survey(org, slug="tillit")
    staff(client, login, org, role)
    before = snapshot(app)
    requests = authoring_requests(app, survey_id)
    assert {url.split("/")[2] for _, url, _ in requests} == {"surveys", "pages", "questions"}
    for method, url, data in requests:
        sent = client.get(url) if method == "GET" else client.post_form(url, data)
        assert sent.status_code == 403, (method, url)
    assert snapshot(app) == before


def test_anonymous_visitors_are_sent_to_log_in_from_every_staff_page(app, client, org,
                                                                     make_survey):
    survey_id = make_survey(org, slug="tillit")
    before = snapshot(app)
    requests = authoring_requests(app, survey_id) + [
        ("GET", "/manage/", {}), ("GET", f"/manage/surveys/{survey_id}", {}),
        ("GET", f"/manage/surveys/{survey_id}/preview", {}),
        ("POST", f"/manage/surveys/{survey_id}/entry", {"language": "sv", "channel": "paper"}),
        ("GET", "/manage/users", {}), ("GET", "/manage/users/new", {}),
    ]
    for method, url, data in requests:
        sent = client.get(url) if method == "GET" else client.post_form(url, data)
        assert sent.status_code == 302, (method, url)
        assert sent.headers["Location"].startswith("/login?next="), (method, url)
    assert snapshot(app) == before
