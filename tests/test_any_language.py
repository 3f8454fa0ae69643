"""Survey content in any BCP 47 language: Finnish and Sorani beside the interface languages,
the interface around them chosen per survey, and `lang`/`dir` on content and chrome."""

from __future__ import annotations

import re

import pytest

from surveys.core.i18n import language, normalise_tag
from surveys.extensions import db
from surveys.survey.models import Survey, SurveyStatus
from surveys.survey.translation_files import export_po
from tests.support.manage import snapshot, staff
from tests.support.surveys import small_definition


def many_languages() -> dict:
    """The small survey also in Finnish (Swedish interface), Sorani (English interface) and
    Kurmanji (Arabic interface); only some texts are translated, the rest fall back."""
    definition = small_definition("monta")
    definition["languages"] += ["fi", "ckb", "kmr"]
    definition["interface_languages"] = {"ckb": "en", "kmr": "ar"}
    definition["texts"]["title"] |= {"fi": "Pieni kysely", "ckb": "ڕاپرسیی بچووک",
                                     "kmr": "Anketa biçûk"}
    member = definition["pages"][0]["questions"][0]
    member["text"] |= {"fi": "Oletko jäsen?", "ckb": "ئایا تۆ ئەندامیت؟", "kmr": "Tu endam î?"}
    return definition


@pytest.fixture
def survey_id(make_org, make_survey):
    return make_survey(make_org(), slug="monta", definition=many_languages())


def first_page(client, lang: str) -> str:
    assert client.post_form(f"/s/monta/start?lang={lang}").status_code == 302
    return client.get(f"/s/monta/p/1?lang={lang}").get_data(as_text=True)


def test_tags_are_checked_and_written_in_their_usual_case():
    assert normalise_tag("PA-arab-pk") == "pa-Arab-PK"
    assert normalise_tag("prs") == "prs"  # Dari stays Dari (langcodes would make it fa-AF)
    assert normalise_tag("sv-ll") == "sv-ll"
    for bad in ("xx", "sv_SE", "klingon", "123", "a" * 40, ""):
        assert normalise_tag(bad) is None, bad
    assert (language("ckb").direction, language("yi").direction) == ("rtl", "rtl")
    assert language("pa-Arab").direction == "rtl" and language("fi").direction == "ltr"
    assert language("fit").native_name == "meänkieli"


def test_sorani_content_is_right_to_left_inside_an_english_left_to_right_interface(
        client, survey_id):
    page = first_page(client, "ckb")
    assert '<html lang="en" dir="ltr">' in page
    assert '<span lang="ckb" dir="rtl">ئایا تۆ ئەندامیت؟</span>' in page
    assert ">Next<" in page and "(required)" in page  # the chrome is English
    # An untranslated text falls back to Swedish, marked as Swedish.
    assert '<span lang="sv" dir="ltr">Sporter</span>' in page
    # The picker names every survey language in itself, with its own lang and dir.
    picker = re.search(r'<nav aria-label="Language".*?</nav>', page, re.DOTALL).group(0)
    assert 'hreflang="ckb" lang="ckb" dir="rtl" aria-current="true">کوردیی سۆرانی</a>' in picker
    assert 'lang="fi" dir="ltr">suomi</a>' in picker
    assert 'lang="kmr" dir="ltr">kurdî (kurmancî)</a>' in picker


def test_kurmanji_content_is_left_to_right_inside_an_arabic_interface(client, survey_id):
    page = first_page(client, "kmr")
    assert '<html lang="ar" dir="rtl">' in page
    assert '<span lang="kmr" dir="ltr">Tu endam î?</span>' in page
    assert "التالي" in page  # "Next" in Arabic


def test_finnish_content_gets_the_swedish_interface_by_default(app, client, survey_id):
    page = first_page(client, "fi")
    assert '<html lang="sv" dir="ltr">' in page
    assert '<span lang="fi" dir="ltr">Oletko jäsen?</span>' in page
    # Swedish fallback texts need no mark inside a Swedish page.
    assert ">Sporter<" in page and ">Nästa<" in page
    with app.app_context():
        assert db.session.get(Survey, survey_id).interface_locale("fi") == "sv"


