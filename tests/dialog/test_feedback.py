"""Residents read what was heard at a published event with the code they joined with, in the
event's languages; the municipality answers with "what we do", its actions and indicators."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from dialog import heard, queries, services
from dialog.models import (
    ActionStatus,
    EventAction,
    EventResponse,
    EventStatus,
    ModerationKind,
    Statement,
    StatementSource,
)
from surveys.extensions import db
from surveys.followup.models import Framework
from surveys.followup.services import create_from_template
from tests.support.dialog import make_event, set_status

SCRIPT = '<script>alert("x")</script> Mer ljus vid gångvägen'
#: Web votes per statement: (agree, disagree, pass); paper tallies (agree, disagree, pass).
WEB = {"many": (4, 2, 1), "few": (2, 0, 0), "script": (3, 1, 1), "hidden": (5, 0, 0)}
PAPER = {"many": (3, 1, 0), "few": (1, 0, 0)}
TEXTS = {"many": "Bättre belysning längs gångvägarna.", "few": "Fler bänkar i skuggan.",
         "script": SCRIPT, "hidden": "Något en moderator dolde."}


def heard_event(app, org, status: EventStatus = EventStatus.published) -> dict:
    """An event with web votes and paper tallies on four statements, one of them hidden."""
    with app.app_context():
        event = make_event(org.id, prompts=2)
        ids = {}
        for key, text in TEXTS.items():
            ids[key] = services.add_staff_statement(event, event.prompts[0], text, "sv",
                                               StatementSource.paper).id
        people = [services.join(event, queries.device_hash(f"device-{n}", event.id), "sv") for n in range(7)]
        for key, (agree, disagree, passed) in WEB.items():
            values = [1] * agree + [-1] * disagree + [0] * passed
            for person, value in zip(people, values, strict=False):
                services.cast_vote(person, ids[key], value)
        for key, (agree, disagree, passed) in PAPER.items():
            services.record_paper_tally(db.session.get(Statement, ids[key]), None, None,
                                   agree=agree, disagree=disagree, passed=passed, dots=0)
        hidden = db.session.get(Statement, ids["hidden"])
        services.moderate_statement(hidden, None, ModerationKind.hide)
        event.status = status
        db.session.commit()
        return {"id": event.id, "code": event.join_code, "statements": ids}


def card(page: str, text: str) -> str:
    """The statement card holding `text` (its counts line included)."""
    for item in re.findall(r'<div class="card">(.*?)</div>', page, re.DOTALL):
        if text in unescape(item):
            return unescape(re.sub(r"<[^>]+>", " ", item))
    raise AssertionError(f"no card for {text!r}")


def test_the_heard_page_exists_only_once_the_event_is_published(app, client, make_org):
    org = make_org()
    ev = heard_event(app, org, status=EventStatus.closed)
    for status in (EventStatus.open, EventStatus.closed):
        set_status(app, ev["id"], status)
        page = client.get(f"/d/{ev['code']}/heard?lang=en")
        assert page.status_code == 404
        assert "not been published yet" in page.get_data(as_text=True)
    set_status(app, ev["id"], EventStatus.draft)
    assert client.get(f"/d/{ev['code']}/heard").status_code == 404
    assert client.get("/d/ZZZZZZ/heard").status_code == 404
    set_status(app, ev["id"], EventStatus.published)
    assert client.get(f"/d/{ev['code']}/heard").status_code == 200
    typed = client.get(f"/d/{ev['code'].lower()}/heard")
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/d/{ev['code']}/heard")


@pytest.mark.parametrize("lang,direction", [("sv", "ltr"), ("en", "ltr"), ("ar", "rtl")])
def test_the_heard_page_speaks_each_of_the_events_languages(app, client, make_org, lang,
                                                           direction):
    from tests.support.dialog import PROMPTS, TITLE

    ev = heard_event(app, make_org())
    page = client.get(f"/d/{ev['code']}/heard?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert TITLE[lang] in page and PROMPTS[0][lang] in page
    offered = re.findall(r'<a href="/d/[^"]+\?lang=([\w-]+)"', page)
    assert offered == ["sv", "en", "ar"]


def test_counts_add_web_and_paper_votes_and_mark_the_paper_ones(app, client, make_org):
    ev = heard_event(app, make_org())
    page = client.get(f"/d/{ev['code']}/heard?lang=en").get_data(as_text=True)
    many = card(page, TEXTS["many"])
    assert "Agree: 7" in many and "Disagree: 3" in many and "Pass: 1" in many
    assert "4 of the votes were cast on paper" in many
    script = card(page, SCRIPT)
    assert "Agree: 3" in script and "Disagree: 1" in script and "Pass: 1" in script
    assert "on paper" not in script
    assert TEXTS["hidden"] not in page


def test_a_statement_with_fewer_than_five_votes_shows_no_counts(app, client, make_org):
    ev = heard_event(app, make_org())
    page = client.get(f"/d/{ev['code']}/heard?lang=en").get_data(as_text=True)
    few = card(page, TEXTS["few"])
    assert "Fewer than 5 votes" in few
    assert "Agree" not in few and "paper" not in few


def test_participant_text_is_escaped(app, client, make_org):
    ev = heard_event(app, make_org())
    page = client.get(f"/d/{ev['code']}/heard?lang=sv").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_without_enough_votes_no_groups_are_claimed(app, client, make_org):
    ev = heard_event(app, make_org())
    page = client.get(f"/d/{ev['code']}/heard?lang=en").get_data(as_text=True)
    assert "Too few people voted on enough statements to find opinion groups." in page
    assert "Group 1" not in page


def two_camps(app, org) -> dict:
    """Ten participants in two camps that vote opposite on eight statements, then published."""
    with app.app_context():
        event = make_event(org.id, prompts=1)
        statements = [services.add_staff_statement(event, event.prompts[0], f"Påstående {n}", "sv",
                                              StatementSource.facilitator) for n in range(8)]
        consensus = services.add_staff_statement(event, event.prompts[0], "Alla håller med om detta.",
                                            "sv", StatementSource.facilitator)
        for n in range(12):
            person = services.join(event, queries.device_hash(f"camp-{n}", event.id), "sv")
            camp = 1 if n < 6 else -1
            for i, statement in enumerate(statements):
                services.cast_vote(person, statement.id, camp if i < 4 else -camp)
            services.cast_vote(person, consensus.id, 1)
        event.status = EventStatus.published
        db.session.commit()
        return {"id": event.id, "code": event.join_code}


def test_opinion_groups_and_what_they_agreed_on_are_shown(app, client, make_org):
    ev = two_camps(app, make_org())
    page = client.get(f"/d/{ev['code']}/heard?lang=en").get_data(as_text=True)
    assert "Group 1" in page and "Group 2" in page and "Group 3" not in page
    assert page.count("6 people") == 2
    consensus = page.split('id="consensus"')[1].split("</ol>")[0]
    assert "Alla håller med om detta." in consensus
    assert "Påstående" not in consensus


def test_a_small_group_cannot_be_worked_out_from_the_totals(app, client, make_org):
    """9 and 3 in the two camps: "fewer than 5" beside 9 of 12 voters would say 3, and the
    statement's own counts beside the large group's share would give the small group's."""
    org = make_org()
    with app.app_context():
        event = make_event(org.id, prompts=1)
        statements = [services.add_staff_statement(event, event.prompts[0], f"Påstående {n}", "sv",
                                              StatementSource.facilitator) for n in range(8)]
        for n in range(12):
            person = services.join(event, queries.device_hash(f"camp-{n}", event.id), "sv")
            for i, statement in enumerate(statements):
                camp = 1 if n < 9 else -1
                services.cast_vote(person, statement.id, camp if i < 4 else -camp)
        event.status = EventStatus.published
        db.session.commit()
        heard_now = heard.summarise(db.session.get(type(event), event.id))
        assert [g.size for g in heard_now.groups] == [9, 3]
        assert [g.size_withheld for g in heard_now.groups] == ["complement", "complement"]
        shares = [r for g in heard_now.groups for r in g.representative]
        assert shares and all(r.share is None and r.withheld for r in shares)
        code = event.join_code
    page = client.get(f"/d/{code}/heard?lang=en").get_data(as_text=True)
    hidden = "Not shown, so that no small group can be worked out from the other figures"
    groups = page.split('id="groups"')[1].split('id="what-we-do"')[0]
    assert groups.count(hidden) >= 2 and "9 people" not in groups and "100%" not in groups
    assert "12 of them voted on statements." in page


