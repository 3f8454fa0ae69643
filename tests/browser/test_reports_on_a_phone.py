"""The yearly report's pages pass axe-core: the residents' version on the public pages in
every language (Swedish and Arabic at 360 and 1280 px, the others at 360), and the staff
pages (both versions of the report, the summary form) in Swedish and Arabic at both
widths."""

from __future__ import annotations

import pytest

from surveys.core.i18n import LANGUAGES
from tests.browser.test_accessibility import check_page
from tests.support.browser import at_width, axe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(restore_demo):
    restore_demo(respondents=500)


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_residents_report_passes_axe_in_every_language(live_server, phone, demo, lang):
    path = f"/indicators/exempelby-kommun/yearly-report?lang={lang}"
    response = phone.goto(f"{live_server.url}{path}")
    assert response.status == 200, lang
    assert phone.locator("h1").count() == 1
    check_page(phone, lang, path)


def test_the_staff_report_pages_and_the_summary_form_pass_axe(live_server, phone, demo):
    log_in(phone, live_server.url, "analyst@exempelby.se", "demo-analyst-2026")
    pages = ["/followup/areas/inclusion_trust/summary", "/followup/report?audience=residents",
             "/followup/report"]
    for lang in ("sv", "ar"):
        for path in pages:
            joined = "&" if "?" in path else "?"
            response = phone.goto(f"{live_server.url}{path}{joined}lang={lang}")
            assert response.status == 200, (lang, path)
            assert phone.locator("h1").count() == 1, (lang, path)
            for width in (360, 1280):
                at_width(phone, width)
                assert phone.evaluate("document.documentElement.scrollWidth") <= width, (
                    lang, path, width)
                assert axe_violations(phone) == [], (lang, path, width)
        # a plain form: the POST saves and the page comes back with the text
        phone.goto(f"{live_server.url}/followup/areas/work/summary?lang={lang}")
        phone.locator("textarea").fill("Fler har arbete." if lang == "sv" else "المزيد يعملون.")
        with phone.expect_navigation():
            phone.locator('form:has(textarea) button[type="submit"]').click()
        assert phone.locator("textarea").input_value() in ("Fler har arbete.", "المزيد يعملون.")
