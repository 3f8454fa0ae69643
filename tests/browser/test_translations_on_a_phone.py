"""Statements across languages in a real Chromium on a 360 px phone: the translation queue
passes axe in Swedish and Arabic and saves with a plain form; a participant reads an Arabic
statement in Swedish and opens the original without JavaScript, and an Arabic phone reads a
Swedish statement as written, with the note that a translation is coming."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialog import services
from dialog.models import StatementSource, StatementTranslation, TranslationStatus
from surveys.auth.models import User
from surveys.extensions import db
from tests.browser.test_dialog_on_a_phone import accessible, click
from tests.conftest import PASSWORD, user_email
from tests.support.browser import PHONE, at_width, axe_violations
from tests.support.dialog import make_event

pytestmark = pytest.mark.browser

ARABIC = "مكان آمن للنساء للجلوس والحديث."
SWEDISH = "En trygg plats för kvinnor att sitta och prata på."
LAMPS = "Fler lampor längs gångvägen."


def translated_event(app, org) -> dict:
    """An open event in Swedish, English and Arabic: an Arabic statement translated into
    Swedish (approved) and English (a machine draft), and a Swedish one not yet translated."""
    with app.app_context():
        event = make_event(org.id, languages=("sv", "en", "ar"))
        arabic = services.add_staff_statement(event, event.prompts[0], ARABIC, "ar",
                                              StatementSource.paper)
        services.add_staff_statement(event, event.prompts[0], LAMPS, "sv",
                                     StatementSource.paper)
        db.session.add_all([
            StatementTranslation(statement_id=arabic.id, language="sv", text=SWEDISH,
                                 status=TranslationStatus.approved),
            StatementTranslation(statement_id=arabic.id, language="en", text="A safe place",
                                 status=TranslationStatus.machine)])
        interpreter = db.session.scalar(select(User).where(
            User.email == user_email(org, "interpreter")))
        interpreter.languages = ["ar", "en"]
        db.session.commit()
        return {"id": event.id, "code": event.join_code}


@pytest.mark.parametrize("lang,direction", [("sv", "ltr"), ("ar", "rtl")])
def test_the_translation_queue_passes_axe_and_saves_with_a_plain_form(
        app, live_server, phone, make_org, lang, direction):
    org = make_org()
    ev = translated_event(app, org)
    phone.goto(f"{live_server.url}/login?lang={lang}")
    phone.locator('[name="email"]').fill(user_email(org, "interpreter"))
    phone.locator('[name="password"]').fill(PASSWORD)
    click(phone, 'form button[type="submit"]')
    assert phone.url.endswith("/dialog/")
    response = phone.goto(f"{live_server.url}/dialog/events/{ev['id']}/translations?lang={lang}")
    assert response.status == 200
    assert phone.locator("html").get_attribute("dir") == direction
    # The interpreter's languages only: Arabic for the Swedish statement, English for both.
    assert phone.locator("textarea[lang='ar'][dir='rtl']").count() == 1
    assert phone.locator("textarea[lang='en']").count() == 2
    assert phone.locator("textarea[lang='sv']").count() == 0
    for width in (360, 1280):
        at_width(phone, width)
        assert axe_violations(phone) == [], f"{lang} at {width}px"
    at_width(phone, 360)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.locator("textarea[lang='ar']").fill("مزيد من المصابيح على طول الممر.")
    click(phone, "form.translation:has(textarea[lang='ar']) button[type='submit']")
    assert phone.locator("textarea[lang='ar']").count() == 1  # now among the finished ones
    with app.app_context():
        saved = db.session.scalar(select(StatementTranslation).where(
            StatementTranslation.language == "ar"))
        assert (saved.text, saved.status) == ("مزيد من المصابيح على طول الممر.",
                                              TranslationStatus.approved)
    # A refused (empty) translation answers with the page again, axe-clean.
    phone.locator("textarea[lang='en']").first.fill("")
    with phone.expect_navigation():
        phone.locator("form.translation:has(textarea[lang='en']) button[type='submit']"
                      ).first.click()
    assert phone.locator("#error-summary").count() == 1
    assert axe_violations(phone) == [], f"{lang} error"


def test_a_participant_reads_their_language_and_opens_the_original_without_javascript(
        app, live_server, phone, chromium, make_org):
    ev = translated_event(app, make_org())
    base, code = live_server.url, ev["code"]
    # Swedish: the Arabic statement in Swedish, the original one tap away.
    phone.goto(f"{base}/d/{code}?lang=sv")
    click(phone, 'button[name="consent"]')
    phone.goto(f"{base}/d/{code}/vote")
    while phone.locator("legend.statement span[lang='sv']").inner_text() != SWEDISH:
        click(phone, "button[name='value'][value='0']")
    phone.locator("details.original summary").click()
    assert phone.locator("details.original p[lang='ar'][dir='rtl']").is_visible()
    accessible(phone, "sv", "vote, translated with the original open")

    # Arabic, without JavaScript: the Swedish statement as written, with the note.
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale="ar")
    plain = context.new_page()
    try:
        plain.goto(f"{base}/d/{code}?lang=ar")
        click(plain, 'button[name="consent"]')
        plain.goto(f"{base}/d/{code}/vote")
        legend = plain.locator("legend.statement span")
        if legend.inner_text() != LAMPS:
            click(plain, "button[name='value'][value='1']")
        assert legend.get_attribute("lang") == "sv" and legend.get_attribute("dir") == "ltr"
        assert plain.locator("p.hint").filter(has_text="الترجمة").count() == 1
        click(plain, "button[name='value'][value='1']")
        assert "/vote" in plain.url
    finally:
        context.close()
    phone.goto(f"{base}/d/{code}/vote?lang=ar")
    accessible(phone, "ar", "vote page read in Arabic")