# -- what we do --------------------------------------------------------------------------------
ANSWER = {"text_sv": "Vi sätter upp lampor.\n<b>Snart</b>", "text_en": "We put up lamps.",
          "text_ar": "سنضع مصابيح."}


def with_framework(app, org, published: bool = True) -> str:
    with app.app_context():
        framework = create_from_template(db.session.merge(org))
        framework.published = published
        db.session.commit()
        return framework.slug


def test_a_facilitator_writes_what_we_do_with_indicators_and_residents_read_it(
        app, client, make_client, make_org, login):
    org = make_org()
    slug = with_framework(app, org)
    ev = heard_event(app, org)
    login(client, org, "facilitator")
    assert client.get(f"/dialog/events/{ev['id']}/feedback").status_code == 200
    sent = client.post_form(f"/dialog/events/{ev['id']}/feedback/response",
                            {**ANSWER, "indicators": ["tillit_manniskor", "paverka"]})
    assert sent.status_code == 302
    resident = make_client()
    sv = resident.get(f"/d/{ev['code']}/heard?lang=sv").get_data(as_text=True)
    assert "Vi sätter upp lampor.<br>&lt;b&gt;Snart&lt;/b&gt;" in sv
    links = re.findall(rf'href="/indicators/{slug}/([\w_]+)#ind-([\w_]+)"', sv)
    assert links == [("inclusion_trust", "tillit_manniskor"), ("influence", "paverka")]
    ar = resident.get(f"/d/{ev['code']}/heard?lang=ar").get_data(as_text=True)
    assert "سنضع مصابيح." in ar and "Vi sätter" not in ar


