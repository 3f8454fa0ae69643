"""The accessibility statement and a resident's barrier report reaching the organisation's admins."""

from __future__ import annotations

from sqlalchemy import func, select

from surveys.accessibility.models import BarrierReport
from surveys.core.roles import Role
from surveys.extensions import db


def test_every_page_links_to_the_statement_with_the_page_it_came_from(client, make_org, make_survey):
    make_survey(make_org())
    body = client.get("/s/demo").get_data(as_text=True)
    assert 'href="/accessibility?from=/s/demo"' in body
    statement = client.get("/accessibility?from=/s/demo&lang=en")
    assert statement.status_code == 200
    assert "WCAG 2.1" in statement.get_data(as_text=True)


def test_a_residents_report_reaches_the_admins_of_that_organisation_only(
        app, client, make_client, make_org, make_survey, login):
    owner, other = make_org("Ägarby"), make_org("Annanby")
    make_survey(owner)
    sent = client.post_form("/accessibility?from=/s/demo&lang=ar",
                            {"description": "The scale buttons are too small", "contact": ""})
    assert sent.status_code == 302
    admin = login(make_client(), owner, Role.admin)
    assert "The scale buttons are too small" in admin.get("/accessibility/reports").get_data(as_text=True)
    stranger = login(make_client(), other, Role.admin)
    assert "too small" not in stranger.get("/accessibility/reports").get_data(as_text=True)
    with app.app_context():
        report = db.session.scalar(select(BarrierReport))
        assert report.page == "/s/demo" and report.language == "ar"
    assert stranger.post_form(f"/accessibility/reports/{report.id}").status_code == 404
    assert admin.post_form(f"/accessibility/reports/{report.id}").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(BarrierReport.handled_at)) is not None


def test_an_empty_report_is_explained_and_not_stored(app, client):
    sent = client.post_form("/accessibility?lang=en", {"description": "  "})
    assert sent.status_code == 400
    assert "Describe the problem." in sent.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(BarrierReport.id))) == 0


def test_only_admins_see_the_reports(make_client, make_org, login):
    org = make_org()
    for role in (Role.author, Role.analyst, Role.facilitator):
        assert login(make_client(), org, role).get("/accessibility/reports").status_code == 403


def test_barrier_reports_from_dialogue_and_public_indicator_pages_reach_their_organisation(
        app, client, make_org, restore_demo):
    from surveys.accessibility.models import BarrierReport
    from surveys.auth.models import Organisation

    restore_demo(followup=True)
    for page in ("/d/UNGA25", "/indicators/exempelby-kommun/inclusion_trust"):
        sent = client.post_form(f"/accessibility?from={page}", {
            "description": "Texten är för liten", "contact": ""})
        assert sent.status_code == 302
    with app.app_context():
        organisation = db.session.scalar(select(Organisation.id).where(
            Organisation.name == "Exempelby kommun"))
        assert list(db.session.scalars(select(BarrierReport.organisation_id))) == [
            organisation, organisation]
