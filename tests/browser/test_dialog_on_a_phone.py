"""A resident joins a dialogue event on a 360 px phone in a real Chromium: types the code,
chooses a language, accepts the consent text, writes a statement and votes on the others'.
The participant pages and the facilitator's event page pass axe-core in Swedish and Arabic."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialog import queries, services
from dialog.models import Event, Participant, Statement, StatementSource, Vote
from surveys.core.i18n import LANGUAGES
from surveys.extensions import db
from tests.browser.test_accessibility import check_page
from tests.conftest import PASSWORD, user_email
from tests.support.browser import at_width, axe_violations
from tests.support.dialog import make_event

pytestmark = pytest.mark.browser

OTHERS = ["Fler lampor längs gångvägen.", "Öppna fritidsgården på helgerna.",
          "Bänkar i skuggan vid lekplatsen."]


def prepared_event(app, org, languages=("sv", "en", "ar")) -> dict:
    """An open event with three statements from other people (in Swedish)."""
    with app.app_context():
        event = make_event(org.id, prompts=2, dot_points=3, languages=languages)
        for text in OTHERS:
            services.add_staff_statement(event, event.prompts[0], text, "sv",
                                           StatementSource.paper)
        db.session.commit()
        return {"id": event.id, "code": event.join_code}


def accessible(page, lang: str, where: str) -> None:
    """The resident-page checks of the language issue (axe at 360 and 1280 px, lang and dir
    of every text, 44 px targets, 200 % text), and nothing wider than a 360 px phone."""
    at_width(page, 360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, where
    check_page(page, lang, f"{where} ({lang})")


def click(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_a_resident_joins_with_the_code_writes_and_votes_on_a_phone(app, live_server, phone,
                                                                   make_org):
    ev = prepared_event(app, make_org())
    code = ev["code"]
    phone.goto(f"{live_server.url}/d")
    phone.locator("#code").fill(f"{code[:3].lower()} {code[3:].lower()}")
    click(phone, "form button.primary")
    assert phone.url.endswith(f"/d/{code}")
    click(phone, 'main a[hreflang="sv"]')
    assert phone.locator('button[name="consent"]').count() == 1  # consent comes first
    click(phone, 'button[name="consent"]')
    assert phone.url.endswith(f"/d/{code}/e")

    phone.locator("textarea").first.fill("Mer ljus i parken <b>nu</b>")
    click(phone, "form:has(textarea) button.primary")
    assert "&lt;b&gt;nu&lt;/b&gt;" in phone.content()

    click(phone, f'a[href="/d/{code}/vote"]')
    shown = []
    for value in ("1", "-1", "0"):
        shown.append(phone.locator("legend.statement").inner_text())
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        click(phone, f'button[name="value"][value="{value}"]')
    assert sorted(shown) == sorted(OTHERS)  # each once, never one's own
    assert phone.locator('button[name="value"]').count() == 0

    with app.app_context():
        participant = db.session.scalar(select(Participant))
        assert participant.language == "sv"
        mine = db.session.scalar(select(Statement).where(
            Statement.participant_id == participant.id))
        assert mine.text == "Mer ljus i parken <b>nu</b>"
        votes = db.session.scalars(select(Vote).where(Vote.participant_id == participant.id))
        by_text = {db.session.get(Statement, v.statement_id).text: v.value for v in votes}
        assert by_text == dict(zip(shown, (1, -1, 0), strict=True))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_participant_pages_and_the_event_page_pass_axe(app, live_server, phone, make_org, lang):
    org = make_org()
    ev = prepared_event(app, org, languages=tuple(LANGUAGES))
    base, code = live_server.url, ev["code"]
    phone.goto(f"{base}/d?lang={lang}")
    accessible(phone, lang, "join")
    phone.goto(f"{base}/d?code=ZZZZZZ&lang={lang}")
    accessible(phone, lang, "wrong code")
    phone.goto(f"{base}/d/{code}")
    accessible(phone, lang, "language choice")
    phone.goto(f"{base}/d/{code}?lang={lang}")
    accessible(phone, lang, "consent")
    click(phone, 'button[name="consent"]')
    accessible(phone, lang, "prompts")
    click(phone, "form:has(textarea) button.primary")  # empty: refused with a message
    assert phone.locator("textarea[aria-invalid=true]").count() == 1
    accessible(phone, lang, "statement error")
    phone.goto(f"{base}/d/{code}/vote")
    accessible(phone, lang, "vote")
    click(phone, 'button[name="value"][value="1"]')
    accessible(phone, lang, "vote, after one")
    phone.goto(f"{base}/d/{code}/dots")
    accessible(phone, lang, "dots")
    phone.locator("input[type=number]").first.fill("9")
    click(phone, "form button.primary")
    assert phone.locator(".error-summary").count() == 1
    accessible(phone, lang, "dots over budget")
    phone.goto(f"{base}/d/{code}/checkin")
    accessible(phone, lang, "check-in")
    with app.app_context():
        closed = make_event(org.id, status=services.EventStatus.closed,
                            languages=tuple(LANGUAGES))
        closed_code = closed.join_code
        db.session.commit()
    phone.goto(f"{base}/d/{closed_code}?lang={lang}")
    accessible(phone, lang, "closed event")

    if lang not in ("sv", "ar"):
        return  # staff pages: Swedish and one right-to-left language are enough
    phone.context.clear_cookies()
    phone.goto(f"{base}/login?lang={lang}")
    phone.locator('[name="email"]').fill(user_email(org, "facilitator"))
    phone.locator('[name="password"]').fill(PASSWORD)
    click(phone, 'form button[type="submit"]')
    response = phone.goto(f"{base}/dialog/events/{ev['id']}?lang={lang}")
    assert response.status == 200
    assert phone.locator("h1").count() == 1
    assert phone.locator(f'img[src="/dialog/events/{ev["id"]}/qr.svg"]').evaluate(
        "img => img.complete && img.naturalWidth > 0")
    for width in (360, 1280):
        at_width(phone, width)
        assert axe_violations(phone) == [], f"facilitator event page ({lang}) at {width}px"
    at_width(phone, 360)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    with app.app_context():
        assert queries.participant_count(ev["id"]) == 1
        assert db.session.get(Event, ev["id"]).join_code == code
