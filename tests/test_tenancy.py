"""Organisations never see or change each other's surveys, pages, questions or users.

Every /manage route is tried, route by route, by a user of another organisation
with form data that works for the owner: the answer is 404 (or 403) and the
database is unchanged. A new /manage route without a case here fails the test.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from surveys.auth.models import User
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.survey.models import Question, Survey, SurveyStatus
from surveys.survey.services import set_audio
from surveys.survey.translation_files import export_po
from tests.conftest import user_email
from tests.support.audio import OGG
from tests.support.frames import frame_file, make_sample
from tests.support.manage import ids, snapshot, staff

#: Per endpoint: the status the owner's survey needs, and form data that works for the owner.
CASES: dict[str, tuple[SurveyStatus, dict]] = {
    "manage.survey": (SurveyStatus.draft, {}),
    "manage.settings": (SurveyStatus.draft, {
        "slug": "{slug}", "languages": ["en", "ar"], "title": "Ny titel", "intro": "Intro",
        "consent": "Samtycke", "thanks": "Tack"}),
    "manage.open_survey": (SurveyStatus.draft, {}),
    "manage.close_survey": (SurveyStatus.open, {}),
    "manage.export": (SurveyStatus.draft, {}),
    "manage.preview": (SurveyStatus.draft, {}),
    "manage.translations": (SurveyStatus.draft, {"t-survey-title": "New title"}),
    "manage.translation_file": (SurveyStatus.draft, {}),
    "manage.upload_translation_file": (SurveyStatus.draft, {"file": "{po}"}),
    "manage.entry": (SurveyStatus.open, {"language": "sv", "channel": "paper"}),
    "manage.add_page": (SurveyStatus.draft, {"title": "Extra"}),
    "manage.edit_page": (SurveyStatus.draft, {"title": "Ny rubrik"}),
    "manage.move_page": (SurveyStatus.draft, {"direction": "down"}),
    "manage.delete_page": (SurveyStatus.draft, {}),
    "manage.new_question": (SurveyStatus.draft, {
        "type": "short_text", "shown_type": "short_text", "key": "new_q", "text": "Ny fråga",
        "max_length": "200"}),
    "manage.edit_question": (SurveyStatus.draft, {
        "type": "scale", "shown_type": "scale", "key": "trust_kommun", "text": "Ändrad",
        "low": "0", "high": "10", "min_label": "Inget", "max_label": "Fullt", "dont_know": ""}),
    "manage.move_question": (SurveyStatus.draft, {"direction": "down"}),
    "manage.condition": (SurveyStatus.draft, {
        "action": "save", "source": "trust_people", "values": ["5", "6"]}),
    "manage.delete_question": (SurveyStatus.draft, {}),
    "fieldwork.overview": (SurveyStatus.open, {}),
    "fieldwork.frame": (SurveyStatus.open, {"file": "{frame}"}),
    "fieldwork.design": (SurveyStatus.open, {
        "columns": ["district"], "shown_columns": "district", "method": "equal", "n": "8",
        "seed": "1", "rate": "40", "action": "draw"}),
    "fieldwork.people": (SurveyStatus.open, {}),
    "fieldwork.people_csv": (SurveyStatus.open, {}),
    "fieldwork.qr": (SurveyStatus.open, {}),
    "fieldwork.outcome": (SurveyStatus.open, {"code": "{code}", "outcome": "refused"}),
    "fieldwork.outcomes_file": (SurveyStatus.open, {"file": "{outcomes}"}),
    "fieldwork.mailing": (SurveyStatus.open, {"kind": "letter", "sent_on": "2026-03-01",
                                              "count": "8"}),
    "fieldwork.rates_csv": (SurveyStatus.open, {}),
    "fieldwork.rates_xlsx": (SurveyStatus.open, {}),
    "fieldwork.purge": (SurveyStatus.open, {}),
    "fieldwork.letters": (SurveyStatus.open, {}),
    "fieldwork.make_letters": (SurveyStatus.open, {"kind": "letter", "sent_on": "2026-03-01"}),
    "fieldwork.retry_messages": (SurveyStatus.open, {}),
    "fieldwork.paper_pdf": (SurveyStatus.open, {}),
    "fieldwork.paper_entry": (SurveyStatus.open, {"code": "{code}", "language": "sv"}),
    "manage.upload_audio": (SurveyStatus.draft, {"language": "en", "file": "{ogg}"}),
    "manage.audio_file": (SurveyStatus.draft, {}),
    "manage.delete_audio": (SurveyStatus.draft, {}),
    "auth.user_role": (SurveyStatus.draft, {"role": "facilitator"}),
    "auth.user_active": (SurveyStatus.draft, {"active": "0"}),
    "auth.user_languages": (SurveyStatus.draft, {"languages": ["ar", "so"]}),
}

#: POSTs that answer with a file (written to the audit log), not a redirect.
DOWNLOADS = {"fieldwork.people_csv"}

#: Fieldwork routes that need a frame imported but no sample drawn yet (the others: drawn).
UNDRAWN = {"fieldwork.frame", "fieldwork.design"}
#: Routes that need a recording of the question to exist for the owner.
RECORDED = {"manage.audio_file", "manage.delete_audio"}

#: Routes that name no object: covered by the list and creation tests below.
WITHOUT_OBJECT = {"manage.index", "manage.new_survey", "manage.from_template",
                  "manage.import_survey", "auth.users", "auth.new_user",
                  "audit.index", "audit.download"}  # lists of the own organisation only


#: Placeholders for uploaded files, made fresh for each request.
FILES = ("{po}", "{frame}", "{outcomes}", "{ogg}")


def manage_routes(app) -> dict[str, set[str]]:
    """Endpoint -> HTTP methods, for every rule under /manage/ (surveys and users)."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/manage/"):
            routes.setdefault(rule.endpoint, set()).update(rule.methods & {"GET", "POST"})
    return routes


