"""Translators get a survey's texts as a PO file and bring them back, checked line by line."""

from __future__ import annotations

import io

import pytest
from babel.messages.pofile import read_po, write_po
from flask_babel import force_locale

from surveys.extensions import db
from surveys.survey.models import Survey, SurveyStatus
from surveys.survey.services import import_translations
from surveys.survey.translation_files import export_po
from tests.support.surveys import small_definition


@pytest.fixture
def survey(app, make_org, make_survey):
    definition = small_definition()
    definition["texts"]["intro"] = {
        "sv": "Läs mer på https://exempelby.se/enkat om {kommun}.",
        "en": "Read more at https://exempelby.se/enkat about {kommun}.",
        "ar": "اقرأ المزيد على https://exempelby.se/enkat عن {kommun}.",
    }
    survey_id = make_survey(make_org(), slug="liten", definition=definition)
    with app.app_context(), force_locale("en"):
        yield db.session.get(Survey, survey_id)


def edited(po: bytes, change) -> bytes:
    """The PO file after a translator's edit: `change(catalog)`."""
    catalog = read_po(io.BytesIO(po))
    change(catalog)
    out = io.BytesIO()
    write_po(out, catalog, width=0)
    return out.getvalue()


def test_an_exported_file_lists_every_text_with_its_id_and_source(survey):
    po = export_po(survey, "ar").decode()
    assert 'msgctxt "q.member.text"' in po and 'msgid "Är du medlem?"' in po
    assert 'msgstr "هل أنت عضو؟"' in po
    assert 'msgctxt "q.grid.item.a"' in po and "Language: ar" in po


def test_a_translated_file_comes_back_and_changes_only_what_was_translated(survey):
    def translate(catalog):
        catalog.get("Är du medlem?", context="q.member.text").string = "هل أنتِ عضو؟"

    report = import_translations(survey, "ar", edited(export_po(survey, "ar"), translate))
    assert report.ok and report.changed == 1
    member = next(q for q in survey.questions() if q.key == "member")
    assert member.text["ar"] == "هل أنتِ عضو؟" and member.text["sv"] == "Är du medlem?"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.add("Okänd", "مجهول", context="q.nothing.text"), "Unknown text id q.nothing.text"),
        (lambda c: setattr(c.get("Är du medlem?", context="q.member.text"), "string", ""),
         "was emptied"),
        (lambda c: setattr(c.get("Läs mer på https://exempelby.se/enkat om {kommun}.",
                                 context="survey.intro"), "string", "اقرأ المزيد عن البلدية."),
         "lost or changed a placeholder"),
    ],
)
def test_a_bad_line_is_reported_with_its_line_and_nothing_is_imported(survey, change, message):
    def with_good_edit_too(catalog):
        catalog.get("Tillit", context="q.trust.text").string = "ثقة جديدة"
        change(catalog)

    report = import_translations(survey, "ar", edited(export_po(survey, "ar"), with_good_edit_too))
    assert not report.ok
    assert any(message in text and line for line, text in report.problems), report.problems
    trust = next(q for q in survey.questions() if q.key == "trust")
    assert trust.text["ar"] == "الثقة"  # the good edit was not half-imported


@pytest.mark.parametrize("data", [b"\xff\xfe garbage \x00", b"hello world", b'msgid "x"\nmsgstr'])
def test_a_broken_file_is_refused_with_a_message(survey, data):
    report = import_translations(survey, "ar", data)
    assert not report.ok and report.problems[0][1]


def test_a_file_for_another_language_is_refused(survey):
    report = import_translations(survey, "ar", export_po(survey, "en"))
    assert any("not" in text for _, text in report.problems)
    assert not report.ok


def test_an_author_downloads_and_uploads_a_po_file_in_the_browser(app, make_org, make_survey, login):
    org = make_org()
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    author = login(app.test_client(), org, "author")
    page = author.get(f"/manage/surveys/{survey_id}/translations/ar?lang=en")
    assert "Download the texts as a PO file" in page.get_data(as_text=True)
    po = author.get(f"/manage/surveys/{survey_id}/translations/ar.po")
    assert po.status_code == 200 and b'msgctxt "q.member.text"' in po.data

    def translate(catalog):
        catalog.get("Är du medlem?", context="q.member.text").string = "هل أنتِ عضو؟"

    sent = author.post_form(f"/manage/surveys/{survey_id}/translations/ar/po",
                            {"file": (io.BytesIO(edited(po.data, translate)), "ar.po")},
                            content_type="multipart/form-data")
    assert sent.status_code == 302
    broken = author.post_form(f"/manage/surveys/{survey_id}/translations/ar/po?lang=en",
                              {"file": (io.BytesIO(edited(po.data, lambda c: c.add(
                                  "x", "y", context="q.ghost.text"))), "ar.po")},
                              content_type="multipart/form-data")
    assert broken.status_code == 400
    assert "Unknown text id q.ghost.text" in broken.get_data(as_text=True)
    assert "Line " in broken.get_data(as_text=True)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        member = next(q for q in survey.questions() if q.key == "member")
        assert member.text["ar"] == "هل أنتِ عضو؟"
    other = login(app.test_client(), make_org(), "author")
    assert other.get(f"/manage/surveys/{survey_id}/translations/ar.po").status_code == 404