def test_indicators_are_named_but_not_linked_while_the_framework_is_unpublished(
        app, client, make_org, login):
    org = make_org()
    with_framework(app, org, published=False)
    ev = heard_event(app, org)
    login(client, org, "facilitator")
    client.post_form(f"/dialog/events/{ev['id']}/feedback/response",
                     {**ANSWER, "indicators": ["tillit_manniskor"]})
    page = client.get(f"/d/{ev['code']}/heard?lang=sv").get_data(as_text=True)
    assert "/indicators/" not in page
    with app.app_context():
        framework = db.session.scalar(select(Framework).where(Framework.organisation_id == org.id))
        title = next(i.title["sv"] for i in framework.indicators if i.key == "tillit_manniskor")
    assert title in unescape(page)


def test_bad_answers_are_refused_and_nothing_is_saved(app, client, make_org, login):
    org = make_org()
    with_framework(app, org)
    ev = heard_event(app, org)
    login(client, org, "facilitator")
    unknown = client.post_form(f"/dialog/events/{ev['id']}/feedback/response",
                               {**ANSWER, "indicators": ["not_an_indicator"]})
    assert unknown.status_code == 400
    assert "Choose indicators from your organisation" in unknown.get_data(as_text=True)
    assert "Vi sätter upp lampor." in unknown.get_data(as_text=True)  # what was typed stays
    long = client.post_form(f"/dialog/events/{ev['id']}/feedback/response",
                            {"text_sv": "x" * 10_001})
    assert long.status_code == 413
    empty_action = client.post_form(f"/dialog/events/{ev['id']}/feedback/actions",
                                     {"status": "planned"})
    assert empty_action.status_code == 400
    bad_status = client.post_form(f"/dialog/events/{ev['id']}/feedback/actions",
                                  {"action_sv": "Lampor", "status": "someday"})
    assert bad_status.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(EventResponse)).all() == []
        assert db.session.scalars(select(EventAction)).all() == []


def test_actions_are_added_moved_along_and_removed(app, client, make_client, make_org, login):
    org = make_org()
    ev = heard_event(app, org)
    login(client, org, "admin")
    for text, status in (("Nya lampor", "planned"), ("Öppna toaletter", "started")):
        sent = client.post_form(f"/dialog/events/{ev['id']}/feedback/actions",
                                {"action_sv": text, "action_en": text + " (en)",
                                 "status": status})
        assert sent.status_code == 302
    with app.app_context():
        lamps, toilets = db.session.scalars(select(EventAction).order_by(EventAction.id)).all()
        lamps_id, toilets_id = lamps.id, toilets.id
    assert client.post_form(f"/dialog/actions/{lamps_id}", {"status": "done"}).status_code == 302
    assert client.post_form(f"/dialog/actions/{toilets_id}", {"remove": "1"}).status_code == 302
    assert client.post_form(f"/dialog/actions/{lamps_id}", {"status": "x"}).status_code == 400
    with app.app_context():
        [left] = db.session.scalars(select(EventAction)).all()
        assert (left.text["sv"], left.status) == ("Nya lampor", ActionStatus.done)
    page = make_client().get(f"/d/{ev['code']}/heard?lang=en").get_data(as_text=True)
    assert "Nya lampor (en) – <strong>Done</strong>" in page and "Öppna toaletter" not in page


@pytest.mark.parametrize("role,status", [("analyst", 403), ("author", 403)])
def test_only_facilitators_and_admins_write_what_we_do(app, client, make_org, login, role,
                                                      status):
    org = make_org()
    ev = heard_event(app, org)
    login(client, org, role)
    assert client.get(f"/dialog/events/{ev['id']}/feedback").status_code == status
    assert client.post_form(f"/dialog/events/{ev['id']}/feedback/response",
                            ANSWER).status_code == status
    with app.app_context():
        assert db.session.scalars(select(EventResponse)).all() == []


def test_without_logging_in_the_feedback_page_asks_for_a_login(app, client, make_org):
    ev = heard_event(app, make_org())
    page = client.get(f"/dialog/events/{ev['id']}/feedback")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_another_organisations_event_and_actions_answer_404(app, client, make_org, login):
    ours, theirs = make_org(), make_org()
    ev = heard_event(app, theirs)
    with app.app_context():
        action = EventAction(event_id=ev["id"], text={"sv": "Lampor"})
        db.session.add(action)
        db.session.commit()
        action_id = action.id
    login(client, ours, "facilitator")
    assert client.get(f"/dialog/events/{ev['id']}/feedback").status_code == 404
    assert client.post_form(f"/dialog/events/{ev['id']}/feedback/response",
                            ANSWER).status_code == 404
    assert client.post_form(f"/dialog/events/{ev['id']}/feedback/actions",
                            {"action_sv": "x", "status": "planned"}).status_code == 404
    assert client.post_form(f"/dialog/actions/{action_id}", {"remove": "1"}).status_code == 404
    with app.app_context():
        assert db.session.get(EventAction, action_id) is not None
        assert db.session.scalars(select(EventResponse)).all() == []
