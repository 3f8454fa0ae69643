"""Survey content in a language without an interface of its own, with a recorded question:
right-to-left Sorani inside an English interface and left-to-right Kurmanji inside an
Arabic one pass axe at 360 and 1280 px, and the player fetches nothing until played; the
authoring pages (interface choices, recordings, preview) pass axe on a phone."""

from __future__ import annotations

import pytest

from surveys.core.roles import Role
from surveys.extensions import db
from surveys.survey.models import Survey
from surveys.survey.services import set_audio
from tests.conftest import PASSWORD, user_email
from tests.support.audio import OGG
from tests.support.browser import at_width, axe_violations, log_in
from tests.test_any_language import many_languages

pytestmark = pytest.mark.browser

#: Content language -> (interface lang, interface dir, content dir).
CASES = {"ckb": ("en", "ltr", "rtl"), "kmr": ("ar", "rtl", "ltr")}


def check(page, where: str, interface: tuple[str, str], widths=(360,)) -> None:
    for width in widths:
        at_width(page, width)
        html = page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == interface, where
        assert page.evaluate("document.documentElement.scrollWidth") <= width, where
        assert axe_violations(page) == [], f"{where} at {width}px"


@pytest.fixture
def recorded(app, make_org, make_survey):
    org = make_org()
    survey_id = make_survey(org, slug="monta", definition=many_languages())
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        member = next(q for q in survey.questions() if q.key == "member")
        for lang in CASES:
            set_audio(member, lang, OGG)
        db.session.commit()
        return org, survey_id, member.id


@pytest.mark.parametrize("lang", CASES)
def test_a_resident_answers_in_a_language_with_another_interface(live_server, phone, recorded,
                                                                  lang):
    ui, ui_dir, content_dir = CASES[lang]
    fetched = []
    phone.on("request", lambda request: fetched.append(request.url))
    phone.goto(f"{live_server.url}/s/monta?lang={lang}")
    check(phone, f"start in {lang}", (ui, ui_dir))
    title = phone.locator("h1 span")
    assert (title.get_attribute("lang"), title.get_attribute("dir")) == (lang, content_dir)
    with phone.expect_navigation():
        phone.locator("form button.primary").click()
    check(phone, f"page 1 in {lang}", (ui, ui_dir), widths=(360, 1280))
    question = phone.locator("#question-member legend > span").first
    assert (question.get_attribute("lang"), question.get_attribute("dir")) == (lang, content_dir)
    player = phone.locator("#question-member audio")
    assert player.get_attribute("preload") == "none" and player.get_attribute("controls") == ""
    assert phone.locator("#q_member-audio").is_visible()
    # Nothing of the recording is loaded before the resident presses play.
    assert not [url for url in fetched if "/audio/" in url]
    # the page has no script of its own (axe comes in as the test browser's init script)
    assert phone.evaluate("document.scripts.length") == 0


def test_the_authoring_pages_of_such_a_survey_pass_axe(live_server, phone, recorded):
    org, survey_id, question_id = recorded
    log_in(phone, live_server.url, user_email(org, Role.author), PASSWORD)
    # In the right-to-left interface (the staff page test covers Swedish too).
    for path in (f"/manage/surveys/{survey_id}/settings", f"/manage/questions/{question_id}"):
        phone.goto(f"{live_server.url}{path}?lang=ar")
        check(phone, f"{path} in ar", ("ar", "rtl"))
    assert phone.locator(".recordings audio").count() == len(CASES)
    # The preview shows a language inside the interface residents get with it.
    for lang, (ui, ui_dir, _content_dir) in CASES.items():
        phone.goto(f"{live_server.url}/manage/surveys/{survey_id}/preview/1?lang={lang}")
        check(phone, f"preview in {lang}", (ui, ui_dir))
        assert phone.locator("#question-member audio").count() == 1
