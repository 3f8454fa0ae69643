"""The fieldwork pages that answer a form pass axe and fit a 360 px screen: a frame file's
problems listed by line, and the allocation with its margins of error."""

from __future__ import annotations

import pytest

from tests.support.browser import at_width, axe_violations, log_in
from tests.support.frames import frame_file, make_sample

pytestmark = pytest.mark.browser

BAD = "77;Ingen gata;;;4300;Varberg;18x0;man;Norr;sverige;;;"


def _fits(page, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, where
    assert axe_violations(page) == [], where


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_frame_problems_and_the_allocation_on_a_phone(app, live_server, phone, make_org,
                                                      make_survey, tmp_path, lang):
    org = make_org()
    survey_id = make_survey(org, slug="urval")
    make_sample(app, survey_id, people=60, draw=False)
    at_width(phone, 360)
    log_in(phone, live_server.url, f"fieldwork@{org.name.replace(' ', '').lower()}.se", "correct horse battery", lang=lang)
    base = f"{live_server.url}/manage/surveys/{survey_id}/fieldwork"
    bad = tmp_path / "frame.csv"
    bad.write_bytes(frame_file(5, extra=(BAD,)))
    phone.goto(f"{base}/frame?lang={lang}")
    phone.locator("#file").set_input_files(str(bad))
    with phone.expect_navigation():
        phone.locator("form button.primary").click()
    assert phone.locator("table caption").count() == 1
    _fits(phone, "frame problems")
    phone.goto(f"{base}/design?lang={lang}")
    phone.locator("#n").fill("20")
    with phone.expect_navigation():
        phone.locator('button[value="calculate"]').click()
    assert phone.locator("#plan-caption").count() == 1
    _fits(phone, "allocation")
