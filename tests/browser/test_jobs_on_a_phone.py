"""A job's page (finished, failed) passes axe and fits a phone, in Swedish and Arabic; the
download link and the retry button work without JavaScript."""

from __future__ import annotations

import pytest

from surveys.core.roles import Role
from tests.conftest import PASSWORD, user_email
from tests.support.browser import at_width, axe_violations, log_in
from tests.support.jobs import FAILURES, submit

pytestmark = pytest.mark.browser


def logged_in_page(chromium, live_server, org, **options):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True,
                                   **options)
    page = context.new_page()
    log_in(page, live_server.url, user_email(org, Role.analyst), PASSWORD)
    return context, page


def test_the_job_pages_pass_axe_fit_a_phone_and_work_without_javascript(
        app, live_server, chromium, make_org):
    org = make_org()
    done = submit(app, org)
    FAILURES["left"] = 1
    failed = submit(app, org)
    context, page = logged_in_page(chromium, live_server, org)
    for lang in ("sv", "ar"):
        for job_id in (done, failed):
            page.goto(f"{live_server.url}/jobs/{job_id}?lang={lang}")
            assert page.locator("h1").count() == 1
            for width in (360, 1280):
                at_width(page, width)
                assert axe_violations(page) == [], (lang, job_id, width)
            at_width(page, 360)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()

    context, page = logged_in_page(chromium, live_server, org, java_script_enabled=False)
    page.goto(f"{live_server.url}/jobs/{done}?lang=en")
    with page.expect_download() as download:
        page.locator(f'a[href="/jobs/{done}/download"]').click()
    assert download.value.suggested_filename == "count.txt"
    page.goto(f"{live_server.url}/jobs/{failed}?lang=en")
    with page.expect_navigation():
        page.locator("form button.primary").click()
    assert "Ready." in page.locator("#job-status").inner_text()
    context.close()
