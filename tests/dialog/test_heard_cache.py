"""The "what we heard" page keeps the opinion analysis until a vote or a moderation changes."""

from __future__ import annotations

from sqlalchemy import event as sa_event

from dialog import heard, queries, services
from dialog.models import Event, ModerationKind, Participant, Statement
from surveys.extensions import db
from tests.support.dialog_votes import two_camps


def test_the_analysis_is_reused_until_a_vote_or_moderation_changes(app, make_org):
    org = make_org()
    ev = two_camps(app, org)
    with app.app_context():
        first = heard.opinion_result(ev["id"])
        assert heard.opinion_result(ev["id"]) is first
        assert first.k == 2

        # A changed vote: a new analysis.
        voter = db.session.get(Participant, ev["voters"][0])
        statement = ev["statements"][0]
        services.cast_vote(voter, statement, -queries.vote_matrix(ev["id"]).loc[
            voter.id, statement])
        db.session.commit()
        second = heard.opinion_result(ev["id"])
        assert second is not first
        assert heard.opinion_result(ev["id"]) is second

        # A hidden statement: another one, without that statement.
        services.moderate_statement(db.session.get(Statement, statement), None,
                                    ModerationKind.hide)
        db.session.commit()
        third = heard.opinion_result(ev["id"])
        assert third is not second and statement in third.excluded_statements


def test_reading_the_cached_analysis_writes_nothing(app, make_org):
    org = make_org()
    ev = two_camps(app, org)
    with app.app_context():
        heard.opinion_result(ev["id"])
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement.split()[0].upper())

        sa_event.listen(db.engine, "before_cursor_execute", record)
        try:
            heard.summarise(db.session.get(Event, ev["id"]))
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", record)
        assert statements and set(statements) <= {"SELECT", "WITH"}
