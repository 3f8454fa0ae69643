"""Ballot stuffing from fresh cookie jars shows the moderator a burst, and muting its devices
sets their votes aside; ordinary voting in a room shows none."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dialog import queries
from dialog.bursts import MIN_VOTES, VoteRecord, find_bursts
from dialog.models import ModerationAction, ModerationKind, Participant, Statement
from surveys.extensions import db
from tests.support.dialog import create_event, join, vote, write

T0 = datetime(2026, 12, 7, 18, 0, 0)


def stuffed(n: int, *, statement=1, value=1, spacing=0.5, joined_before=20, device_votes=1,
            first_id=100, start=T0) -> list[VoteRecord]:
    """n devices, each joining `joined_before` seconds before its one vote, votes `spacing` s apart."""
    votes = []
    for i in range(n):
        at = start + timedelta(seconds=i * spacing)
        votes.append(VoteRecord(first_id + i, statement, value, at,
                                at - timedelta(seconds=joined_before), device_votes))
    return votes


def test_fresh_devices_voting_alike_within_seconds_are_one_burst():
    [burst] = find_bursts(stuffed(12))
    assert (burst.statement, burst.value, len(burst.participants)) == (1, 1, 12)
    assert burst.seconds == 6  # 11 gaps of 0.5 s, rounded up


@pytest.mark.parametrize("votes", [
    stuffed(MIN_VOTES - 1),                     # too few
    stuffed(12, device_votes=6),                # devices that go on voting: people in a room
    stuffed(12, joined_before=600),             # devices that joined long before
    stuffed(6) + stuffed(6, value=-1, first_id=200),  # the room disagrees with itself
    stuffed(12, spacing=2),                     # spread over 22 s: never 10 within 10 s
], ids=["few", "busy-devices", "old-devices", "split", "slow"])
def test_ordinary_voting_is_no_burst(votes):
    assert find_bursts(votes) == []


def test_two_runs_a_minute_apart_are_two_bursts_largest_first():
    votes = stuffed(10) + stuffed(14, first_id=300, start=T0 + timedelta(minutes=1))
    bursts = find_bursts(votes)
    assert [len(b.participants) for b in bursts] == [14, 10]
    assert bursts[0].participants == tuple(range(300, 314))


@pytest.fixture
def stuffed_event(app, make_org, make_client):
    """Three statements; 12 fresh cookie jars from one address agree with the first, two people
    in the room vote on all three."""
    org = make_org()
    ev = create_event(app, org)
    writer = make_client()
    join(writer, ev["code"])
    for text in ("Fler bänkar i parken", "Mer ljus vid bryggan", "Längre öppettider"):
        write(writer, ev["code"], ev["prompts"][0], text)
    with app.app_context():
        statement, *others = db.session.scalars(select(Statement.id).order_by(Statement.id))
    for value in (1, -1):
        person = make_client()
        join(person, ev["code"])
        for sid in (statement, *others):
            vote(person, ev["code"], sid, value)
    for _ in range(12):
        jar = make_client()
        join(jar, ev["code"])
        assert vote(jar, ev["code"], statement, 1).status_code == 302
    return org, ev, statement


def agree_count(app, event_id, statement) -> int:
    with app.app_context():
        return int(queries.statement_counts(event_id).at[statement, "agree"])


def test_the_moderator_sees_the_burst_and_muting_it_sets_its_votes_aside(
        app, client, login, stuffed_event):
    org, ev, statement = stuffed_event
    login(client, org, "facilitator")
    page = client.get(f"/dialog/events/{ev['id']}/moderation").get_data(as_text=True)
    assert "12 devices voted “Agree” within" in page and "Fler bänkar i parken" in page
    assert agree_count(app, ev["id"], statement) == 13
    with app.app_context():
        stuffers = list(db.session.scalars(select(Participant.id).order_by(Participant.id)))[3:]
    sent = client.post_form(f"/dialog/events/{ev['id']}/mute-devices",
                            {"device": [str(i) for i in stuffers]})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#bursts")
    assert agree_count(app, ev["id"], statement) == 1  # the person in the room still counts
    with app.app_context():
        muted = set(db.session.scalars(select(Participant.id).where(
            Participant.muted_at.is_not(None))))
        logged = set(db.session.scalars(select(ModerationAction.participant_id).where(
            ModerationAction.action == ModerationKind.mute)))
    assert muted == logged == set(stuffers)
    page = client.get(f"/dialog/events/{ev['id']}/moderation").get_data(as_text=True)
    assert "devices voted “Agree” within" not in page


def test_devices_of_another_event_or_no_number_are_refused_and_nothing_is_muted(
        app, client, login, make_org, stuffed_event):
    org, _ev, _ = stuffed_event
    other = create_event(app, org)
    login(client, org, "facilitator")
    with app.app_context():
        first = db.session.scalar(select(Participant.id).order_by(Participant.id))
    for devices in ([str(first), "999999"], ["x"], []):
        sent = client.post_form(f"/dialog/events/{other['id']}/mute-devices", {"device": devices})
        assert sent.status_code == 400
        assert "Those devices are not in this event." in sent.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Participant.id).where(
            Participant.muted_at.is_not(None))) is None


def test_muting_devices_makes_the_heard_page_analyse_again(app, client, login, stuffed_event):
    from dialog.queries import analysis_version

    org, ev, _ = stuffed_event
    with app.app_context():
        before = analysis_version(ev["id"])
        last = db.session.scalar(select(Participant.id).order_by(Participant.id.desc()))
    login(client, org, "facilitator")
    client.post_form(f"/dialog/events/{ev['id']}/mute-devices", {"device": [str(last)]})
    with app.app_context():
        assert analysis_version(ev["id"]) != before
