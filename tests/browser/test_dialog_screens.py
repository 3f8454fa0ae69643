"""The facilitator's screens in a real Chromium: the live screen on the projector picks up a
participant's vote without a reload, and the live screen, the room panel and the opinion
groups pass axe-core in Swedish and Arabic at 360 and 1280 px."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.browser.test_accessibility import SMALL_TARGETS
from tests.conftest import PASSWORD, user_email
from tests.support.browser import at_width, axe_violations, log_in
from tests.support.dialog_votes import (
    add_checkins,
    add_dots,
    add_margins,
    add_paper,
    event_with_statements,
    two_camps,
)

pytestmark = pytest.mark.browser

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
POPULATION = [("age", "16-29", 2000), ("age", "30-44", 3000), ("age", "45-64", 3000),
              ("age", "65-84", 2000), ("gender", "kvinna", 5000), ("gender", "man", 5000),
              ("born", "inrikes", 8000), ("born", "utrikes", 2000),
              ("district", "Centrum", 6000), ("district", "Norr", 4000)]


def log_in_facilitator(page, base: str, org, lang: str = "sv") -> None:
    log_in(page, base, user_email(org, "facilitator"), PASSWORD, lang=lang)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _send(opener, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode(errors="replace")


def join_and_vote(base: str, code: str, statement_id: int, value: int) -> None:
    """A participant's phone over real HTTP: consent (with the form's CSRF token), then a vote."""
    phone = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
    _, consent = _send(phone, f"{base}/d/{code}?lang=sv")
    joined, _ = _send(phone, f"{base}/d/{code}/join", {
        "csrf_token": CSRF.search(consent).group(1), "lang": "sv", "consent": "yes"})
    assert joined == 302
    _, form = _send(phone, f"{base}/d/{code}/vote")
    voted, page = _send(phone, f"{base}/d/{code}/vote", {
        "csrf_token": CSRF.search(form).group(1), "statement_id": statement_id,
        "value": value})
    assert voted == 302, page[:500]


def test_the_live_screen_shows_a_new_vote_without_a_reload(app, live_server, phone, make_org):
    org = make_org()
    ev = event_with_statements(app, org, ["Fler lampor längs gångvägen.", "Bänkar i skuggan."])
    base = live_server.url
    log_in_facilitator(phone, base, org)
    at_width(phone, 1280)
    phone.goto(f"{base}/dialog/events/{ev['id']}/live")
    assert phone.locator("#live-agreed li").count() == 0
    assert phone.locator("#live-agreed-empty").is_visible()
    phone.evaluate("window.sameDocument = true")

    join_and_vote(base, ev["code"], ev["statements"][1], 1)

    phone.wait_for_function("document.getElementById('live').dataset.votes === '1'",
                            timeout=10_000)
    assert phone.evaluate("window.sameDocument") is True  # updated in place, not reloaded
    assert phone.locator("#live-joined").inner_text().startswith("1 ")
    assert phone.locator("#live-agreed li").count() == 1
    assert phone.locator("#live-agreed li .statement").inner_text() == "Bänkar i skuggan."
    assert phone.locator("#live-agreed li .statement").get_attribute("lang") == "sv"
    assert not phone.locator("#live-agreed-empty").is_visible()
    assert not phone.locator("#live-stale").is_visible()


def busy_evening(app, org) -> dict:
    """Two opinion camps, dots, a paper tally, check-ins and population margins."""
    ev = two_camps(app, org)
    add_margins(app, org, POPULATION)
    add_checkins(app, ev["id"], [{"age_group": "30-44", "gender": "kvinna", "born": "inrikes",
                                  "district": "Centrum"}] * 6 + [
        {"age_group": "65-84", "gender": "man", "born": "utrikes", "district": "Norr"}])
    add_dots(app, ev["id"], [{ev["statements"][8]: 3}])
    add_paper(app, ev["statements"][0], agree=4, disagree=2, dots=5)
    return ev


def accessible(page, lang: str, where: str) -> None:
    direction = "rtl" if lang == "ar" else "ltr"
    for width in (360, 1280):
        at_width(page, width)
        assert page.locator("html").get_attribute("lang") == lang, where
        assert page.locator("html").get_attribute("dir") == direction, where
        assert axe_violations(page) == [], f"{where} ({lang}) at {width}px"
        assert page.evaluate(SMALL_TARGETS) == [], f"{where} ({lang}) at {width}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, where


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_the_live_room_and_groups_screens_pass_axe(app, live_server, phone, make_org, lang):
    org = make_org()
    ev = busy_evening(app, org)
    base = live_server.url
    log_in_facilitator(phone, base, org, lang)
    for screen, ready in (("live", "#live-priorities li"), ("room", "svg[role=img]"),
                          ("groups", "svg[role=img]")):
        response = phone.goto(f"{base}/dialog/events/{ev['id']}/{screen}?lang={lang}")
        assert response.status == 200, screen
        assert phone.locator("h1").count() == 1, screen
        assert phone.locator(ready).count() >= 1, screen
        accessible(phone, lang, screen)
    # The explanations shown instead of figures pass too.
    empty = event_with_statements(app, org, ["Ensam."])
    for screen in ("live", "room", "groups"):
        phone.goto(f"{base}/dialog/events/{empty['id']}/{screen}?lang={lang}")
        accessible(phone, lang, f"{screen}, empty")
