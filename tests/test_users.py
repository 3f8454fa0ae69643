"""An administrator manages the organisation's users: create, change role, (de)activate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveys.auth.models import User
from surveys.core.roles import Role
from surveys.extensions import db
from tests.conftest import PASSWORD, user_email
from tests.support.manage import snapshot, staff



def text_of(response) -> str:
    return response.get_data(as_text=True)


def user(app, email: str) -> User | None:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        if found is not None:
            db.session.expunge(found)
        return found


@pytest.fixture
def org(make_org):
    return make_org("Exempelby kommun")


@pytest.fixture
def admin(client, login, org):
    return staff(client, login, org, Role.admin)


def test_an_admin_adds_a_user_who_can_then_log_in(app, admin, org, make_client):
    form = admin.get("/manage/users/new")
    assert form.status_code == 200 and 'type="password"' in text_of(form)
    sent = admin.post_form("/manage/users/new", {
        "name": "Amina Yusuf", "email": " Amina.Yusuf@Exempelby.se ", "role": "facilitator",
        "password": "en lång lösenfras"})
    assert sent.status_code == 302
    created = user(app, "amina.yusuf@exempelby.se")
    assert (created.name, created.role, created.active, created.organisation_id) == (
        "Amina Yusuf", Role.facilitator, True, org.id)
    assert created.password_hash.startswith("$argon2id$")
    listing = text_of(admin.get("/manage/users"))
    assert "Amina Yusuf" in listing and "amina.yusuf@exempelby.se" in listing

    other = make_client()
    logged_in = other.post_form("/login", {"email": "amina.yusuf@exempelby.se",
                                           "password": "en lång lösenfras"})
    assert logged_in.status_code == 302
    assert other.get("/manage/").status_code == 200
    assert other.get("/manage/users").status_code == 403


def test_an_email_is_unique_across_all_organisations(app, admin, make_org):
    elsewhere = make_org("Grannby kommun")
    taken = user_email(elsewhere, Role.analyst)
    before = snapshot(app)
    sent = admin.post_form("/manage/users/new", {
        "name": "Dubblett", "email": taken.upper(), "role": "author", "password": "x" * 12})
    assert sent.status_code == 400
    assert f"A user with the email {taken} already exists." in text_of(sent)
    assert snapshot(app) == before


@pytest.mark.parametrize("data, message", [
    ({"password": "kort"}, "Use 10 to 200 characters."),
    ({"email": "inte-en-adress"}, "Write an email address, e.g. name@kommun.se."),
    ({"role": "owner"}, "Not a valid choice."),
    ({"name": ""}, "This field is required."),
])
def test_a_new_user_needs_a_name_an_address_a_role_and_a_long_password(app, admin, data, message):
    before = snapshot(app)
    sent = admin.post_form("/manage/users/new", {
        "name": "Ny", "email": "ny@exempelby.se", "role": "author", "password": "x" * 12,
        **data})
    assert sent.status_code == 400
    assert message in text_of(sent)
    assert snapshot(app) == before


def test_an_admin_changes_a_role_and_it_applies_at_the_next_login(app, admin, org, make_client,
                                                                   login):
    analyst = make_client()
    staff(analyst, login, org, Role.analyst)
    target = user(app, user_email(org, Role.analyst))
    assert analyst.get("/manage/surveys/new").status_code == 403
    sent = admin.post_form(f"/manage/users/{target.id}/role", {"role": "author"})
    assert sent.status_code == 302
    assert user(app, user_email(org, Role.analyst)).role is Role.author
    # The old session, made for an analyst, has ended; the new login is an author's.
    assert "/login" in analyst.get("/manage/surveys/new").headers["Location"]
    staff(analyst, login, org, Role.analyst)
    assert analyst.get("/manage/surveys/new").status_code == 200
    assert admin.post_form(f"/manage/users/{target.id}/role",
                           {"role": "superuser"}).status_code == 400


def test_a_deactivated_user_is_locked_out_until_reactivated(app, admin, org, make_client, login):
    author = make_client()
    staff(author, login, org, Role.author)
    target = user(app, user_email(org, Role.author))
    assert admin.post_form(f"/manage/users/{target.id}/active", {"active": "0"}).status_code == 302
    assert user(app, target.email).active is False
    assert "Deactivated" in text_of(admin.get("/manage/users"))
    # The open session stops working, and a new login is refused.
    assert author.get("/manage/").status_code == 302
    again = make_client().post_form("/login", {"email": target.email, "password": PASSWORD})
    assert again.status_code == 401

    assert admin.post_form(f"/manage/users/{target.id}/active", {"active": "1"}).status_code == 302
    assert user(app, target.email).active is True
    assert make_client().post_form(
        "/login", {"email": target.email, "password": PASSWORD}).status_code == 302


def test_an_admin_cannot_lock_themselves_out(app, admin, org):
    me = user(app, user_email(org, Role.admin))
    before = snapshot(app)
    deactivate = admin.post_form(f"/manage/users/{me.id}/active", {"active": "0"})
    assert deactivate.status_code == 400
    assert "You cannot deactivate your own account." in text_of(deactivate)
    demote = admin.post_form(f"/manage/users/{me.id}/role", {"role": "analyst"})
    assert demote.status_code == 400
    assert "You cannot change your own role." in text_of(demote)
    assert snapshot(app) == before
    assert admin.get("/manage/users").status_code == 200


@pytest.mark.parametrize("role", [Role.author, Role.facilitator, Role.analyst])
def test_only_admins_manage_users(app, client, login, org, role):
    staff(client, login, org, role)
    target = user(app, user_email(org, Role.analyst))
    before = snapshot(app)
    assert client.get("/manage/users").status_code == 403
    assert client.get("/manage/users/new").status_code == 403
    for url, data in [
        ("/manage/users/new", {"name": "N", "email": "n@exempelby.se", "role": "admin",
                               "password": "x" * 12}),
        (f"/manage/users/{target.id}/role", {"role": "admin"}),
        (f"/manage/users/{target.id}/active", {"active": "0"}),
    ]:
        assert client.post_form(url, data).status_code == 403
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == len(Role)
