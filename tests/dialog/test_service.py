"""The shared queries: the vote matrix goes straight into `dialog.opinion.analyse`, counts per
statement keep paper apart; and writing and voting are rate-limited per device."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from dialog import opinion, queries, services
from dialog.models import (
    EventStatus,
    Participant,
    Statement,
    StatementSource,
    StatementStatus,
    Vote,
)
from surveys import create_app
from surveys.extensions import db, limiter
from tests.conftest import app_config
from tests.support.dialog import create_event, join, make_event, vote, write
from tests.support.web import FormClient


def _participants(event, n: int) -> list[Participant]:
    return [services.join(event, queries.device_hash(f"device-{i}", event.id), "sv") for i in range(n)]


def test_the_vote_matrix_has_the_shape_analyse_expects(app_ctx, make_org):
    org = make_org()
    event = make_event(org.id)
    prompt = event.prompts[0]
    people = _participants(event, 16)
    written = [services.write_statement(people[i], prompt.id, f"S{i}") for i in range(4)]
    pending = services.add_staff_statement(event, prompt, "Väntar", "sv",
                                             StatementSource.facilitator)
    pending.status = StatementStatus.pending
    # Two camps: the first half agrees with S0, S1 and disagrees with S2, S3; the rest the
    # other way round.
    for i, person in enumerate(people):
        camp = 1 if i < 8 else -1
        for j, statement in enumerate(written):
            if statement.participant_id != person.id:
                services.cast_vote(person, statement.id, camp if j < 2 else -camp)
    services.cast_vote(people[5], written[0].id, 0)  # a pass replaces an agree
    hidden = written[3]
    services.moderate_statement(hidden, None, services.ModerationKind.hide)
    db.session.flush()

    matrix = queries.vote_matrix(event.id)
    assert list(matrix.columns) == [s.id for s in written]  # pending left out, hidden kept
    assert list(matrix.index) == [p.id for p in people]
    assert matrix.dtypes.unique().tolist() == [np.dtype(float)]
    assert matrix.at[people[5].id, written[0].id] == 0.0
    assert np.isnan(matrix.at[people[0].id, written[0].id])  # one's own statement
    assert matrix.at[people[9].id, written[2].id] == 1.0
    assert set(np.unique(matrix.to_numpy()[~np.isnan(matrix.to_numpy())])) == {-1.0, 0.0, 1.0}

    result = opinion.analyse(matrix, moderated_out=queries.hidden_statement_ids(event.id),
                             min_votes=2)
    groups = result.participant_groups
    assert result.k == 2
    assert len({groups[p.id] for p in people[:8]}) == 1
    assert groups[people[0].id] != groups[people[12].id]
    assert hidden.id in result.excluded_statements


def test_an_event_without_votes_gives_an_empty_matrix_with_its_statements(app_ctx, make_org):
    event = make_event(make_org().id)
    statement = services.add_staff_statement(event, event.prompts[0], "Ensam", "sv",
                                               StatementSource.paper)
    matrix = queries.vote_matrix(event.id)
    assert matrix.shape == (0, 1) and list(matrix.columns) == [statement.id]


def test_counts_per_statement_keep_paper_apart(app_ctx, make_org):
    event = make_event(make_org().id, dot_points=5)
    prompt = event.prompts[0]
    a, b, c = _participants(event, 3)
    first = services.write_statement(a, prompt.id, "Första")
    second = services.add_staff_statement(event, prompt, "Från papper", "sv",
                                            StatementSource.paper)
    services.cast_vote(b, first.id, 1)
    services.cast_vote(c, first.id, -1)
    services.cast_vote(b, second.id, 0)
    services.set_dots(b, {first.id: 2, second.id: 3})
    services.set_dots(c, {first.id: 4})
    table = services.add_table_group(event, "Bord 1")
    services.record_paper_tally(second, table, None, agree=5, disagree=1, passed=2, dots=7)
    services.record_paper_tally(second, None, None, agree=1, disagree=0, passed=0, dots=1)
    counts = queries.statement_counts(event.id)
    assert list(counts.columns) == list(queries.COUNT_COLUMNS)
    assert counts.loc[first.id].to_dict() == {
        "agree": 1, "disagree": 1, "pass": 0, "votes": 2, "dots": 6, "paper_agree": 0,
        "paper_disagree": 0, "paper_pass": 0, "paper_dots": 0}
    assert counts.loc[second.id].to_dict() == {
        "agree": 0, "disagree": 0, "pass": 1, "votes": 1, "dots": 3, "paper_agree": 6,
        "paper_disagree": 1, "paper_pass": 2, "paper_dots": 8}
    assert queries.participant_count(event.id) == 3
    assert [s.id for s in queries.visible_statements(event.id)] == [first.id, second.id]


def test_a_vote_sent_twice_is_stored_once(app_ctx, make_org):
    event = make_event(make_org().id)
    a, b = _participants(event, 2)
    statement = services.write_statement(a, event.prompts[0].id, "Ett")
    for value in (1, 1, -1):
        services.cast_vote(b, statement.id, value)
    db.session.flush()
    assert db.session.scalar(select(func.count(Vote.id))) == 1
    assert queries.votes_of(b) == {statement.id: -1}


def test_join_codes_differ_and_normalise(app_ctx, make_org):
    org = make_org()
    codes = {make_event(org.id).join_code for _ in range(20)}
    assert len(codes) == 20
    code = next(iter(codes))
    assert queries.normalise_code(f" {code[:3].lower()} - {code[3:]} ") == code
    assert queries.event_by_code(code.lower()).join_code == code
    assert queries.event_by_code("I0O1L") is None


def test_a_closed_event_refuses_changes_in_the_service_too(app_ctx, make_org):
    event = make_event(make_org().id)
    [a] = _participants(event, 1)
    event.status = EventStatus.closed
    with pytest.raises(services.DialogError) as refused:
        services.write_statement(a, event.prompts[0].id, "Sent")
    assert refused.value.status == 410
    assert db.session.scalar(select(func.count(Statement.id))) == 0


# -- rate limits -------------------------------------------------------------------------------
@pytest.fixture
def limited_app(database_url):
    app = create_app(app_config(database_url, RATELIMIT_ENABLED=True,
                                DIALOG_STATEMENT_RATE_LIMIT="3 per minute",
                                DIALOG_VOTE_RATE_LIMIT="4 per minute"))
    app.test_client_class = FormClient
    limiter.reset()
    yield app
    limiter.reset()
    with app.app_context():
        db.engine.dispose()


def test_a_flood_of_statements_or_votes_from_one_device_is_refused_with_429(limited_app,
                                                                          make_org):
    ev = create_event(limited_app, make_org())
    phone, neighbour = limited_app.test_client(), limited_app.test_client()
    join(phone, ev["code"])
    join(neighbour, ev["code"])
    statuses = [write(phone, ev["code"], ev["prompts"][0], f"S{n}").status_code
                for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    refused = write(phone, ev["code"], ev["prompts"][0], "S4")
    assert refused.status_code == 429
    # The app's own error page, in the visitor's language (Swedish here).
    assert "För många försök. Vänta en minut och försök igen." in refused.get_data(as_text=True)
    # Another device behind the same address (the venue's Wi-Fi) is not held back.
    assert write(neighbour, ev["code"], ev["prompts"][0], "N0").status_code == 302
    with limited_app.app_context():
        ids = list(db.session.scalars(select(Statement.id).where(
            Statement.text.like("S%")).order_by(Statement.id)))
        assert len(ids) == 3
    votes = [vote(neighbour, ev["code"], ids[n % 3], 1).status_code for n in range(5)]
    assert votes == [302, 302, 302, 302, 429]
    with limited_app.app_context():
        # Three statements, four votes: the fourth replaced the first; the fifth was refused.
        assert db.session.scalar(select(func.count(Vote.id))) == 3


def test_fresh_devices_from_one_address_cannot_stuff_one_statements_ballot(
        database_url, make_org):
    app = create_app(app_config(database_url, RATELIMIT_ENABLED=True,
                                DIALOG_STATEMENT_VOTES_PER_ADDRESS="5 per minute"))
    app.test_client_class = FormClient
    limiter.reset()
    try:
        ev = create_event(app, make_org())
        writer = app.test_client()
        join(writer, ev["code"])
        for text in ("Fler bänkar.", "Mer ljus."):
            assert write(writer, ev["code"], ev["prompts"][0], text).status_code == 302
        with app.app_context():
            first, second = db.session.scalars(select(Statement.id).order_by(Statement.id))
        statuses = []
        for _ in range(7):  # seven fresh cookie jars, one address
            jar = app.test_client()
            join(jar, ev["code"])
            statuses.append(vote(jar, ev["code"], first, 1).status_code)
        assert statuses == [302] * 5 + [429, 429]
        # Another statement, from the same address, is counted apart.
        assert vote(jar, ev["code"], second, 1).status_code == 302
        with app.app_context():
            assert db.session.scalar(select(func.count(Vote.id)).where(
                Vote.statement_id == first)) == 5
    finally:
        limiter.reset()
        with app.app_context():
            db.engine.dispose()
