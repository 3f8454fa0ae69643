"""Session cookies are signed again when the session changes or the cookie is an hour old,
not on every page (surveys/core/sessions.py); a forged or expired one is still refused."""

from __future__ import annotations

from surveys.core import sessions
from tests.support.surveys import small_definition


def set_cookie(reply) -> str | None:
    return next((h for h in reply.headers.getlist("Set-Cookie") if h.startswith("session=")),
                None)


def test_an_unchanged_session_is_not_signed_again_on_every_page(app, client, make_org,
                                                                 make_survey):
    make_survey(make_org(), slug="liten", definition=small_definition())
    assert set_cookie(client.get("/s/liten")) is not None  # a new session (language, CSRF)
    started = client.post_form("/s/liten/start")
    assert set_cookie(started) is not None  # the response remembered: changed
    page = client.get("/s/liten/p/1")
    assert page.status_code == 200 and set_cookie(page) is None
    assert "Vary" in page.headers and "Cookie" in page.headers["Vary"]
    sent = client.post_form("/s/liten/p/1", {
        "q_member": "yes", "q_sports": "run", "q_trust": "7", "q_agree": "4",
        "q_grid__a": "1", "q_grid__b": "2"})
    assert sent.status_code == 302 and set_cookie(sent) is None
    assert set_cookie(client.get("/s/liten/p/2?lang=en")) is not None  # a choice: changed


def test_an_hour_old_cookie_is_signed_again_with_a_new_expiry(app, client, make_org,
                                                              make_survey, monkeypatch):
    make_survey(make_org(), slug="liten", definition=small_definition())
    client.post_form("/s/liten/start")
    assert set_cookie(client.get("/s/liten/p/1")) is None
    monkeypatch.setattr(sessions, "REFRESH_AFTER", 0)  # as if an hour had passed
    again = set_cookie(client.get("/s/liten/p/1"))
    assert again is not None and "Expires=" in again


def test_a_forged_cookie_is_still_an_empty_session(app, client, make_org, make_survey):
    make_survey(make_org(), slug="liten", definition=small_definition())
    client.post_form("/s/liten/start")
    value = client.get_cookie("session").value
    client.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    # the response is no longer this device's: back to the start page
    assert client.get("/s/liten/p/1").headers["Location"].endswith("/s/liten")
