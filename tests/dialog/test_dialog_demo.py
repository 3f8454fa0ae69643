"""The demo dialogue: a published evening in the park whose votes form opinion groups, with
its answer linked to indicators, and an open event a newcomer can join and vote in."""

from __future__ import annotations

import numpy as np
from sqlalchemy import func, select

from dialog import queries
from dialog.demo import (
    INDICATORS,
    PARK_STATEMENTS,
    PARK_TITLE,
    PARTICIPANTS,
    YOUTH_TITLE,
    load_dialog_demo,
)
from dialog.models import (
    Event,
    EventAction,
    EventResponse,
    EventStatus,
    PaperTally,
    Participant,
    Statement,
    StatementSource,
    TableNote,
)
from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.followup.services import create_from_template
from tests.support.dialog import join, shown_statement, vote


def load(app, org, framework: bool = True) -> dict:
    """Run the demo for `org` (with a published indicator framework first, as `flask demo`
    has: `surveys.followup.demo.load_followup` runs before the dialogue demo)."""
    with app.app_context():
        organisation = db.session.get(Organisation, org.id)
        facilitator = db.session.scalar(select(User).where(
            User.organisation_id == org.id, User.role == Role.facilitator))
        if framework:
            create_from_template(organisation).published = True
        lines = load_dialog_demo(organisation, facilitator)
        db.session.commit()
        park, youth = db.session.scalars(select(Event).where(
            Event.organisation_id == org.id).order_by(Event.id)).all()
        matrix = queries.vote_matrix(park.id)
        result = queries.opinion_result(park.id)
        return {"lines": lines, "park": park.id, "park_code": park.join_code,
                "youth": youth.id, "youth_code": youth.join_code,
                "matrix": matrix.to_numpy(), "sizes": sorted(result.group_sizes.values()),
                "k": result.k, "statuses": (park.status, youth.status),
                "titles": (dict(park.title), dict(youth.title))}


def test_the_demo_loads_the_same_votes_and_groups_every_time(app, make_org):
    first, second = load(app, make_org()), load(app, make_org())
    assert first["matrix"].shape == (PARTICIPANTS, len(PARK_STATEMENTS))
    np.testing.assert_array_equal(first["matrix"], second["matrix"])
    assert first["sizes"] == second["sizes"]
    assert first["k"] >= 2 and sum(first["sizes"]) == PARTICIPANTS
    assert first["statuses"] == (EventStatus.published, EventStatus.open)
    assert first["titles"] == (PARK_TITLE, YOUTH_TITLE)
    assert set(PARK_TITLE) == {"sv", "en", "ar", "so"}
    assert first["lines"][0].endswith(f"/d/{first['park_code']}/heard")
    assert f"join with code {first['youth_code']}" in first["lines"][1]


def test_the_park_event_has_check_ins_paper_notes_and_an_answer(app, client, make_org):
    org = make_org()
    ev = load(app, org)
    with app.app_context():
        park = db.session.get(Event, ev["park"])
        count = lambda model, *where: db.session.scalar(
            select(func.count()).select_from(model).where(*where))
        assert count(Participant, Participant.event_id == park.id) == PARTICIPANTS
        assert count(Participant, Participant.event_id == park.id,
                     Participant.checked_in_at.is_not(None)) >= PARTICIPANTS // 2
        languages = set(db.session.scalars(select(Statement.language).where(
            Statement.event_id == park.id)))
        assert languages == {"sv", "ar", "so"}
        assert count(Statement, Statement.event_id == park.id,
                     Statement.source == StatementSource.paper) > 0
        assert count(PaperTally, PaperTally.statement_id.in_(
            select(Statement.id).where(Statement.event_id == park.id))) > 0
        assert count(TableNote) == 4
        response = db.session.scalar(select(EventResponse).where(
            EventResponse.event_id == park.id))
        assert response.indicator_keys == list(INDICATORS)
        assert set(response.text) == {"sv", "en", "ar", "so"}
        assert count(EventAction, EventAction.event_id == park.id) == 3
    page = client.get(f"/d/{ev['park_code']}/heard?lang=en").get_data(as_text=True)
    assert PARK_TITLE["en"] in page and "Group 2" in page
    assert 'href="/indicators/' in page and "#ind-tillit_manniskor" in page
    # In Swedish: a statement first written in Arabic in Swedish, its original beneath.
    _, _, women, _ = PARK_STATEMENTS[10]
    swedish = client.get(f"/d/{ev['park_code']}/heard?lang=sv").get_data(as_text=True)
    assert (f'<span lang="sv" dir="ltr">{women["sv"]}</span><br><span class="original">'
            f'Original på arabiska: <span lang="ar" dir="rtl">{women["ar"]}</span>') in swedish
    assert 'id="languages"' in swedish and "Påståenden som alla språk höll med om" in swedish
    with app.app_context():
        waiting = {(s.text, t.language, t.status) for s in db.session.scalars(
            select(Statement).where(Statement.event_id == park.id)) for t in s.translations
            if not t.approved}
        missing = [s.id for s in db.session.scalars(select(Statement).where(
            Statement.event_id == park.id)) if queries.missing_languages(s)]
    assert len(waiting) == 2 and len(missing) == 3
    # In Somali the waiting ones show as written, marked Swedish.
    somali = client.get(f"/d/{ev['park_code']}/heard?lang=so").get_data(as_text=True)
    assert f'<span lang="sv" dir="ltr">{PARK_STATEMENTS[29][2]["sv"]}</span>' in somali
    assert f'<span lang="so" dir="ltr">{PARK_STATEMENTS[0][2]["so"]}</span>' in somali


def test_without_a_framework_the_answer_links_no_indicators(app, make_org):
    ev = load(app, make_org(), framework=False)
    with app.app_context():
        response = db.session.scalar(select(EventResponse).where(
            EventResponse.event_id == ev["park"]))
        assert response.indicator_keys == []


def test_a_newcomer_joins_the_open_demo_event_and_votes(app, client, make_org):
    ev = load(app, make_org())
    join(client, ev["youth_code"], "ar")
    statement = shown_statement(client, ev["youth_code"])
    assert statement is not None
    assert vote(client, ev["youth_code"], statement, 1).status_code == 302
    with app.app_context():
        assert queries.statement_counts(ev["youth"]).loc[statement, "agree"] == 1


def test_the_open_youth_event_is_for_young_people_with_check_ins_in_the_new_bands(
        app, client, make_org):
    ev = load(app, make_org())
    with app.app_context():
        youth = db.session.get(Event, ev["youth"])
        assert youth.for_young_people and youth.prompts[0].text["sv-ll"]
        people = db.session.scalars(select(Participant).where(
            Participant.event_id == youth.id)).all()
        bands = {p.age_group for p in people}
        assert bands == {"10-12", "13-15", "16-19", None}
        offered = set(queries.checkin_categories(youth)["age_group"])
        assert bands - {None} <= offered
        assert any(p.home_languages and "ar" in p.home_languages for p in people)
        held = db.session.scalars(select(Statement).where(
            Statement.event_id == youth.id, Statement.participant_id.is_not(None))).all()
        assert len(held) == 2 and all(s.status.value == "pending" for s in held)
    # the newcomer reads the easy-to-read Swedish prompt and the simpler consent text
    consent = client.get(f"/d/{ev['youth_code']}?lang=sv").get_data(as_text=True)
    assert "Du skriver inte ditt namn." in consent
