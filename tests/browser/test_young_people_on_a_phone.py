"""An event for children and young people on a 360 px phone in a real Chromium: the simpler
consent text, the easy-read prompts page, the check-in with its age bands, district names and
languages spoken at home (and its refusal of an answer it does not offer), the easy-read vote
and dot-voting pages and the easy-read "what we heard" page pass axe-core in every interface
language; the facilitator's room, moderation and event form pass in Swedish and Arabic at 360
and 1280 px."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialog import services
from dialog.models import Event, EventStatus, Participant, StatementSource
from surveys.core.i18n import LANGUAGES
from surveys.extensions import db
from surveys.survey.services import create_from_template
from tests.browser.test_dialog_on_a_phone import accessible, click
from tests.browser.test_dialog_screens import accessible as staff_accessible
from tests.browser.test_dialog_screens import log_in_facilitator
from tests.support.dialog import make_event
from tests.support.dialog_votes import add_checkins, add_margins

pytestmark = pytest.mark.browser

MARGINS = [("age", "16-29", 2000), ("age", "30-44", 3000), ("age", "45-64", 3000),
           ("age", "65-84", 2000), ("district", "centrum", 6000), ("district", "soder", 4000)]


def young_event(app, org) -> dict:
    """An open event for young people in every language, margins with district codes and the
    template survey that names them."""
    add_margins(app, org, MARGINS)
    with app.app_context():
        create_from_template(org.id, "tillit-och-delaktighet", f"tillit-{org.id}")
        event = make_event(org.id, languages=tuple(LANGUAGES), for_young_people=True)
        services.add_staff_statement(event, event.prompts[0], "Mer ljus vid busshållplatsen",
                                     "sv", StatementSource.paper)
        db.session.commit()
        return {"id": event.id, "code": event.join_code}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_young_peoples_pages_pass_axe(app, live_server, phone, make_org, lang):
    org = make_org()
    ev = young_event(app, org)
    base, code = live_server.url, ev["code"]
    phone.goto(f"{base}/d/{code}?lang={lang}")
    assert phone.locator("ul.consent-simple li").count() == 5
    accessible(phone, lang, "simpler consent")
    click(phone, 'button[name="consent"]')
    accessible(phone, lang, "prompts, easy to read")
    phone.goto(f"{base}/d/{code}/checkin")
    assert phone.locator('input[name="home_languages"]').count() == 8
    accessible(phone, lang, "check-in")
    # an answer the check-in does not offer: refused with a message, the rest kept
    phone.locator('input[name="home_languages"][value="so"]').check()
    phone.evaluate("document.querySelector('input[name=age_group][value=\"10-12\"]')"
                   ".value = '9-11'")
    phone.locator('input[name="age_group"][value="9-11"]').check()
    click(phone, "form button.primary")
    assert phone.locator(".error-summary").count() == 1
    assert phone.locator('input[name="home_languages"][value="so"]').is_checked()
    accessible(phone, lang, "check-in refused")
    phone.locator('input[name="age_group"][value="13-15"]').check()
    phone.locator('input[name="district"][value="soder"]').check()
    click(phone, "form button.primary")
    with app.app_context():
        stored = db.session.scalar(select(Participant))
        assert (stored.age_group, stored.district, stored.home_languages) == (
            "13-15", "soder", ["so"])
    # voting and dot voting in easy-to-read words, before and after
    phone.goto(f"{base}/d/{code}/vote")
    assert phone.locator('button[name="value"]').count() == 3
    accessible(phone, lang, "vote, easy to read")
    click(phone, 'button[name="value"][value="0"]')
    assert phone.locator('button[name="value"]').count() == 0
    accessible(phone, lang, "voted on everything, easy to read")
    phone.goto(f"{base}/d/{code}/dots")
    phone.locator('input[type="number"]').first.fill("1.5")  # not a whole number
    click(phone, "form button.primary")
    assert phone.locator(".error-summary").count() == 1
    accessible(phone, lang, "dot voting refused, easy to read")
    # what was heard, once the event is published
    with app.app_context():
        db.session.get(Event, ev["id"]).status = EventStatus.published
        db.session.commit()
    assert phone.goto(f"{base}/d/{code}/heard?lang={lang}").status == 200
    accessible(phone, lang, "what we heard, easy to read")


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_the_facilitators_room_moderation_and_form_pass_axe(app, live_server, phone, make_org,
                                                              lang):
    org = make_org()
    ev = young_event(app, org)
    add_checkins(app, ev["id"], [
        *[{"age_group": "10-12", "home_languages": ["sv"], "district": "soder"}] * 5,
        *[{"age_group": "16-19", "home_languages": ["ar", "sv"], "district": "centrum"}] * 5,
        {"age_group": "30-44", "gender": "annat", "home_languages": ["other"]}])
    with app.app_context():
        event = db.session.get(Event, ev["id"])
        young = db.session.scalars(select(Participant).where(
            Participant.event_id == ev["id"], Participant.age_group == "10-12")).first()
        services.write_statement(young, event.prompts[0].id, "Mer fotboll")
        db.session.commit()
    base = live_server.url
    log_in_facilitator(phone, base, org, lang)
    for where, path in (("room", "room"), ("moderation", "moderation"), ("event form", "edit")):
        response = phone.goto(f"{base}/dialog/events/{ev['id']}/{path}?lang={lang}")
        assert response.status == 200, where
        staff_accessible(phone, lang, where)
    assert phone.locator('input[name="for_young_people"]').is_checked()
