"""A survey can be completed with the keyboard alone, and with JavaScript turned off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.survey.models import Response
from tests.browser.test_answer_on_a_phone import fill_page, stored, submit
from tests.support.browser import PHONE
from tests.support.surveys import TEMPLATE_ANSWERS, TEMPLATE_VALUES, small_definition

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
          value: el.value || '', checked: !!el.checked,
          visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
}"""


def answer_with_keys(page, wanted: dict[str, str]) -> None:
    """Tab through the page, answering with arrow keys, space and typing; Enter on Next."""
    for _ in range(80):
        page.keyboard.press("Tab")
        el = page.evaluate(FOCUSED)
        assert el["visible"], f"focus is not visible on {el}"
        if el["tag"] == "button" and el["value"] == "next":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        target = wanted.get(el["name"])
        if target is None:
            continue
        if el["type"] == "radio":
            # Arrow keys move the choice within a radio group (one tab stop per group).
            for _ in range(30):
                if page.evaluate(FOCUSED)["value"] == target and page.evaluate(FOCUSED)["checked"]:
                    break
                page.keyboard.press("ArrowDown")
        elif el["type"] == "checkbox":
            if el["value"] == target:
                page.keyboard.press("Space")
        else:
            page.keyboard.type(target)
    raise AssertionError("never reached the Next button")


def test_a_resident_completes_a_survey_with_the_keyboard_alone(app, live_server, phone, make_org,
                                                              make_survey):
    make_survey(make_org(), slug="liten", definition=small_definition())
    phone.goto(f"{live_server.url}/s/liten")
    for _ in range(30):
        phone.keyboard.press("Tab")
        if phone.evaluate(FOCUSED)["tag"] == "button":
            break
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    answer_with_keys(phone, {"q_member": "yes", "q_sports": "swim", "q_trust": "6",
                             "q_agree": "4", "q_grid__a": "2", "q_grid__b": "1"})
    answer_with_keys(phone, {"q_why": "Gemenskap", "q_people": "3", "q_born": "1990"})
    assert "/s/liten/thanks" in phone.url
    with app.app_context():
        response = db.session.scalar(select(Response))
        values = {a.question.key: a.value for a in response.answers}
    assert values == {"member": "yes", "sports": ["swim"], "trust": 6, "agree": 4,
                      "grid": {"a": "2", "b": "1"}, "why": "Gemenskap", "people": 3, "born": 1990}


def test_an_error_moves_no_answer_and_is_linked_to_its_field(live_server, phone, make_org, make_survey):
    make_survey(make_org(), slug="liten", definition=small_definition())
    phone.goto(f"{live_server.url}/s/liten?lang=en")
    with phone.expect_navigation():
        phone.locator("form button.primary").click()
    phone.locator('[name="q_trust"][value="3"]').check()
    submit(phone)
    summary = phone.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    summary.locator("a").first.click()
    assert phone.evaluate("document.activeElement.id") == "q_member"
    described = phone.locator("#question-member").get_attribute("aria-describedby")
    assert "q_member-error" in described
    assert phone.locator('[name="q_trust"][value="3"]').is_checked()


def test_a_resident_completes_the_template_in_arabic_without_javascript(app, live_server, chromium,
                                                                       make_org, make_survey):
    make_survey(make_org())
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale="ar")
    page = context.new_page()
    page.goto(f"{live_server.url}/s/demo")
    assert page.locator("html").get_attribute("dir") == "rtl"
    with page.expect_navigation():
        page.locator("form button.primary").click()
    for answers in TEMPLATE_ANSWERS:
        fill_page(page, answers)
        submit(page)
    assert "/s/demo/thanks" in page.url
    context.close()
    responses, _ = stored(app)
    assert [r[0] for r in responses] == [TEMPLATE_VALUES] and responses[0][2] == "ar"
