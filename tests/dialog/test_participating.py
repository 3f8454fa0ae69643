"""A resident joins an event on a phone with its code, accepts the consent text, writes
statements, votes on others' statements one at a time and prioritises with points."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialog.models import (
    DotAllocation,
    EventStatus,
    Moderation,
    Participant,
    Statement,
    StatementStatus,
    Vote,
)
from surveys.extensions import db
from tests.support.dialog import create_event, join, set_status, shown_statement, vote, write


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def statement_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Statement.id).order_by(Statement.id)))


def stored_votes(app) -> dict[tuple[int, int], int]:
    with app.app_context():
        return {(v.participant_id, v.statement_id): v.value
                for v in db.session.scalars(select(Vote))}


@pytest.fixture
def event(app, make_org):
    return create_event(app, make_org(), prompts=2)


# -- joining -----------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {a} {b} ", "{a}-{b}"])
def test_the_join_code_is_found_whatever_the_case_and_spaces(client, event, typed):
    code = event["code"]
    text = typed.format(code=code, lower=code.lower(), a=code[:3].lower(), b=code[3:])
    sent = client.get("/d", query_string={"code": text})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/d/{code}")
    assert client.get(f"/d/{code.lower()}").headers["Location"].endswith(f"/d/{code}")


@pytest.mark.parametrize("typed", ["ZZZZZZ", "abc", "", "0O1IL2"])
def test_a_wrong_code_answers_404_with_a_message_and_the_code_kept(client, event, typed):
    sent = client.get("/d", query_string={"code": typed})
    assert sent.status_code == 404
    page = sent.get_data(as_text=True)
    assert "No event has that code." in page and f'value="{typed}"' in page
    assert client.get("/d/ZZZZZZ").status_code == 404


def test_the_join_page_asks_for_the_code(client):
    page = client.get("/d")
    assert page.status_code == 200 and 'name="code"' in page.get_data(as_text=True)


def test_a_participant_chooses_among_the_event_languages_then_sees_the_consent_text(client,
                                                                                    event):
    choice = client.get(f"/d/{event['code']}").get_data(as_text=True)
    for lang in ("sv", "en", "ar"):
        assert f'/d/{event["code"]}?lang={lang}"' in choice
    assert "?lang=fa" not in choice  # not an event language
    consent = client.get(f"/d/{event['code']}?lang=ar")
    page = consent.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "الأمان في الحديقة" in page
    assert 'name="consent" value="yes"' in page


def test_consent_is_required_before_anything_else(app, client, event):
    code = event["code"]
    refused = client.post_form(f"/d/{code}/join", {"lang": "en"})
    assert refused.status_code == 400
    assert "accept how your statements and votes are used" in refused.get_data(as_text=True)
    assert count(app, Participant) == 0
    for url in ("e", "vote", "dots", "checkin"):
        sent = client.get(f"/d/{code}/{url}")
        assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/d/{code}")
    sent = write(client, code, event["prompts"][0], "Utan samtycke")
    assert sent.status_code == 302 and count(app, Statement) == 0


def test_joining_stores_a_hash_of_the_device_token_and_nothing_about_the_person(app, client,
                                                                                event):
    join(client, event["code"], "ar")
    again = client.post_form(f"/d/{event['code']}/join", {"lang": "ar", "consent": "yes"})
    assert again.status_code == 302  # a second tap on "I agree": still one participant
    with app.app_context():
        [participant] = db.session.scalars(select(Participant)).all()
        assert len(participant.device_hash) == 64 and participant.language == "ar"
        assert participant.consent_at is not None
        columns = set(Participant.__table__.columns.keys())
    assert not columns & {"ip", "ip_address", "user_agent", "email", "name"}
    with client.session_transaction() as session:
        token = session["dialog_device"]
    assert token not in participant.device_hash and len(token) >= 32
    page = client.get(f"/d/{event['code']}/e").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page


def test_one_phone_at_two_events_cannot_be_linked_in_the_database(app, client, make_org,
                                                                   event):
    other = create_event(app, make_org())
    join(client, event["code"])
    join(client, other["code"])
    with app.app_context():
        hashes = db.session.scalars(select(Participant.device_hash)).all()
    assert len(hashes) == 2 and len(set(hashes)) == 2
    # and the same phone is still recognised at each event
    assert client.get(f"/d/{event['code']}").headers["Location"].endswith("/e")
    assert client.get(f"/d/{other['code']}").headers["Location"].endswith("/e")


def test_a_participant_who_joined_goes_straight_to_the_event(client, event):
    join(client, event["code"])
    sent = client.get(f"/d/{event['code']}")
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/d/{event['code']}/e")


def test_a_participant_switches_language_and_statements_keep_theirs(app, client, event):
    join(client, event["code"], "sv")
    page = client.get(f"/d/{event['code']}/e?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "ما الذي يجعل الحديقة أكثر أماناً؟" in page
    assert client.get(f"/d/{event['code']}/e?lang=fa").status_code == 200  # not offered: kept
    write(client, event["code"], event["prompts"][0], "مزيد من الإضاءة")
    with app.app_context():
        assert db.session.scalar(select(Participant.language)) == "ar"
        assert db.session.scalar(select(Statement.language)) == "ar"
    page = client.get(f"/d/{event['code']}/e").get_data(as_text=True)
    assert '<span lang="ar" dir="rtl">مزيد من الإضاءة</span>' in page


# -- writing -----------------------------------------------------------------------------------
def test_a_statement_is_visible_at_once_under_post_moderation(app, client, make_client, event):
    join(client, event["code"])
    sent = write(client, event["code"], event["prompts"][0], "  Mer belysning vid gångvägen.  ")
    assert sent.status_code == 302
    with app.app_context():
        [statement] = db.session.scalars(select(Statement)).all()
        assert statement.text == "Mer belysning vid gångvägen."
        assert statement.status is StatementStatus.visible and statement.language == "en"
        assert statement.source.value == "web"
    other = make_client()
    join(other, event["code"])
    assert shown_statement(other, event["code"]) == statement.id


def test_a_statement_waits_for_approval_under_pre_moderation(app, client, make_client,
                                                             make_org):
    ev = create_event(app, make_org(), moderation=Moderation.pre)
    join(client, ev["code"])
    write(client, ev["code"], ev["prompts"][0], "Fler bänkar.")
    with app.app_context():
        assert db.session.scalar(select(Statement.status)) is StatementStatus.pending
    page = client.get(f"/d/{ev['code']}/e").get_data(as_text=True)
    assert "Fler bänkar." in page and "waiting for a moderator" in page
    other = make_client()
    join(other, ev["code"])
    assert shown_statement(other, ev["code"]) is None


@pytest.mark.parametrize(("text", "status", "message"), [
    ("", 400, "Write something before you send it."),
    ("   \n ", 400, "Write something before you send it."),
    ("x" * 41, 413, "A statement can be at most 40 characters; yours has 41."),
])
def test_an_empty_or_oversized_statement_is_refused_and_kept_in_the_form(app, client, make_org,
                                                                         text, status, message):
    ev = create_event(app, make_org(), statement_max_length=40)
    join(client, ev["code"])
    sent = write(client, ev["code"], ev["prompts"][0], text)
    assert sent.status_code == status
    page = sent.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    if text.strip():
        assert f">{text}</textarea>" in page
    assert count(app, Statement) == 0


def test_a_statement_for_another_events_prompt_is_refused(app, client, make_org, event):
    other = create_event(app, make_org())
    join(client, event["code"])
    sent = write(client, event["code"], other["prompts"][0], "Fel fråga")
    assert sent.status_code == 404 and "That prompt is not part of this event." in \
        sent.get_data(as_text=True)
    assert write(client, event["code"], "abc", "Fel fråga").status_code == 404
    assert count(app, Statement) == 0


def test_text_written_by_participants_is_always_escaped(app, client, make_client, event):
    attack = '<script>alert("x")</script><b onmouseover=alert(1)>hej</b>'
    join(client, event["code"])
    assert write(client, event["code"], event["prompts"][0], attack).status_code == 302
    own = client.get(f"/d/{event['code']}/e").get_data(as_text=True)
    other = make_client()
    join(other, event["code"])
    shown = other.get(f"/d/{event['code']}/vote").get_data(as_text=True)
    dots = other.get(f"/d/{event['code']}/dots").get_data(as_text=True)
    for page in (own, shown, dots):
        assert "<script>alert" not in page and "<b onmouseover" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


# -- voting ------------------------------------------------------------------------------------
def test_votes_are_stored_and_a_second_vote_replaces_the_first(app, client, make_client, event):
    writer = make_client()
    join(writer, event["code"])
    write(writer, event["code"], event["prompts"][0], "Mer ljus.")
    [statement] = statement_ids(app)
    join(client, event["code"])
    assert vote(client, event["code"], statement, 1).status_code == 302
    assert list(stored_votes(app).values()) == [1]
    assert vote(client, event["code"], statement, -1).status_code == 302
    assert vote(client, event["code"], statement, 0).status_code == 302
    assert list(stored_votes(app).values()) == [0] and count(app, Vote) == 1
    page = client.get(f"/d/{event['code']}/vote?statement={statement}").get_data(as_text=True)
    assert f'name="statement_id" value="{statement}"' in page


def test_each_statement_comes_once_unseen_first_never_ones_own(app, client, make_client, event):
    writer = make_client()
    join(writer, event["code"])
    for n in range(6):
        write(writer, event["code"], event["prompts"][n % 2], f"Påstående {n}")
    join(client, event["code"])
    write(client, event["code"], event["prompts"][0], "Mitt eget")
    mine = statement_ids(app)[-1]
    seen = []
    while (next_id := shown_statement(client, event["code"])) is not None:
        assert next_id not in seen and next_id != mine
        seen.append(next_id)
        vote(client, event["code"], next_id, 0)
    assert sorted(seen) == statement_ids(app)[:6]
    done = client.get(f"/d/{event['code']}/vote").get_data(as_text=True)
    assert "You have voted on every statement so far." in done
    # The writer sees the participant's statement but none of their own.
    assert shown_statement(writer, event["code"]) == mine
    assert vote(writer, event["code"], statement_ids(app)[0], 1).status_code == 409


def test_two_participants_get_different_fair_orders(app, make_client, event):
    writer = make_client()
    join(writer, event["code"])
    for n in range(12):
        write(writer, event["code"], event["prompts"][0], f"Påstående {n}")
    firsts, orders = [], []
    for _ in range(6):
        phone = make_client()
        join(phone, event["code"])
        first = shown_statement(phone, event["code"])
        assert shown_statement(phone, event["code"]) == first  # stable on reload
        firsts.append(first)
        order = []
        while (next_id := shown_statement(phone, event["code"])) is not None:
            order.append(next_id)
            vote(phone, event["code"], next_id, 1)
        orders.append(order)
    assert len({tuple(o) for o in orders}) == 6
    assert len(set(firsts)) > 1
    assert all(sorted(o) == statement_ids(app) for o in orders)


def test_a_new_statement_is_offered_before_already_voted_ones(app, client, make_client, event):
    writer = make_client()
    join(writer, event["code"])
    write(writer, event["code"], event["prompts"][0], "Första")
    join(client, event["code"])
    vote(client, event["code"], shown_statement(client, event["code"]), 1)
    assert shown_statement(client, event["code"]) is None
    write(writer, event["code"], event["prompts"][0], "Andra")
    assert shown_statement(client, event["code"]) == statement_ids(app)[-1]


@pytest.mark.parametrize(("statement", "value", "status", "message"), [
    ("unknown", 1, 404, "That statement does not exist."),
    ("abc", 1, 404, "That statement does not exist."),
    ("huge", 1, 404, "That statement does not exist."),
    ("hidden", 1, 409, "A moderator has hidden that statement"),
    ("pending", 1, 404, "That statement does not exist."),
    ("other_event", 1, 404, "That statement does not exist."),
    ("visible", 2, 400, "Choose agree, disagree or pass."),
    ("visible", "yes", 400, "Choose agree, disagree or pass."),
])
def test_a_bad_vote_is_refused_with_a_message_and_nothing_stored(app, client, make_client,
                                                                 make_org, event, statement,
                                                                 value, status, message):
    other_event = create_event(app, make_org())
    writer = make_client()
    join(writer, event["code"])
    ids = {}
    for name in ("visible", "hidden", "pending"):
        write(writer, event["code"], event["prompts"][0], name)
        ids[name] = statement_ids(app)[-1]
    join(writer, other_event["code"])
    write(writer, other_event["code"], other_event["prompts"][0], "elsewhere")
    ids["other_event"] = statement_ids(app)[-1]
    ids["unknown"] = 999999
    ids["abc"] = "abc"
    ids["huge"] = "9" * 25  # more than any database integer holds
    with app.app_context():
        db.session.get(Statement, ids["hidden"]).status = StatementStatus.hidden
        db.session.get(Statement, ids["pending"]).status = StatementStatus.pending
        db.session.commit()
    join(client, event["code"])
    sent = vote(client, event["code"], ids[statement], value)
    assert sent.status_code == status
    assert message in sent.get_data(as_text=True)
    assert count(app, Vote) == 0
    assert client.get(f"/d/{event['code']}/vote?statement={ids['hidden']}").status_code == 404


# -- dot voting --------------------------------------------------------------------------------
def dots_of(app) -> dict[int, int]:
    with app.app_context():
        return {d.statement_id: d.points for d in db.session.scalars(select(DotAllocation))}


def test_points_are_distributed_within_the_budget_and_replaced(app, client, make_client, event):
    join(client, event["code"])
    for n in range(3):
        write(client, event["code"], event["prompts"][0], f"Förslag {n}")
    a, b, c = statement_ids(app)
    code = event["code"]
    sent = client.post_form(f"/d/{code}/dots", {f"points-{a}": "3", f"points-{b}": "2"})
    assert sent.status_code == 302 and dots_of(app) == {a: 3, b: 2}  # own statements too
    sent = client.post_form(f"/d/{code}/dots", {f"points-{a}": "0", f"points-{c}": "5",
                                                f"points-{b}": ""})
    assert sent.status_code == 302 and dots_of(app) == {c: 5}
    page = client.get(f"/d/{code}/dots").get_data(as_text=True)
    assert f'name="points-{c}" value="5"' in page and "You have used 5." in page


@pytest.mark.parametrize(("points", "message"), [
    ({"a": "4", "b": "2"}, "You gave 6 points but have 5."),
    ({"a": "-1", "b": "2"}, "Points cannot be negative."),
    ({"a": "two"}, "Write each number of points as a whole number"),
    ({"a": "1.5"}, "Write each number of points as a whole number"),
])
def test_points_over_the_budget_or_not_numbers_change_nothing(app, client, event, points,
                                                              message):
    join(client, event["code"])
    for n in range(2):
        write(client, event["code"], event["prompts"][0], f"Förslag {n}")
    a, b = statement_ids(app)
    ids = {"a": a, "b": b}
    client.post_form(f"/d/{event['code']}/dots", {f"points-{a}": "1"})
    sent = client.post_form(f"/d/{event['code']}/dots",
                            {f"points-{ids[k]}": v for k, v in points.items()})
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert message in page
    assert f'name="points-{ids[next(iter(points))]}" value="{next(iter(points.values()))}"' in page
    assert dots_of(app) == {a: 1}


def test_points_for_a_hidden_statement_are_refused(app, client, event):
    join(client, event["code"])
    write(client, event["code"], event["prompts"][0], "Förslag")
    [a] = statement_ids(app)
    with app.app_context():
        db.session.get(Statement, a).status = StatementStatus.hidden
        db.session.commit()
    sent = client.post_form(f"/d/{event['code']}/dots", {f"points-{a}": "1"})
    # A hidden statement is not on the form: its field is ignored and nothing is stored.
    assert sent.status_code == 302 and dots_of(app) == {}


# -- check-in ----------------------------------------------------------------------------------
def test_the_anonymous_check_in_uses_the_weighting_categories(app, client, event):
    join(client, event["code"])
    page = client.get(f"/d/{event['code']}/checkin").get_data(as_text=True)
    # no margins yet: ten-year bands from 20 up
    for code in ("10-12", "13-15", "16-19", "20-29", "70-79", "80+", "kvinna", "man", "annat",
                 "inrikes", "utrikes"):
        assert f'value="{code}"' in page
    assert 'name="district"' not in page  # no margins with districts yet
    sent = client.post_form(f"/d/{event['code']}/checkin",
                            {"age_group": "16-19", "gender": "kvinna", "born": "utrikes"})
    assert sent.status_code == 302
    with app.app_context():
        p = db.session.scalar(select(Participant))
        assert (p.age_group, p.gender, p.born, p.district) == ("16-19", "kvinna", "utrikes", None)
        assert p.checked_in_at is not None and p.home_languages is None
    refused = client.post_form(f"/d/{event['code']}/checkin", {"age_group": "12-15"})
    assert refused.status_code == 400
    assert "Choose one of the age groups offered." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Participant.age_group)) == "16-19"


def test_districts_come_from_the_organisations_population_margins(app, client, make_org):
    from datetime import date

    from surveys.runs.models import MarginRow, MarginSet

    org = make_org()
    ev = create_event(app, org)
    with app.app_context():
        margins = MarginSet(organisation_id=org.id, name="Befolkning", source="SCB",
                            reference_date=date(2025, 12, 31), file_format="csv")
        for position, (variable, category) in enumerate(
                [("age", "16-29"), ("district", "Centrum"), ("district", "Söder")]):
            margins.rows.append(MarginRow(position=position, variable=variable,
                                          category=category, population_count=100))
        db.session.add(margins)
        db.session.commit()
    join(client, ev["code"])
    page = client.get(f"/d/{ev['code']}/checkin").get_data(as_text=True)
    assert 'value="Centrum"' in page and 'value="Söder"' in page
    assert client.post_form(f"/d/{ev['code']}/checkin",
                            {"district": "Söder"}).status_code == 302
    assert client.post_form(f"/d/{ev['code']}/checkin",
                            {"district": "Norr"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Participant.district)) == "Söder"


# -- closed events and muted devices -------------------------------------------------------------
def test_a_closed_event_answers_410_and_saves_nothing(app, client, make_client, event):
    code = event["code"]
    writer = make_client()
    join(writer, code)
    write(writer, code, event["prompts"][0], "Före stängning")
    [statement] = statement_ids(app)
    join(client, code)
    set_status(app, event["id"], EventStatus.closed)
    attempts = [
        client.get(f"/d/{code}"), client.get(f"/d/{code}/e"), client.get(f"/d/{code}/vote"),
        write(client, code, event["prompts"][0], "Efter stängning"),
        vote(client, code, statement, 1),
        client.post_form(f"/d/{code}/dots", {f"points-{statement}": "1"}),
        client.post_form(f"/d/{code}/checkin", {"gender": "man"}),
        make_client().post_form(f"/d/{code}/join", {"lang": "sv", "consent": "yes"}),
    ]
    for sent in attempts:
        assert sent.status_code == 410
        assert "This event is closed." in sent.get_data(as_text=True)
    assert count(app, Statement) == 1 and count(app, Vote) == 0
    assert count(app, DotAllocation) == 0 and count(app, Participant) == 2
    set_status(app, event["id"], EventStatus.published)
    assert client.get(f"/d/{code}/e").status_code == 410
    # once published, the code leads to what was heard
    for asked in (f"/d?code={code.lower()}", f"/d/{code}"):
        sent = make_client().get(asked)
        assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/d/{code}/heard")


def test_a_muted_device_can_neither_write_nor_vote(app, client, make_client, event):
    code = event["code"]
    writer = make_client()
    join(writer, code)
    write(writer, code, event["prompts"][0], "Ett påstående")
    [statement] = statement_ids(app)
    join(client, code)
    with app.app_context():
        participant = db.session.scalars(select(Participant).order_by(Participant.id)).all()[1]
        participant.muted_at = participant.consent_at
        db.session.commit()
    for sent in (write(client, code, event["prompts"][0], "Tystad"),
                 vote(client, code, statement, 1),
                 client.post_form(f"/d/{code}/dots", {f"points-{statement}": "1"})):
        assert sent.status_code == 403
        assert "A moderator has paused writing and voting from this device." in \
            sent.get_data(as_text=True)
    assert count(app, Statement) == 1 and count(app, Vote) == 0
    assert count(app, DotAllocation) == 0
    assert client.get(f"/d/{code}/e").status_code == 200  # reading still works


@pytest.mark.parametrize("query", ["?code=XYZ", "?_scheme=javascript", "?_anchor=x&lang=en"])
def test_extra_query_arguments_on_a_lowercase_code_are_dropped_not_a_crash(client, event,
                                                                             query):
    sent = client.get(f"/d/{event['code'].lower()}{query}")
    assert sent.status_code == 302
    assert sent.headers["Location"].startswith(f"/d/{event['code']}")
    assert "javascript" not in sent.headers["Location"] and "#" not in sent.headers["Location"]
