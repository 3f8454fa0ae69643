"""The theme and series pages pass axe-core and fit the screen: Swedish and Arabic at 360
and 1280 px, the other interface languages at 360 px (a theme's deletion page and a refused
bulk tagging too); a facilitator tags a statement, and several at once, without
JavaScript."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialog.models import Event, Statement
from surveys.extensions import db
from surveys.survey.models import Survey
from surveys.themes import queries
from surveys.themes.models import Series, Theme
from tests.support.browser import PHONE, at_width, axe_violations, log_in

pytestmark = pytest.mark.browser

OTHER_LANGUAGES = ("en", "fa", "so", "ti", "uk")


@pytest.fixture
def demo(app, restore_demo):
    restore_demo(respondents=500)
    with app.app_context():
        series = db.session.scalar(select(Series))
        events = queries.series_in_order(series)
        theme = db.session.scalar(select(Theme).order_by(Theme.id))
        survey = db.session.scalar(select(Survey).where(Survey.slug == "demo"))
        return {"series": series.id, "event": events[-1].id, "theme": theme.id,
                "survey": survey.id}


def pages(demo: dict) -> list[str]:
    return ["/themes/", f"/themes/{demo['theme']}", f"/themes/{demo['theme']}/edit",
            f"/themes/events/{demo['event']}", "/themes/surveys/",
            f"/themes/surveys/{demo['survey']}", "/series/", f"/series/{demo['series']}"]


def _check(phone, base: str, path: str, lang: str, widths) -> None:
    response = phone.goto(f"{base}{path}?lang={lang}")
    assert response.status == 200, (lang, path)
    assert phone.locator("html").get_attribute("dir") == (
        "rtl" if lang in ("ar", "fa") else "ltr")
    assert phone.locator("h1").count() == 1, (lang, path)
    for width in widths:
        at_width(phone, width)
        assert phone.evaluate("document.documentElement.scrollWidth") <= width, (
            lang, path, width)
        assert axe_violations(phone) == [], (lang, path, width)
    at_width(phone, 360)


def _refused_bulk_tagging(phone, base: str, demo: dict, lang: str, widths) -> None:
    """The event's tagging page after a bulk form with nothing ticked: 400, the message, and
    the page still passes."""
    phone.goto(f"{base}/themes/events/{demo['event']}?lang={lang}")
    phone.locator("#bulk-tag-theme").select_option(str(demo["theme"]))
    with phone.expect_navigation() as sent:
        phone.locator('#bulk-tag button[value="add"]').click()
    assert sent.value.status == 400
    assert phone.locator("#error-summary").count() == 1
    for width in widths:
        at_width(phone, width)
        assert axe_violations(phone) == [], (lang, "refused bulk tagging", width)
    at_width(phone, 360)


def test_theme_and_series_pages_pass_axe_in_swedish_and_arabic(live_server, phone, demo):
    log_in(phone, live_server.url, "facilitator@exempelby.se", "demo-facilitator-2026")
    for lang in ("sv", "ar"):
        for path in [*pages(demo), f"/themes/{demo['theme']}/delete"]:
            _check(phone, live_server.url, path, lang, (360, 1280))
        _refused_bulk_tagging(phone, live_server.url, demo, lang, (360, 1280))


def test_theme_and_series_pages_pass_axe_in_the_other_languages(live_server, phone, demo):
    log_in(phone, live_server.url, "analyst@exempelby.se", "demo-analyst-2026")
    for lang in OTHER_LANGUAGES:
        for path in pages(demo):
            _check(phone, live_server.url, path, lang, (360,))
        _refused_bulk_tagging(phone, live_server.url, demo, lang, (360,))
    # deleting is for facilitators
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "facilitator@exempelby.se", "demo-facilitator-2026")
    for lang in OTHER_LANGUAGES:
        _check(phone, live_server.url, f"/themes/{demo['theme']}/delete", lang, (360,))


def test_a_facilitator_tags_a_statement_without_javascript(app, live_server, chromium, demo):
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale="sv")
    page = context.new_page()
    log_in(page, live_server.url, "facilitator@exempelby.se", "demo-facilitator-2026")
    page.goto(f"{live_server.url}/themes/events/{demo['event']}")
    item = page.locator("li[id^=statement-]").first
    statement_id = int(item.get_attribute("id").split("-")[1])
    box = item.locator(f'input[value="{demo["theme"]}"]')
    box.check()
    with page.expect_navigation():
        item.locator('button[type="submit"]').click()
    context.close()
    with app.app_context():
        assert demo["theme"] in queries.statement_theme_ids([statement_id])[statement_id]
        assert db.session.get(Statement, statement_id).event_id == demo["event"]
        assert db.session.get(Event, demo["event"]) is not None


def test_a_facilitator_tags_several_statements_at_once_without_javascript(
        app, live_server, chromium, demo):
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale="sv")
    page = context.new_page()
    log_in(page, live_server.url, "facilitator@exempelby.se", "demo-facilitator-2026")
    page.goto(f"{live_server.url}/themes/events/{demo['event']}")
    with app.app_context():
        untagged = [s.id for s in queries.statements_of(demo["event"])
                    if demo["theme"] not in queries.statement_theme_ids([s.id]).get(s.id, ())
                    and page.locator(f"#pick-statements-{s.id}").count()][:2]
    assert len(untagged) == 2
    for statement_id in untagged:
        page.locator(f"#pick-statements-{statement_id}").check()
    page.locator("#bulk-tag-theme").select_option(str(demo["theme"]))
    with page.expect_navigation() as sent:
        page.locator('#bulk-tag button[value="add"]').click()
    assert sent.value.status == 200  # after the redirect
    with app.app_context():
        tagged = queries.statement_theme_ids(untagged)
        assert all(demo["theme"] in tagged[i] for i in untagged)
    # and off the first of them again, with the other button
    page.locator(f"#pick-statements-{untagged[0]}").check()
    page.locator("#bulk-tag-theme").select_option(str(demo["theme"]))
    with page.expect_navigation() as sent:
        page.locator('#bulk-tag button[value="remove"]').click()
    assert sent.value.status == 200
    assert "togs bort från 1 påstående." in page.locator("body").inner_text()
    context.close()
    with app.app_context():
        tagged = queries.statement_theme_ids(untagged)
        assert demo["theme"] not in tagged.get(untagged[0], ())
        assert demo["theme"] in tagged[untagged[1]]
