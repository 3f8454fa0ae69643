"""Statements in every language: an interpreter translates in the queue beside moderation,
participants vote on the statement in their own language (the original one tap away), a
pre-moderated event can wait for the translations, and a LibreTranslate-compatible service
drafts translations that a person approves; bad input and a misbehaving service are refused
with clear words and lose nothing."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dialog.models import Moderation, Statement, StatementTranslation, TranslationStatus, Vote
from surveys.audit.models import AuditEvent
from surveys.auth.models import User
from surveys.core.roles import Role
from surveys.extensions import db
from tests.conftest import user_email
from tests.support.dialog import create_event, join, vote, write
from tests.support.libretranslate import LibreTranslate

ARABIC = "نحتاج إلى مكان للنساء في الحديقة"
SWEDISH = "Vi behöver en plats för kvinnor i parken"


def user_id(app, org, role: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == user_email(org, role)))


def translations(app) -> list[tuple[str, str, TranslationStatus, str | None]]:
    with app.app_context():
        return [(t.language, t.text, t.status, t.translator.role.value if t.translator else None)
                for t in db.session.scalars(select(StatementTranslation)
                                            .order_by(StatementTranslation.id))]


def statement_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Statement.id).order_by(Statement.id.desc()))


def translate(client, sid: int, language: str, text: str):
    return client.post_form(f"/dialog/statements/{sid}/translations",
                            {"language": language, "text": text})


@pytest.fixture
def arabic_statement(app, make_org, make_client):
    """An open event in Swedish, English and Arabic; an Arabic phone wrote one statement."""
    org = make_org()
    ev = create_event(app, org)
    writer = make_client()
    join(writer, ev["code"], "ar")
    assert write(writer, ev["code"], ev["prompts"][0], ARABIC).status_code == 302
    return org, ev, writer, statement_id(app)


def test_an_interpreter_translates_and_each_phone_votes_in_its_own_language(
        app, make_client, login, arabic_statement):
    org, ev, _writer, sid = arabic_statement
    swedish = make_client()
    join(swedish, ev["code"], "sv")
    page = swedish.get(f"/d/{ev['code']}/vote").get_data(as_text=True)
    # Before a translation: the original, marked Arabic and right-to-left, and a note.
    assert f'<legend class="statement"><span lang="ar" dir="rtl">{ARABIC}</span>' in page
    assert "översättning" in page.lower() and "<details" not in page

    admin = login(make_client(), org, "admin")
    interpreter_id = user_id(app, org, "interpreter")
    assert admin.post_form(f"/manage/users/{interpreter_id}/languages",
                           {"languages": ["sv"]}).status_code == 302
    users = admin.get("/manage/users?lang=en").get_data(as_text=True)
    assert 'Translates into: <span lang="sv" dir="ltr">Svenska</span>' in users
    with app.app_context():
        logged = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "languages_changed"))
        assert (logged.subject, logged.detail) == (user_email(org, "interpreter"),
                                                   {"languages": ["sv"]})
    interpreter = make_client()
    interpreter.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    landed = interpreter.post_form("/login", {"email": user_email(org, "interpreter"),
                                              "password": "correct horse battery"})
    assert landed.headers["Location"] == "/dialog/"
    queue = interpreter.get(f"/dialog/events/{ev['id']}/translations")
    assert queue.status_code == 200
    text = queue.get_data(as_text=True)
    assert f't-{sid}-sv' in text and f't-{sid}-en' not in text  # only the interpreter's language
    assert 'lang="sv" dir="ltr"' in text and "<script" not in text
    # Not the interpreter's language, and not a moderator's page: refused, nothing stored.
    assert translate(interpreter, sid, "en", "We need a place").status_code == 403
    assert interpreter.get(f"/dialog/events/{ev['id']}/moderation").status_code == 403
    assert translations(app) == []

    assert translate(interpreter, sid, "sv", SWEDISH).status_code == 302
    assert translations(app) == [("sv", SWEDISH, TranslationStatus.approved, "interpreter")]
    page = swedish.get(f"/d/{ev['code']}/vote").get_data(as_text=True)
    assert f'<legend class="statement"><span lang="sv" dir="ltr">{SWEDISH}</span>' in page
    details = re.search(r"<details class=\"original\">.*?</details>", page, re.DOTALL).group(0)
    assert f'<p lang="ar" dir="rtl">{ARABIC}</p>' in details
    # An English phone still reads the original with the note.
    english = make_client()
    join(english, ev["code"], "en")
    assert "A translation into your language is coming" in english.get(
        f"/d/{ev['code']}/vote").get_data(as_text=True)
    # Votes in every language count for the one statement.
    assert vote(swedish, ev["code"], sid, 1).status_code == 302
    assert vote(english, ev["code"], sid, 1).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Vote.id)).where(
            Vote.statement_id == sid)) == 2


def test_bad_translations_are_refused_with_the_text_kept(app, make_client, login,
                                                        arabic_statement):
    org, _ev, _writer, sid = arabic_statement
    facilitator = login(make_client(), org, "facilitator")
    facilitator.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    empty = translate(facilitator, sid, "sv", "   ")
    assert empty.status_code == 400
    assert "Write the translation before you save it." in empty.get_data(as_text=True)
    long_text = "Mycket lång text " * 40
    too_long = translate(facilitator, sid, "sv", long_text)
    assert too_long.status_code == 413
    body = too_long.get_data(as_text=True)
    assert "at most 560 characters" in body and long_text.strip() in body  # nothing lost
    for language in ("fa", "ar", "xx"):  # not the event's, the original's own, unknown
        refused = translate(facilitator, sid, language, "Text")
        assert refused.status_code == 400, language
        assert "languages other than the statement" in refused.get_data(as_text=True)
    assert translations(app) == []
    assert translate(facilitator, 10**12, "sv", "Text").status_code == 404


def test_a_moderator_corrects_the_original_language(app, make_client, login, arabic_statement):
    org, _ev, _writer, sid = arabic_statement
    facilitator = login(make_client(), org, "facilitator")
    assert translate(facilitator, sid, "en", "We need a place").status_code == 302
    assert facilitator.post_form(f"/dialog/statements/{sid}/language",
                                 {"language": "fa"}).status_code == 400
    assert facilitator.post_form(f"/dialog/statements/{sid}/language",
                                 {"language": "en"}).status_code == 302
    with app.app_context():
        assert db.session.get(Statement, sid).language == "en"
    assert translations(app) == []  # a translation into the original's language goes


def test_a_pre_moderated_event_can_wait_for_every_translation(app, make_org, make_client,
                                                             login):
    org = make_org()
    ev = create_event(app, org, moderation=Moderation.pre)
    facilitator = login(make_client(), org, "facilitator")
    edit = facilitator.get(f"/dialog/events/{ev['id']}/edit").get_data(as_text=True)
    assert 'name="require_translations"' in edit
    assert facilitator.post_form(f"/dialog/events/{ev['id']}/edit", {
        "default_language": "sv", "languages": ["sv", "en", "ar"], "title_sv": "Trygg",
        "moderation": "pre", "require_translations": "y", "statement_max_length": "280",
        "dot_points": "5"}).status_code == 302
    writer = make_client()
    join(writer, ev["code"], "ar")
    write(writer, ev["code"], ev["prompts"][0], ARABIC)
    sid = statement_id(app)
    queue = facilitator.get(f"/dialog/events/{ev['id']}/moderation?lang=en").get_data(
        as_text=True)
    assert "Not translated into Swedish, English yet." in queue
    assert f'/dialog/events/{ev["id"]}/translations#statement-{sid}' in queue
    refused = facilitator.post_form(f"/dialog/statements/{sid}/moderate", {"action": "approve"})
    assert refused.status_code == 409
    assert "Svenska" in refused.get_data(as_text=True) or "svenska" in refused.get_data(
        as_text=True)
    assert translate(facilitator, sid, "sv", SWEDISH).status_code == 302
    assert facilitator.post_form(f"/dialog/statements/{sid}/moderate",
                                 {"action": "approve"}).status_code == 409
    assert translate(facilitator, sid, "en", "We need a place for women").status_code == 302
    assert facilitator.post_form(f"/dialog/statements/{sid}/moderate",
                                 {"action": "approve"}).status_code == 302


@pytest.fixture
def service(app, monkeypatch):
    """The local LibreTranslate-compatible server, configured with a short timeout."""
    with LibreTranslate() as server:
        monkeypatch.setitem(app.config, "TRANSLATE_URL", server.url)
        monkeypatch.setitem(app.config, "TRANSLATE_API_KEY", "nyckel")
        monkeypatch.setitem(app.config, "TRANSLATE_TIMEOUT", 0.3)
        yield server


def test_machine_drafts_wait_for_a_person(app, make_client, login, arabic_statement, service):
    org, ev, _writer, sid = arabic_statement
    facilitator = login(make_client(), org, "facilitator")
    facilitator.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    queue = facilitator.get(f"/dialog/events/{ev['id']}/translations").get_data(as_text=True)
    assert "Ask the translation service for drafts" in queue
    assert facilitator.post_form(f"/dialog/events/{ev['id']}/translations/machine",
                                 {}).status_code == 302
    assert {(b["source"], b["target"], b["format"], b["api_key"]) for b in service.seen} == {
        ("ar", "sv", "text", "nyckel"), ("ar", "en", "text", "nyckel")}
    assert sorted(translations(app)) == [
        ("en", f"[en] {ARABIC}", TranslationStatus.machine, None),
        ("sv", f"[sv] {ARABIC}", TranslationStatus.machine, None)]
    queue = facilitator.get(f"/dialog/events/{ev['id']}/translations").get_data(as_text=True)
    assert "Machine translation, not yet checked" in queue and f"[sv] {ARABIC}" in queue
    swedish = make_client()
    join(swedish, ev["code"], "sv")
    assert f"[sv] {ARABIC}" not in swedish.get(f"/d/{ev['code']}/vote").get_data(as_text=True)
    # Asked again, a draft is never replaced; a person approves it (corrected).
    facilitator.post_form(f"/dialog/events/{ev['id']}/translations/machine", {})
    assert len(service.seen) == 2
    assert translate(facilitator, sid, "sv", SWEDISH).status_code == 302
    assert (("sv", SWEDISH, TranslationStatus.approved, "facilitator")
            in translations(app))
    assert SWEDISH in swedish.get(f"/d/{ev['code']}/vote").get_data(as_text=True)


@pytest.mark.parametrize("mode,status,words", [
    ("slow", 504, "did not answer in time"), ("garbage", 502, "not a translation"),
    ("error", 502, "could not be reached")])
def test_a_misbehaving_service_is_a_clear_message(app, make_client, login, arabic_statement,
                                                  service, mode, status, words):
    org, ev, _writer, _sid = arabic_statement
    service.mode = mode
    facilitator = login(make_client(), org, "facilitator")
    facilitator.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    began = time.perf_counter()
    answer = facilitator.post_form(f"/dialog/events/{ev['id']}/translations/machine", {})
    assert answer.status_code == status
    assert words in answer.get_data(as_text=True)
    assert time.perf_counter() - began < 2  # a timeout stops the round at the first call
    assert translations(app) == []


def test_without_a_service_there_is_no_button_and_no_call(app, make_client, login,
                                                        arabic_statement):
    org, ev, _writer, _sid = arabic_statement
    facilitator = login(make_client(), org, "facilitator")
    facilitator.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    queue = facilitator.get(f"/dialog/events/{ev['id']}/translations").get_data(as_text=True)
    assert "Ask the translation service" not in queue
    refused = facilitator.post_form(f"/dialog/events/{ev['id']}/translations/machine", {})
    assert refused.status_code == 409 and "No translation service" in refused.get_data(
        as_text=True)


def test_the_live_screen_report_and_exports_carry_every_language(app, make_client, login,
                                                                arabic_statement):
    org, ev, _writer, sid = arabic_statement
    facilitator = login(make_client(), org, "facilitator")
    translate(facilitator, sid, "sv", SWEDISH)
    voter = make_client()
    join(voter, ev["code"], "sv")
    vote(voter, ev["code"], sid, 1)
    live = facilitator.get(f"/dialog/events/{ev['id']}/live.json").get_json()
    [item] = live["statements"]
    assert (item["text"], item["lang"]) == (SWEDISH, "sv")
    assert item["original"] == {"text": ARABIC, "lang": "ar", "dir": "rtl"}
    groups = facilitator.get(f"/dialog/events/{ev['id']}/groups?lang=en").get_data(as_text=True)
    assert 'id="languages"' in groups and "language groups" in groups
    screen = facilitator.get(f"/dialog/events/{ev['id']}/live").get_data(as_text=True)
    assert f'<span class="original" lang="ar" dir="rtl">{ARABIC}</span>' in screen
    exported = facilitator.post_form(f"/dialog/events/{ev['id']}/export/statements.csv")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert (rows[0]["text_sv"], rows[0]["from_sv"]) == (SWEDISH, "approved")
    assert (rows[0]["text_ar"], rows[0]["from_ar"]) == (ARABIC, "original")
    assert (rows[0]["text_en"], rows[0]["from_en"]) == ("", "")
    # The report (PDF) has the statement in both languages.
    report = facilitator.get(f"/dialog/events/{ev['id']}/report.pdf?lang=sv")
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(report.data)).pages)
    assert f"svenska: {SWEDISH}" in text and "arabiska (original)" in text


def test_the_interpreter_role_reaches_only_the_translation_pages(app, make_client, login,
                                                                arabic_statement):
    org, ev, _writer, sid = arabic_statement
    interpreter = login(make_client(), org, "interpreter")
    assert interpreter.get("/dialog/").status_code == 200
    for path in (f"/dialog/events/{ev['id']}", f"/dialog/events/{ev['id']}/live",
                 "/dialog/events/new", "/manage/"):
        assert interpreter.get(path).status_code == 403, path
    assert interpreter.post_form(f"/dialog/statements/{sid}/language",
                                 {"language": "en"}).status_code == 403
    # With no languages of its own, the queue says so and nothing can be saved.
    assert "None of your languages" in interpreter.get(
        f"/dialog/events/{ev['id']}/translations?lang=en").get_data(as_text=True)
    assert translate(interpreter, sid, "sv", SWEDISH).status_code == 403
    assert Role.interpreter.value == "interpreter"


@pytest.mark.parametrize("answer", [b"", b"\xff\xfe", b"[]", b'{"translatedText": ""}',
                                    b'{"translatedText": 12}', b'{"error": "too many"}',
                                    b'{"translatedText": "' + b"x" * 20_001 + b'"}'])
def test_an_answer_that_is_no_translation_is_garbage(answer):
    from dialog.machine import MachineError, _translated_text

    with pytest.raises(MachineError) as refused:
        _translated_text(answer)
    assert refused.value.reason == "garbage"
    assert _translated_text(b'{"translatedText": " Hej\\u0000 "}') == "Hej"


def test_a_service_that_is_not_there_is_unavailable():
    from dialog.machine import MachineError, Translator
    from tests.support.servers import free_port

    with pytest.raises(MachineError) as refused:
        Translator(f"http://127.0.0.1:{free_port()}", timeout=0.5).translate("Hej", "sv", "ar")
    assert refused.value.reason == "unavailable"
