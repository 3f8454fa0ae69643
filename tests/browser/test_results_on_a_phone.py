"""An analyst reads the demo's results on a 360 px screen in a real Chromium."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.survey.models import Survey
from tests.support.browser import axe_violations, log_in

pytestmark = pytest.mark.browser


def test_the_results_page_passes_axe_and_fits_a_phone_in_swedish_and_arabic(
        app, live_server, phone, restore_demo):
    restore_demo()
    with app.app_context():
        survey_id = db.session.scalar(select(Survey.id).where(Survey.slug == "demo"))
    log_in(phone, live_server.url, "analyst@exempelby.se", "demo-analyst-2026")
    for lang in ("sv", "ar"):
        phone.goto(f"{live_server.url}/results/{survey_id}?lang={lang}")
        assert phone.locator("h1").count() == 1
        assert phone.locator("table").count() > 20
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, lang
        assert axe_violations(phone) == [], lang
