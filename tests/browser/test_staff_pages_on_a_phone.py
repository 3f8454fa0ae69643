"""Staff pages (surveys, authoring, translations, users, results, barrier reports, fieldwork) pass axe
and fit a 360 px screen, in Swedish and in Arabic."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.survey.models import Survey
from tests.support.browser import axe_violations, log_in
from tests.support.frames import make_sample
from tests.support.surveys import small_definition

pytestmark = pytest.mark.browser


def test_the_staff_pages_pass_axe_and_fit_a_phone(app, live_server, phone, make_survey,
                                                  restore_demo):
    restore_demo()
    with app.app_context():
        demo = db.session.scalar(select(Survey).where(Survey.slug == "demo"))
        organisation = demo.organisation
        draft = make_survey(organisation, slug="utkast", definition=small_definition())
        draft_survey = db.session.get(Survey, draft)
        page_id = draft_survey.pages[0].id
        question_id = draft_survey.pages[1].questions[0].id
        user_id = organisation.users[0].id
        demo_id = demo.id
    make_sample(app, demo_id, people=80, n=30, columns=("district", "age_group"))
    make_sample(app, draft, people=40, draw=False)
    log_in(phone, live_server.url, "admin@exempelby.se", "demo-admin-2026")
    pages = [
        "/manage/", "/manage/surveys/new", "/manage/surveys/import",
        f"/manage/surveys/{demo_id}", f"/manage/surveys/{draft}",
        f"/manage/surveys/{draft}/settings", f"/manage/surveys/{draft}/translations/ar",
        f"/manage/surveys/{draft}/preview/1", f"/manage/pages/{page_id}",
        f"/manage/pages/{page_id}/delete", f"/manage/pages/{page_id}/questions/new",
        f"/manage/questions/{question_id}", f"/manage/questions/{question_id}/condition",
        f"/manage/questions/{question_id}/delete", "/manage/users", "/manage/users/new",
        f"/manage/users/{user_id}/languages",
        f"/results/{demo_id}", "/accessibility/reports", "/account/password",
        "/manage/audit",
        f"/manage/surveys/{demo_id}/fieldwork", f"/manage/surveys/{demo_id}/fieldwork/people",
        f"/manage/surveys/{demo_id}/fieldwork/purge", f"/manage/surveys/{draft}/fieldwork/frame",
        f"/manage/surveys/{draft}/fieldwork/design",
    ]
    assert user_id
    for lang in ("sv", "ar"):
        for path in pages:
            response = phone.goto(f"{live_server.url}{path}?lang={lang}")
            assert response.status == 200, (lang, path)
            assert phone.locator("h1").count() == 1, (lang, path)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 360, (lang, path)
            assert axe_violations(phone) == [], (lang, path)
