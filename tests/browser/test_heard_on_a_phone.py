"""A resident reads "what we heard" on a 360 px phone in a real Chromium, in Swedish and in
Arabic: the page passes axe-core, keeps its language and direction, its touch targets are
large enough and nothing scrolls sideways. The demo event has it all: statements in three
languages, paper counts, opinion groups, consensus, priorities and the answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialog.demo import load_dialog_demo
from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.followup.services import create_from_template
from tests.browser.test_accessibility import SMALL_TARGETS
from tests.conftest import PASSWORD, user_email
from tests.support.browser import at_width, axe_violations

pytestmark = pytest.mark.browser


def demo_code(app, org) -> str:
    with app.app_context():
        organisation = db.session.get(Organisation, org.id)
        facilitator = db.session.scalar(select(User).where(
            User.organisation_id == org.id, User.role == Role.facilitator))
        create_from_template(organisation).published = True
        lines = load_dialog_demo(organisation, facilitator)
        db.session.commit()
        return lines[0].rsplit("/d/", 1)[1].split("/")[0]


@pytest.mark.parametrize("lang,direction", [("sv", "ltr"), ("ar", "rtl")])
def test_what_we_heard_reads_well_on_a_phone(app, live_server, phone, make_org, lang,
                                             direction):
    code = demo_code(app, make_org())
    phone.goto(f"{live_server.url}/d/{code}/heard?lang={lang}")
    assert phone.locator("html").get_attribute("lang") == lang
    assert phone.locator("html").get_attribute("dir") == direction
    assert phone.locator("h2#groups").count() == 1
    assert phone.locator("h2#consensus").count() == 1
    assert phone.locator("a[href*='/indicators/']").count() == 2
    for width in (360, 1280):
        at_width(phone, width)
        assert axe_violations(phone) == [], f"{lang} at {width}px"
        assert phone.evaluate(SMALL_TARGETS) == [], f"{lang} at {width}px"
    at_width(phone, 360)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("lang,direction", [("sv", "ltr"), ("ar", "rtl")])
def test_the_facilitators_feedback_page_works_on_a_phone(app, live_server, phone, make_org,
                                                       lang, direction):
    org = make_org()
    demo_code(app, org)
    with app.app_context():
        from dialog.models import Event

        event_id = db.session.scalar(select(Event.id).where(Event.organisation_id == org.id)
                                     .order_by(Event.id))
    phone.goto(f"{live_server.url}/login?lang={lang}")
    phone.locator('[name="email"]').fill(user_email(org, "facilitator"))
    phone.locator('[name="password"]').fill(PASSWORD)
    with phone.expect_navigation():
        phone.locator('form button[type="submit"]').first.click()
    response = phone.goto(f"{live_server.url}/dialog/events/{event_id}/feedback?lang={lang}")
    assert response.status == 200
    assert phone.locator("html").get_attribute("dir") == direction
    assert phone.locator("textarea#text_ar").input_value().startswith("شكراً")
    for width in (360, 1280):
        at_width(phone, width)
        assert axe_violations(phone) == [], f"{lang} at {width}px"
        assert phone.evaluate(SMALL_TARGETS) == [], f"{lang} at {width}px"
    at_width(phone, 360)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # The status of an action changes with a plain form.
    phone.locator("select[id^='status-']").first.select_option("done")
    with phone.expect_navigation():
        phone.locator("form[action^='/dialog/actions/'] button:not([name])").first.click()
    assert phone.url.endswith("#actions")