def test_every_manage_route_has_a_tenancy_case(app):
    assert set(manage_routes(app)) == set(CASES) | WITHOUT_OBJECT


@pytest.fixture
def two_organisations(make_org, make_client, login):
    """Organisation A (owner) and B (the other), each with a logged-in admin."""
    a, b = make_org("Kommun A"), make_org("Kommun B")
    owner = staff(make_client(), login, a, Role.admin)
    return a, owner, b, staff(make_client(), login, b, Role.admin)


def test_another_organisation_gets_404_on_every_route_and_changes_nothing(
        app, make_survey, two_organisations):
    a, owner, b, other = two_organisations
    with app.app_context():
        analyst_of_a = db.session.scalar(
            select(User.id).where(User.email == user_email(a, Role.analyst)))
    for number, (endpoint, methods) in enumerate(sorted(manage_routes(app).items())):
        if endpoint in WITHOUT_OBJECT:
            continue
        status, data = CASES[endpoint]
        slug = f"a-{number}"
        survey_id = make_survey(a, slug=slug, status=status)
        found = ids(app, survey_id)
        codes = (make_sample(app, survey_id, people=30, n=8, draw=endpoint not in UNDRAWN)
                 if endpoint.startswith("fieldwork.") else [""])
        if endpoint in RECORDED:
            with app.app_context():
                set_audio(db.session.get(Question, found["questions"]["trust_kommun"]), "en", OGG)
                db.session.commit()
        values = {"survey_id": survey_id, "page_id": found["pages"][0],
                  "question_id": found["questions"]["trust_kommun"],
                  "user_id": analyst_of_a, "lang": "en", "n": 1,
                  "access_code": codes[0] if codes else ""}
        with app.test_request_context():
            from flask import url_for

            rule = next(r for r in app.url_map.iter_rules(endpoint))
            url = url_for(endpoint, **{k: values[k] for k in rule.arguments if k in values})
        def form():
            """The form data, with a fresh upload each time (a file is read once)."""
            sent = {k: (v.format(slug=slug, code=codes[0] if codes else "")
                        if isinstance(v, str) and v not in FILES else v)
                    for k, v in data.items()}
            if sent.get("file") == "{frame}":
                sent["file"] = (io.BytesIO(frame_file(12)), "frame.csv")
            if sent.get("file") == "{outcomes}":
                sent["file"] = (io.BytesIO(f"{codes[0]},moved_out\n".encode()), "o.csv")
            if sent.get("file") == "{ogg}":
                sent["file"] = (io.BytesIO(OGG), "fraga.ogg")
            if sent.get("file") == "{po}":
                with app.app_context():
                    po = export_po(db.session.get(Survey, survey_id), "en")
                sent["file"] = (io.BytesIO(po), "en.po")
            return sent

        for method in sorted(methods):
            before = snapshot(app)
            sent = other.get(url, buffered=True) if method == "GET" else other.post_form(url, form())
            assert sent.status_code in (403, 404), (endpoint, method, sent.status_code)
            assert snapshot(app) == before, (endpoint, method)
        # The same requests work for the owner, so the 404s above are not a form problem.
        for method in sorted(methods):  # GET (the confirmation) before POST (the deletion)
            # buffered: a file sent from disk (a recording) is read whole and closed
            sent = owner.get(url, buffered=True) if method == "GET" else owner.post_form(url, form())
            expected = 200 if method == "GET" or endpoint in DOWNLOADS else 302
            assert sent.status_code == expected, (endpoint, method, sent.status_code)


def test_lists_show_only_the_own_organisations_surveys_and_users(
        app, make_survey, two_organisations):
    a, owner, b, other = two_organisations
    make_survey(a, slug="kommun-a-enkat")
    make_survey(b, slug="kommun-b-enkat")
    theirs = other.get("/manage/").get_data(as_text=True)
    assert "/s/kommun-b-enkat" in theirs and "kommun-a-enkat" not in theirs
    mine = owner.get("/manage/").get_data(as_text=True)
    assert "/s/kommun-a-enkat" in mine and "kommun-b-enkat" not in mine
    users = other.get("/manage/users").get_data(as_text=True)
    assert user_email(b, Role.author) in users and user_email(a, Role.author) not in users


def test_what_another_organisation_creates_belongs_to_it(app, two_organisations):
    a, owner, b, other = two_organisations
    assert other.post_form("/manage/surveys/new", {
        "slug": "b-ny", "title": "B:s enkät", "default_language": "sv",
        "languages": ["sv"]}).status_code == 302
    assert other.post_form("/manage/surveys/from-template", {
        "template-template": "tillit-och-delaktighet",
        "template-slug": "b-mall"}).status_code == 302
    assert other.post_form("/manage/users/new", {
        "name": "B-person", "email": "person@b.se", "role": "author",
        "password": "x" * 12}).status_code == 302
    with app.app_context():
        owners = set(db.session.scalars(select(Survey.organisation_id)))
        person = db.session.scalar(select(User).where(User.email == "person@b.se"))
        assert owners == {b.id} and person.organisation_id == b.id
    assert "b-ny" not in owner.get("/manage/").get_data(as_text=True)