def test_an_interface_language_keeps_its_page_unmarked(client, survey_id):
    page = first_page(client, "ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert "<span>هل أنت عضو؟" in page or ">هل أنت عضو؟" in page
    assert 'lang="ar" dir="rtl">هل أنت عضو؟' not in page


def test_an_author_adds_finnish_and_a_typed_tag_and_chooses_their_interface(
        app, client, login, make_org, make_survey):
    org = make_org()
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    author = staff(client, login, org, "author")
    url = f"/manage/surveys/{survey_id}/settings"
    form = {"slug": "liten", "languages": ["en", "ar", "sv-ll", "fi", "ckb"],
            "other_languages": "PA-arab",
            "title": "Liten enkät", "intro": "Välkommen", "consent": "Svaren sparas anonymt.",
            "thanks": "Tack"}
    assert author.post_form(url, form).status_code == 302
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert survey.languages == ["sv", "en", "ar", "sv-ll", "fi", "ckb", "pa-Arab"]
        assert survey.interface_locale("pa-Arab") == "sv"
    page = author.get(url).get_data(as_text=True)
    # The typed language is now a ticked choice, and each language without an interface of
    # its own has an interface choice (easy-to-read Swedish is always in Swedish).
    assert 'value="pa-Arab" checked' in page
    assert page.count('<select id="interface_') == 3
    assert "Interface around Kurdish (Sorani)" in page
    fields = {f"interface_{i}": ui for i, ui in enumerate(("sv", "en", "fa"))}
    assert author.post_form(url, form | {"other_languages": ""} | fields).status_code == 302
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert survey.languages == ["sv", "en", "ar", "sv-ll", "fi", "ckb"]  # pa-Arab unticked
        assert survey.interface_languages == {"fi": "sv", "ckb": "en"}
        # Translators get a PO file for any tag, even one CLDR has no locale for.
        assert b'msgctxt "survey.title"' in export_po(survey, "ckb")
        assert b"msgctxt" in export_po(survey, "fi")
    assert author.get(f"/manage/surveys/{survey_id}/translations/ckb").status_code == 200


def test_bad_language_tags_are_refused_with_a_message_and_nothing_changes(
        app, client, login, make_org, make_survey):
    org = make_org()
    survey_id = make_survey(org, slug="liten", definition=small_definition(),
                            status=SurveyStatus.draft)
    author = staff(client, login, org, "author")
    before = snapshot(app)
    sent = author.post_form(f"/manage/surveys/{survey_id}/settings", {
        "slug": "liten", "languages": ["en"], "other_languages": "fi klingon xx-123",
        "title": "Liten enkät", "intro": "Välkommen", "consent": "Samtycke", "thanks": ""})
    assert sent.status_code == 400
    assert "klingon, xx-123: not a valid BCP 47 language tag." in sent.get_data(as_text=True)
    assert snapshot(app) == before
    sent = author.post_form("/manage/surveys/new", {
        "slug": "ny", "title": "Ny", "default_language": "sv", "languages": ["sv"],
        "other_languages": "sv_SE"})
    assert sent.status_code == 400 and "sv_SE: not a valid" in sent.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_new_survey_can_be_written_in_finnish_first(app, client, login, make_org):
    org = make_org()
    author = staff(client, login, org, "author")
    sent = author.post_form("/manage/surveys/new", {
        "slug": "kysely", "title": "Kysely", "default_language": "fi",
        "languages": ["sv"], "other_languages": "se, sma smj"})
    assert sent.status_code == 302
    with app.app_context():
        survey = db.session.query(Survey).filter_by(slug="kysely").one()
        assert survey.languages == ["fi", "sv", "se", "sma", "smj"]
        assert survey.texts["title"] == {"fi": "Kysely"}
    page = author.get(f"/manage/surveys/{survey.id}/settings").get_data(as_text=True)
    # The default-language text boxes are marked Finnish.
    assert '<input dir="ltr" id="title" lang="fi"' in page


def test_definitions_carry_any_tag_and_the_interface_choices(app, make_org, make_survey):
    from surveys.survey.definition import definition_problems, export_definition

    survey_id = make_survey(make_org(), slug="monta", definition=many_languages())
    with app.app_context():
        exported = export_definition(db.session.get(Survey, survey_id))
    assert exported["interface_languages"] == {"ckb": "en", "kmr": "ar"}
    assert definition_problems(exported) == []
    bad = dict(exported, languages=[*exported["languages"], "zz-top"])
    assert "languages must list known language codes once each." in definition_problems(bad)
    wrong_ui = dict(exported, interface_languages={"ckb": "ckb"})
    assert any("interface_languages" in p for p in definition_problems(wrong_ui))
