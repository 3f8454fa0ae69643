"""The follow-up pages pass axe-core and fit a phone: the public indicator pages in every
language (they are resident pages), the analyst's pages in Swedish and Arabic."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.core.i18n import LANGUAGES
from surveys.extensions import db
from surveys.followup.models import Framework
from tests.browser.test_accessibility import check_page
from tests.support.analysis import demo_framework
from tests.support.browser import at_width, axe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, restore_demo):
    restore_demo(respondents=500)
    with app.app_context():
        framework = demo_framework()
        return {"slug": framework.slug, "areas": [a.key for a in framework.focus_areas],
                "ids": {i.key: i.id for i in framework.indicators}}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_public_indicator_pages_pass_axe_in_every_language(live_server, phone, demo, lang):
    paths = [f"/indicators/{demo['slug']}"] + [
        f"/indicators/{demo['slug']}/{area}" for area in demo["areas"]]
    for path in paths:
        response = phone.goto(f"{live_server.url}{path}?lang={lang}")
        assert response.status == 200, (lang, path)
        assert phone.locator("h1").count() == 1
        if path != paths[0]:
            assert phone.locator("svg[role=img] title").count() >= 1, (lang, path)
        check_page(phone, lang, f"{path}?lang={lang}")


def test_the_analysts_follow_up_pages_pass_axe_and_fit_a_phone(live_server, phone, demo):
    log_in(phone, live_server.url, "admin@exempelby.se", "demo-admin-2026")
    ids = demo["ids"]
    # (the areas' dashboards, with their comparisons, are checked at both widths below; the
    # staff report, at both widths in test_reports_on_a_phone)
    pages = ["/followup/", "/followup/areas/housing",
             f"/followup/indicators/{ids['tillit_institutioner']}",
             f"/followup/indicators/{ids['tillit_manniskor']}/edit",
             f"/followup/indicators/{ids['forvarvsfrekvens_utrikes']}/register",
             "/followup/indicators/new", "/followup/settings", "/followup/tokens/",
             "/followup/structure", "/followup/areas/housing/title"]
    for lang in ("sv", "ar"):
        for path in pages:
            response = phone.goto(f"{live_server.url}{path}?lang={lang}")
            assert response.status == 200, (lang, path)
            assert phone.locator("h1").count() == 1, (lang, path)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360, (lang, path)
            assert axe_violations(phone) == [], (lang, path)


@pytest.fixture
def programme(app, demo):
    """The demo's second framework: the social sustainability programme."""
    with app.app_context():
        framework = db.session.scalar(select(Framework).where(Framework.is_default.is_(False)))
        return {"slug": framework.slug, "areas": [a.key for a in framework.focus_areas],
                "ids": [i.id for i in framework.all_indicators()]}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_second_frameworks_public_pages_pass_axe(live_server, phone, programme, lang):
    slug = programme["slug"]
    for path in [f"/indicators/{slug}"] + [f"/indicators/{slug}/{a}" for a in programme["areas"]]:
        response = phone.goto(f"{live_server.url}{path}?lang={lang}")
        assert response.status == 200, (lang, path)
        assert phone.locator("h1").count() == 1
        check_page(phone, lang, f"{path}?lang={lang}")


def test_the_second_frameworks_staff_pages_pass_axe(live_server, phone, programme):
    log_in(phone, live_server.url, "analyst@exempelby.se", "demo-analyst-2026")
    base = f"/followup/f/{programme['slug']}"
    pages = [f"{base}/", *(f"{base}/areas/{a}" for a in programme["areas"]),
             f"{base}/indicators/{programme['ids'][0]}", f"{base}/settings",
             f"{base}/indicators/new", "/followup/frameworks/"]
    for lang in ("sv", "ar"):
        for path in pages:
            response = phone.goto(f"{live_server.url}{path}?lang={lang}")
            assert response.status == 200, (lang, path)
            assert phone.locator("h1").count() == 1, (lang, path)
            check_page(phone, lang, f"{path}?lang={lang}")
        # the report is a printable document, checked as the default's is: axe, both widths
        phone.goto(f"{live_server.url}{base}/report?lang={lang}")
        for width in (360, 1280):
            at_width(phone, width)
            assert axe_violations(phone) == [], (lang, width)


def test_the_comparisons_pass_axe_at_both_widths(live_server, phone, demo):
    """The comparison settings and the dashboards with comparisons (the register indicator
    beside Kolada's areas, trust beside the sharing neighbour), Swedish and Arabic."""
    log_in(phone, live_server.url, "analyst@exempelby.se", "demo-analyst-2026")
    pages = ["/followup/comparisons", "/followup/areas/work", "/followup/areas/inclusion_trust"]
    indicator = f"/followup/indicators/{demo['ids']['forvarvsfrekvens_utrikes']}"
    for lang in ("sv", "ar"):
        # the indicator's page shows its key (not text in a language): axe alone
        assert phone.goto(f"{live_server.url}{indicator}?lang={lang}").status == 200
        assert phone.locator("svg.compare-chart").count() == 1
        for width in (360, 1280):
            at_width(phone, width)
            assert axe_violations(phone) == [], (lang, indicator, width)
        at_width(phone, 360)
        for path in pages:
            response = phone.goto(f"{live_server.url}{path}?lang={lang}")
            assert response.status == 200, (lang, path)
            if path != pages[0]:
                assert phone.locator("svg.compare-chart").count() >= 1, (lang, path)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360, (lang, path)
            check_page(phone, lang, f"{path}?lang={lang}")
            at_width(phone, 360)
