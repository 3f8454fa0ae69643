"""Staff log in; passwords are hashed with argon2; logins are rate-limited; the CLI makes orgs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys import create_app
from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.extensions import db, limiter
from tests.conftest import PASSWORD, app_config, user_email
from tests.support.web import FormClient


def test_an_admin_logs_in_and_reaches_the_survey_list(client, make_org, login):
    org = make_org()
    login(client, org, Role.admin)
    assert client.get("/manage/").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, make_org):
    org = make_org()
    sent = client.post_form("/login?lang=en", {"email": user_email(org, "admin"), "password": "nope"})
    assert sent.status_code == 401
    assert "Wrong email or password." in sent.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302


def test_passwords_are_stored_as_argon2_hashes(app, make_org):
    make_org()
    with app.app_context():
        hashes = db.session.scalars(select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_a_deactivated_user_cannot_log_in(app, client, make_org):
    org = make_org()
    with app.app_context():
        db.session.scalar(select(User).where(User.email == user_email(org, "author"))).active = False
        db.session.commit()
    sent = client.post_form("/login", {"email": user_email(org, "author"), "password": PASSWORD})
    assert sent.status_code == 401


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example", "/%09/evil.example", "/%0a/evil.example",
    "/\\evil.example", "%2F%2Fevil.example", "/%5Cevil.example", "javascript:alert(1)"])
def test_login_only_redirects_to_local_pages(make_client, make_org, target):
    org = make_org()
    sent = make_client().post_form(f"/login?next={target}", {
        "email": user_email(org, "admin"), "password": PASSWORD})
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/manage/", target


def test_login_goes_on_to_the_local_page_asked_for(client, make_org):
    org = make_org()
    sent = client.post_form("/login?next=/manage/users%3Flang%3Dar", {
        "email": user_email(org, "admin"), "password": PASSWORD})
    assert sent.headers["Location"] == "/manage/users?lang=ar"


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example"])
def test_the_accessibility_page_links_back_only_to_local_pages(client, target):
    page = client.get(f"/accessibility?from={target}").get_data(as_text=True)
    assert "evil.example" not in page


def test_logging_out_ends_the_session_even_for_a_copied_cookie(app, make_org, make_client,
                                                               login):
    org = make_org()
    phone = login(make_client(), org, "analyst")
    laptop = make_client()
    laptop.set_cookie("session", phone.get_cookie("session").value)
    assert laptop.get("/manage/").status_code == 200
    assert phone.post_form("/logout").status_code == 302
    assert "/login" in laptop.get("/manage/").headers["Location"]
    assert "/login" in phone.get("/manage/").headers["Location"]


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, make_org, make_client,
                                                                   login):
    org = make_org()
    here, elsewhere = login(make_client(), org, "author"), login(make_client(), org, "author")
    form = {"current": PASSWORD, "new": "a new secret 2026", "repeated": "a new secret 2026"}
    for wrong, field in ((dict(form, current="not it"), "current password is wrong"),
                         (dict(form, new="short", repeated="short"), "at least 10"),
                         (dict(form, repeated="something else"), "differ")):
        refused = here.post_form("/account/password?lang=en", wrong)
        assert refused.status_code == 400 and field in refused.get_data(as_text=True)
        assert elsewhere.get("/manage/").status_code == 200  # nothing changed yet
    changed = here.post_form("/account/password?lang=en", form)
    assert changed.status_code == 302
    assert here.get("/manage/").status_code == 200
    assert "/login" in elsewhere.get("/manage/").headers["Location"]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == user_email(org, "author")))
        assert user.check_password("a new secret 2026") and not user.check_password(PASSWORD)


def test_a_new_role_or_deactivation_ends_the_users_sessions(app, make_org, make_client, login):
    org = make_org()
    admin = login(make_client(), org, "admin")
    author = login(make_client(), org, "author")
    analyst = login(make_client(), org, "analyst")
    with app.app_context():
        ids = {u.role.value: u.id for u in db.session.scalars(
            select(User).where(User.organisation_id == org.id))}
    assert admin.post_form(f"/manage/users/{ids['author']}/role",
                           {"role": "analyst"}).status_code == 302
    assert admin.post_form(f"/manage/users/{ids['analyst']}/active",
                           {"active": "0"}).status_code == 302
    for client in (author, analyst):
        assert "/login" in client.get("/manage/").headers["Location"]
    assert admin.get("/manage/").status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert "/login" in client.get("/manage/").headers["Location"]


def test_logins_are_rate_limited(database_url, make_org):
    app = create_app(app_config(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute"))
    app.test_client_class = FormClient
    org = make_org()
    client = app.test_client()
    limiter.reset()
    statuses = [
        client.post_form("/login", {"email": user_email(org, "admin"), "password": "bad"}).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    # Even the right password waits until the window has passed.
    right = client.post_form("/login", {"email": user_email(org, "admin"), "password": PASSWORD})
    assert right.status_code == 429
    with app.app_context():
        db.engine.dispose()


def test_the_cli_creates_an_organisation_and_its_first_admin(app, runner):
    result = runner.invoke(args=["create-org", "Nyby kommun", "--email", "Chef@Nyby.se",
                                 "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "chef@nyby.se"))
        assert admin.role is Role.admin and admin.organisation.name == "Nyby kommun"
        assert admin.check_password("a-long-password")
    again = runner.invoke(args=["create-org", "Nyby kommun", "--email", "x@nyby.se",
                                "--password", "a-long-password"])
    assert again.exit_code != 0 and "already exists" in again.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Organisation.id))) == 1
    not_a_code = runner.invoke(args=["create-org", "Göteborgs Stad", "--email", "a@gbg.se",
                                     "--municipality-code", "14", "--password", "a-long-password"])
    assert not_a_code.exit_code != 0 and "not a municipality code" in not_a_code.output
    coded = runner.invoke(args=["create-org", "Göteborgs Stad", "--email", "a@gbg.se",
                                "--municipality-code", "1480", "--password", "a-long-password"])
    assert coded.exit_code == 0, coded.output
    with app.app_context():
        city = db.session.scalar(select(Organisation).where(Organisation.name == "Göteborgs Stad"))
        assert city.municipality_code == "1480"


def test_the_app_refuses_to_start_without_a_secret_key_in_production(monkeypatch, tmp_path):
    import pytest

    from surveys.config import ConfigError

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DELAKTIG_ENV", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_outside_tests_passwords_get_argon2ids_production_cost(database_url):
    """Tests hash cheaply (conftest); an app without ARGON2_PARAMETERS pays the full cost."""
    config = app_config(database_url)
    del config["ARGON2_PARAMETERS"]
    app = create_app(config)
    with app.app_context():
        user = User(email="x@example.se", name="X", role=Role.admin)
        user.set_password(PASSWORD)
        assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert user.check_password(PASSWORD)
        assert not user.check_password(PASSWORD + "!")
    with create_app(app_config(database_url)).app_context():
        user.set_password(PASSWORD)
        assert user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
