"""A resident answers the template survey on a 360 px phone in a real Chromium."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.survey.models import Answer, Response
from tests.support.browser import axe_violations
from tests.support.surveys import TEMPLATE_ANSWERS, TEMPLATE_VALUES

pytestmark = pytest.mark.browser


def fill_page(page, answers: dict) -> None:
    """Tick and type the answers the way a resident would."""
    for name, value in answers.items():
        for one in value if isinstance(value, list) else [value]:
            field = page.locator(f'[name="{name}"]')
            kind = field.first.get_attribute("type")
            if kind in ("radio", "checkbox"):
                page.locator(f'[name="{name}"][value="{one}"]').check()
            else:
                field.first.fill(one)


def submit(page) -> None:
    with page.expect_navigation():
        page.locator('button[value="next"]').click()


def stored(app):
    with app.app_context():
        responses = db.session.scalars(select(Response)).all()
        count = db.session.scalar(select(func.count(Answer.id)))
        return [({a.question.key: a.value for a in r.answers}, r.completed_at, r.language)
                for r in responses], count


@pytest.mark.parametrize(("first", "second"), [("sv", "ar"), ("ar", "sv")])
def test_a_resident_switches_language_and_reloads_half_way_and_every_answer_is_stored_once(
        app, live_server, phone, make_org, make_survey, first, second):
    make_survey(make_org())
    phone.goto(f"{live_server.url}/s/demo?lang={first}")
    assert phone.locator("html").get_attribute("lang") == first
    with phone.expect_navigation():
        phone.locator("form button.primary").click()
    for n, answers in enumerate(TEMPLATE_ANSWERS, start=1):
        if n == 3:
            # Half-way: change language with the visible switch, then reload.
            with phone.expect_navigation():
                phone.locator(f'nav.languages a[href$="lang={second}"]').click()
            phone.reload()
            expected_dir = "rtl" if second == "ar" else "ltr"
            assert phone.locator("html").get_attribute("dir") == expected_dir
        assert phone.url.endswith(f"/s/demo/p/{n}") or f"/s/demo/p/{n}?" in phone.url
        fill_page(phone, answers)
        # Nothing on the page is wider than the phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        submit(phone)
    assert "/s/demo/thanks" in phone.url
    responses, count = stored(app)
    assert len(responses) == 1
    values, completed_at, language = responses[0]
    assert values == TEMPLATE_VALUES and count == len(TEMPLATE_VALUES)
    assert completed_at is not None and language == second


def test_start_and_question_pages_pass_axe_on_a_phone_in_swedish_and_arabic(
        live_server, phone, make_org, make_survey):
    make_survey(make_org())
    for lang in ("sv", "ar"):
        phone.goto(f"{live_server.url}/s/demo?lang={lang}")
        assert axe_violations(phone) == []
        with phone.expect_navigation():
            phone.locator("form button.primary").click()
        assert axe_violations(phone) == []
        phone.context.clear_cookies()
