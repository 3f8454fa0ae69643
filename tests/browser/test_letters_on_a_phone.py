"""The letters page passes axe and fits a 360 px screen in Swedish and Arabic, and an
analyst weights the demo's drawn-sample survey as the drawn sample from the run form."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.runs.models import WeightingRun
from surveys.survey.models import Survey
from tests.support.browser import axe_violations, log_in

pytestmark = pytest.mark.browser


def _log_in(phone, live_server, role: str) -> None:
    log_in(phone, live_server.url, f"{role}@exempelby.se", f"demo-{role}-2026", lang="en")


def test_the_letters_page_passes_axe_and_the_drawn_sample_is_weighted_from_the_form(
        app, live_server, phone, restore_demo):
    restore_demo()
    with app.app_context():
        survey_id = db.session.scalar(select(Survey.id).where(Survey.slug == "demo-urval"))
    _log_in(phone, live_server, "fieldwork")
    for lang in ("sv", "ar"):
        response = phone.goto(f"{live_server.url}/manage/surveys/{survey_id}/fieldwork/letters"
                              f"?lang={lang}")
        assert response.status == 200, lang
        assert phone.locator("h1").count() == 1
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, lang
        assert axe_violations(phone) == [], lang
    phone.context.clear_cookies()
    _log_in(phone, live_server, "analyst")
    phone.goto(f"{live_server.url}/analysis/surveys/{survey_id}?lang=en")
    box = phone.get_by_label("Weight as the drawn sample")
    assert box.is_checked()
    assert axe_violations(phone) == []
    phone.locator('input[name="missing"][value="impute"]').check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Weight", exact=True).click()
    assert "/analysis/runs/" in phone.url
    assert "Stratified random sample in 10 strata" in phone.locator("main").inner_text()
    with app.app_context():
        run = db.session.scalar(select(WeightingRun).where(
            WeightingRun.survey_id == survey_id).order_by(WeightingRun.id.desc()))
        assert run.settings["drawn_sample"] and not run.failed
