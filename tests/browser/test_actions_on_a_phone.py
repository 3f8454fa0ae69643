"""The framework and action pages pass axe-core and fit the screen at 360 and 1280 px in
Swedish and Arabic; a unit reporter reports a status without JavaScript; a unit's summary
prints without menus or forms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.actions.models import Action, ActionUpdate, Unit
from surveys.extensions import db
from surveys.followup.models import Framework
from tests.support.browser import PHONE, at_width, axe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, restore_demo):
    restore_demo(respondents=500)
    with app.app_context():
        second = db.session.scalar(select(Framework).where(Framework.is_default.is_(False)))
        deep = next(g for a in second.focus_areas for g in a.goals
                    if g.parent_id and g.parent.parent_id)
        unit = db.session.scalar(select(Unit).where(Unit.name == "Socialnämnden"))
        action = db.session.scalar(select(Action).where(Action.unit_id == unit.id))
        return {"second": second.id, "goal": deep.id, "unit": unit.id, "action": action.id}


def test_the_framework_and_action_pages_pass_axe_at_both_widths(live_server, phone, demo):
    log_in(phone, live_server.url, "admin@exempelby.se", "demo-admin-2026")
    pages = ["/followup/frameworks/", f"/followup/frameworks/{demo['second']}",
             f"/followup/frameworks/{demo['second']}/title",
             f"/followup/goals/{demo['goal']}/parent", f"/actions/goals/{demo['goal']}",
             "/actions/", "/actions/new", f"/actions/{demo['action']}",
             f"/actions/{demo['action']}/edit", "/actions/units/",
             f"/actions/units/{demo['unit']}", f"/actions/units/{demo['unit']}/edit"]
    for lang in ("sv", "ar"):
        for path in pages:
            response = phone.goto(f"{live_server.url}{path}?lang={lang}")
            assert response.status == 200, (lang, path)
            assert phone.locator("html").get_attribute("dir") == (
                "rtl" if lang == "ar" else "ltr")
            assert phone.locator("h1").count() == 1, (lang, path)
            for width in (360, 1280):
                at_width(phone, width)
                assert phone.evaluate("document.documentElement.scrollWidth") <= width, (
                    lang, path, width)
                assert axe_violations(phone) == [], (lang, path, width)
            at_width(phone, 360)


def test_a_unit_reporter_reports_a_status_without_javascript(app, live_server, chromium,
                                                             demo):
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale="ar")
    page = context.new_page()
    log_in(page, live_server.url, "unit_reporter@exempelby.se", "demo-unit_reporter-2026")
    assert page.url.endswith("/actions/")  # a reporter starts at its actions
    page.goto(f"{live_server.url}/actions/{demo['action']}")
    page.locator('[name="status"]').select_option("done")
    page.locator('[name="comment"]').fill("Klart enligt plan.")
    with page.expect_navigation():
        page.locator('form[action$="/status"] button[type="submit"]').click()
    assert "Klart enligt plan." in page.locator("#history ~ div table").inner_text()
    # the committee's summary, printed: the content without menus, filters or forms
    page.goto(f"{live_server.url}/actions/units/{demo['unit']}")
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert not page.locator(".no-print").first.is_visible()
    assert page.locator("h1").is_visible() and page.locator(".summary-action").count() >= 1
    context.close()
    with app.app_context():
        latest = db.session.scalar(select(ActionUpdate).where(
            ActionUpdate.action_id == demo["action"]).order_by(ActionUpdate.id.desc()))
        assert (latest.status.value, latest.comment, latest.by.email) == (
            "done", "Klart enligt plan.", "unit_reporter@exempelby.se")
