"""The audit log: logins (refused ones too), users and roles, surveys opened and closed;
admins filter it and download it; others never see it; no IP address is kept."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import inspect, select

from surveys.audit.models import AuditEvent
from surveys.auth.models import User
from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.extensions import db
from tests.conftest import PASSWORD, user_email


def actions(app, org) -> list[tuple[str, str | None, str]]:
    """(action, the actor's email, subject) of the organisation's events, oldest first."""
    with app.app_context():
        return [(e.action, e.user.email if e.user else None, e.subject)
                for e in db.session.scalars(select(AuditEvent).where(
                    AuditEvent.organisation_id == org.id).order_by(AuditEvent.id))]


def test_logins_refused_logins_and_logouts_are_logged(app, client, make_org, login):
    org = make_org()
    analyst = user_email(org, "analyst")
    refused = client.post_form("/login", {"email": analyst, "password": "not it"})
    assert refused.status_code == 401  # the request rolls back; the line stays
    login(client, org, Role.analyst)
    client.post_form("/logout")
    client.post_form("/login", {"email": "nobody@example.se", "password": "x" * 12})
    assert actions(app, org) == [("login_failed", analyst, ""), ("login", analyst, ""),
                                 ("logout", analyst, "")]


def test_user_changes_and_survey_opening_and_closing_are_logged_with_who_did_them(
        app, make_org, make_client, make_survey, login):
    org = make_org()
    admin = login(make_client(), org, Role.admin)
    with app.app_context():
        author_id = db.session.scalar(select(User.id).where(
            User.email == user_email(org, "author")))
    admin.post_form("/manage/users/new", {"name": "Ny", "email": "ny@kommun.se",
                                          "role": "analyst", "password": PASSWORD})
    admin.post_form(f"/manage/users/{author_id}/role", {"role": "facilitator"})
    admin.post_form(f"/manage/users/{author_id}/active", {"active": "0"})
    survey_id = make_survey(org, slug="oppen")
    admin.post_form(f"/manage/surveys/{survey_id}/close")
    admin_email, author = user_email(org, "admin"), user_email(org, "author")
    assert actions(app, org)[1:] == [
        ("user_created", admin_email, "ny@kommun.se"),
        ("role_changed", admin_email, author),
        ("user_deactivated", admin_email, author),
        ("survey_closed", admin_email, "oppen"),
    ]


def test_a_refused_change_leaves_no_line(app, make_org, make_client, login):
    org = make_org()
    admin = login(make_client(), org, Role.admin)
    with app.app_context():
        own_id = db.session.scalar(select(User.id).where(User.email == user_email(org, "admin")))
    assert admin.post_form(f"/manage/users/{own_id}/role",
                           {"role": "author"}).status_code == 400
    assert [a for a, _, _ in actions(app, org)] == ["login"]


def test_admins_filter_the_log_and_download_it_and_see_only_their_organisation(
        app, make_org, make_client, login):
    org, other = make_org(), make_org()
    login(make_client(), other, Role.analyst)
    admin = login(make_client(), org, Role.admin)
    login(make_client(), org, Role.analyst)
    page = admin.get("/manage/audit?lang=en&action=login").get_data(as_text=True)
    assert page.count("Logged in") >= 3  # two rows and the option
    assert "Analyst" in page and user_email(other, "analyst") not in page
    with app.app_context():
        analyst_id = db.session.scalar(select(User.id).where(
            User.email == user_email(org, "analyst")))
    only = admin.get(f"/manage/audit.csv?user={analyst_id}")
    rows = list(csv.reader(io.StringIO(only.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["time", "person", "email", "action", "subject", "detail"]
    assert [(r[2], r[3]) for r in rows[1:]] == [(user_email(org, "analyst"), "login")]
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    assert "No events match" in admin.get(
        f"/manage/audit?lang=en&since={tomorrow}").get_data(as_text=True)
    bad = admin.get("/manage/audit?lang=en&since=yesterday")
    assert bad.status_code == 400 and "Not a valid date value" in bad.get_data(as_text=True)


def test_only_admins_read_the_log(make_org, make_client, login):
    org = make_org()
    for role in (Role.analyst, Role.author, Role.facilitator):
        client = login(make_client(), org, role)
        assert client.get("/manage/audit").status_code == 403
        assert client.get("/manage/audit.csv").status_code == 403


def test_the_log_has_no_place_for_an_ip_address(app):
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("audit_events")}
    assert columns == {"id", "organisation_id", "user_id", "action", "subject", "detail",
                       "created_at"}


def test_approvals_withdrawals_microdata_downloads_and_tokens_are_logged(
        app, client, make_client, restore_demo):
    from tests.support.analysis import RUN_FORM, SCB_FILE, demo_analyst, import_jsonstat, \
        location_id

    restore_demo(followup=False)
    with app.app_context():
        from surveys.survey.models import Survey
        survey = db.session.scalar(select(Survey).where(Survey.slug == "demo"))
        survey_id, org_id = survey.id, survey.organisation_id
    demo_analyst(client)
    margin_set_id = location_id(import_jsonstat(client, SCB_FILE.read_bytes()))
    created = client.post_form(f"/analysis/surveys/{survey_id}",
                               {**RUN_FORM, "margin_set": str(margin_set_id)})
    run_id = location_id(created)
    assert client.post_form(f"/analysis/runs/{run_id}/approve").status_code == 302
    assert client.post_form(f"/analysis/runs/{run_id}/export?format=csv").status_code == 200
    assert client.post_form(f"/analysis/runs/{run_id}/withdraw").status_code == 302
    admin = make_client()
    admin.post_form("/login", {"email": "admin@exempelby.se", "password": "demo-admin-2026"})
    assert admin.post_form("/followup/tokens/", {"name": "Portalen"}).status_code == 200
    with app.app_context():
        logged = [(e.action, e.subject, e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.organisation_id == org_id,
                                     AuditEvent.action != "login").order_by(AuditEvent.id))]
    name = f"demo #{run_id}"
    assert logged == [("run_approved", name, {}),
                      ("microdata_downloaded", name, {"format": "csv", "free_text": False}),
                      ("run_withdrawn", name, {}), ("token_created", "Portalen", {})]
