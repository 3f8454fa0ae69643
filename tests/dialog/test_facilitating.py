"""A facilitator prepares an event, opens, closes, reopens and publishes it; only their own
organisation's facilitators and admins reach it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dialog.models import FOCUS_AREAS, JOIN_CODE_ALPHABET, Event, EventStatus, Moderation, Prompt
from surveys.extensions import db
from tests.support.dialog import create_event, prompt_ids, set_status

NEW_EVENT = {
    "default_language": "sv", "languages": ["sv", "ar"],
    "title_sv": "Trygg i parken", "title_ar": "الأمان في الحديقة",
    "description_sv": "Ett samtal om parken.", "starts_at": "2026-05-12T18:00",
    "ends_at": "2026-05-12T20:30", "place": "Biblioteket", "online_url": "",
    "target_groups": "unga 16-25\nföräldrar\n\nunga 16-25", "focus_areas": ["housing", "health"],
    "moderation": "pre", "statement_max_length": "200", "dot_points": "3",
}


def events(app) -> list[Event]:
    with app.app_context():
        found = db.session.scalars(select(Event).order_by(Event.id)).all()
        for event in found:
            db.session.expunge(event)
        return found


def test_a_facilitator_creates_an_event_with_texts_per_language_and_limits(app, client,
                                                                             make_org, login):
    login(client, make_org(), "facilitator")
    sent = client.post_form("/dialog/events/new", NEW_EVENT)
    assert sent.status_code == 302
    [event] = events(app)
    assert sent.headers["Location"].endswith(f"/dialog/events/{event.id}")
    assert event.title == {"sv": "Trygg i parken", "ar": "الأمان في الحديقة"}
    assert event.description == {"sv": "Ett samtal om parken."}
    assert event.languages == ["sv", "ar"] and event.default_language == "sv"
    assert event.target_groups == ["unga 16-25", "föräldrar"]
    assert event.focus_areas == ["housing", "health"]
    assert event.moderation is Moderation.pre and event.status is EventStatus.draft
    assert (event.statement_max_length, event.dot_points) == (200, 3)
    # Swedish summer time is UTC+2.
    assert event.starts_at.isoformat() == "2026-05-12T16:00:00"
    assert event.place == "Biblioteket"
    assert len(event.join_code) == 6 and set(event.join_code) <= set(JOIN_CODE_ALPHABET)
    assert not set(event.join_code) & set("0O1IL")
    page = client.get(f"/dialog/events/{event.id}").get_data(as_text=True)
    assert event.join_code in page and f"/d/{event.join_code}" in page


def test_the_default_language_is_always_offered_and_listed_first(app, client, make_org, login):
    login(client, make_org(), "admin")
    data = {**NEW_EVENT, "default_language": "ar", "languages": ["sv"]}
    assert client.post_form("/dialog/events/new", data).status_code == 302
    assert events(app)[0].languages == ["ar", "sv"]


@pytest.mark.parametrize(("change", "message"), [
    ({"title_sv": ""}, "Write the title in the default language."),
    ({"ends_at": "2026-05-12T17:00"}, "The event cannot end before it starts."),
    ({"statement_max_length": "5"}, "Write a number from 20 to 2000."),
    ({"statement_max_length": "many"}, "Write a number from 20 to 2000."),
    ({"dot_points": "-1"}, "Write a number from 0 to 50."),
    ({"online_url": "not a link"}, "Write a full web address"),
    # WTForms' own message, in its Swedish translation: the field is marked.
    ({"focus_areas": ["parking"]}, 'id="focus_areas-error"'),
    ({"moderation": "never"}, 'id="moderation-error"'),
])
def test_a_bad_event_form_is_refused_with_a_message_and_kept(app, client, make_org, login,
                                                              change, message):
    login(client, make_org(), "facilitator")
    sent = client.post_form("/dialog/events/new", {**NEW_EVENT, **change})
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert message in page
    assert "Biblioteket" in page  # what was typed stays in the form
    assert events(app) == []


def test_editing_an_event_changes_its_details_but_not_its_code(app, client, make_org, login):
    org = make_org()
    ev = create_event(app, org)
    login(client, org, "facilitator")
    form = client.get(f"/dialog/events/{ev['id']}/edit").get_data(as_text=True)
    assert "Trygg i parken" in form and 'value="inclusion_trust" checked' in form
    sent = client.post_form(f"/dialog/events/{ev['id']}/edit", {
        **NEW_EVENT, "title_sv": "Trygg i parken, del 2", "moderation": "post",
        "focus_areas": list(FOCUS_AREAS)})
    assert sent.status_code == 302
    [event] = events(app)
    assert event.title["sv"] == "Trygg i parken, del 2" and event.join_code == ev["code"]
    assert event.focus_areas == list(FOCUS_AREAS) and event.moderation is Moderation.post


def test_prompts_are_added_edited_and_reordered(app, client, make_org, login):
    org = make_org()
    ev = create_event(app, org, prompts=0)
    login(client, org, "facilitator")
    for text in ("Första frågan?", "Andra frågan?", "Tredje frågan?"):
        sent = client.post_form(f"/dialog/events/{ev['id']}/prompts",
                                {"text_sv": text, "text_ar": "سؤال؟"})
        assert sent.status_code == 302
    first, second, third = prompt_ids(app, ev["id"])
    empty = client.post_form(f"/dialog/events/{ev['id']}/prompts", {"text_ar": "سؤال؟"})
    assert empty.status_code == 400
    assert "Write the prompt in the default language." in empty.get_data(as_text=True)
    assert client.post_form(f"/dialog/prompts/{third}/move", {"direction": "up"}).status_code == 302
    assert client.post_form(f"/dialog/prompts/{first}/move", {"direction": "up"}).status_code == 302
    assert prompt_ids(app, ev["id"]) == [first, third, second]
    assert client.post_form(f"/dialog/prompts/{first}/move",
                            {"direction": "sideways"}).status_code == 400
    edited = client.post_form(f"/dialog/prompts/{second}", {"text_sv": "Ändrad fråga?"})
    assert edited.status_code == 302
    with app.app_context():
        assert db.session.get(Prompt, second).text == {"sv": "Ändrad fråga?"}
        assert db.session.get(Prompt, first).text == {"sv": "Första frågan?", "ar": "سؤال؟"}


def test_every_state_change_and_the_ones_refused(app, client, make_org, login):
    org = make_org()
    ev = create_event(app, org, status=EventStatus.draft)
    login(client, org, "facilitator")

    def change(target: str):
        return client.post_form(f"/dialog/events/{ev['id']}/status", {"status": target})

    def state():
        return events(app)[0].status

    for target in ("closed", "published", "draft"):
        assert change(target).status_code == 409 and state() is EventStatus.draft
    assert change("open").status_code == 302 and state() is EventStatus.open
    for target in ("open", "published", "draft"):
        assert change(target).status_code == 409 and state() is EventStatus.open
    assert change("closed").status_code == 302 and state() is EventStatus.closed
    assert change("open").status_code == 302 and state() is EventStatus.open  # reopened
    assert change("closed").status_code == 302
    assert change("draft").status_code == 409
    assert change("published").status_code == 302 and state() is EventStatus.published
    for target in ("open", "closed", "draft"):
        assert change(target).status_code == 409 and state() is EventStatus.published
    refused = change("archived")
    assert refused.status_code == 400
    assert "Choose what to do with the event." in refused.get_data(as_text=True)


def test_an_event_opens_only_with_prompts_and_every_text_translated(app, client, make_org,
                                                                     login):
    org = make_org()
    ev = create_event(app, org, status=EventStatus.draft, prompts=0, languages=("sv", "ar"))
    login(client, org, "facilitator")
    refused = client.post_form(f"/dialog/events/{ev['id']}/status", {"status": "open"})
    assert refused.status_code == 409
    assert "Add at least one prompt" in refused.get_data(as_text=True)
    client.post_form(f"/dialog/events/{ev['id']}/prompts", {"text_sv": "Bara svenska?"})
    refused = client.post_form(f"/dialog/events/{ev['id']}/status", {"status": "open"})
    assert refused.status_code == 409
    assert "Prompt 1 is missing in Arabic." in refused.get_data(as_text=True)
    [prompt] = prompt_ids(app, ev["id"])
    client.post_form(f"/dialog/prompts/{prompt}", {"text_sv": "Bara svenska?", "text_ar": "؟"})
    assert client.post_form(f"/dialog/events/{ev['id']}/status",
                            {"status": "open"}).status_code == 302


def test_the_qr_code_is_an_svg_of_the_join_address_and_downloads(app, client, make_org, login):
    org = make_org()
    ev = create_event(app, org)
    login(client, org, "facilitator")
    page = client.get(f"/dialog/events/{ev['id']}").get_data(as_text=True)
    assert f'src="/dialog/events/{ev["id"]}/qr.svg"' in page
    shown = client.get(f"/dialog/events/{ev['id']}/qr.svg")
    assert shown.status_code == 200 and shown.mimetype == "image/svg+xml"
    svg = shown.get_data(as_text=True)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and ev["code"] in svg
    assert "Content-Disposition" not in shown.headers
    download = client.get(f"/dialog/events/{ev['id']}/qr.svg?download=1")
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="dialog-{ev["code"]}.svg"')


@pytest.mark.parametrize("role", ["author", "analyst"])
def test_authors_and_analysts_cannot_reach_facilitator_pages(app, client, make_org, login, role):
    org = make_org()
    ev = create_event(app, org)
    login(client, org, role)
    for url in ("/dialog/", "/dialog/events/new", f"/dialog/events/{ev['id']}",
                f"/dialog/events/{ev['id']}/moderation", f"/dialog/events/{ev['id']}/qr.svg",
                f"/dialog/events/{ev['id']}/paper", f"/dialog/events/{ev['id']}/tables"):
        assert client.get(url).status_code == 403, url
    assert client.post_form(f"/dialog/events/{ev['id']}/status",
                            {"status": "closed"}).status_code == 403
    assert events(app)[0].status is EventStatus.open


def test_visitors_without_an_account_are_sent_to_the_login_page(app, client, make_org):
    ev = create_event(app, make_org())
    sent = client.get(f"/dialog/events/{ev['id']}")
    assert sent.status_code == 302 and "/login" in sent.headers["Location"]


def test_another_organisations_event_does_not_exist(app, client, make_org, login):
    mine, theirs = make_org(), make_org()
    ev = create_event(app, theirs)
    [prompt] = ev["prompts"]
    login(client, mine, "facilitator")
    for url in (f"/dialog/events/{ev['id']}", f"/dialog/events/{ev['id']}/edit",
                f"/dialog/events/{ev['id']}/qr.svg", f"/dialog/events/{ev['id']}/moderation",
                f"/dialog/prompts/{prompt}"):
        assert client.get(url).status_code == 404, url
    assert client.post_form(f"/dialog/events/{ev['id']}/status",
                            {"status": "closed"}).status_code == 404
    assert client.post_form(f"/dialog/prompts/{prompt}/move",
                            {"direction": "down"}).status_code == 404
    listing = client.get("/dialog/").get_data(as_text=True)
    assert ev["code"] not in listing
    create_event(app, mine)
    assert len(re.findall(r'href="/dialog/events/\d+"', client.get("/dialog/").get_data(
        as_text=True))) == 1
    assert events(app)[0].status is EventStatus.open


def test_a_draft_event_cannot_be_joined(app, client, make_org):
    ev = create_event(app, make_org(), status=EventStatus.draft)
    assert client.get(f"/d/{ev['code']}").status_code == 404
    set_status(app, ev["id"], EventStatus.open)
    assert client.get(f"/d/{ev['code']}").status_code == 200
