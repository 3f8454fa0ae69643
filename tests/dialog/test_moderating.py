"""A facilitator moderates statements and devices (every step logged), keeps table notes and
enters paper statements and paper counts after the evening."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialog.models import (
    Moderation,
    ModerationAction,
    ModerationKind,
    PaperTally,
    Participant,
    Statement,
    StatementSource,
    StatementStatus,
    TableGroup,
    TableNote,
)
from surveys.extensions import db
from tests.support.dialog import create_event, join, shown_statement, vote, write


def statements(app) -> list[tuple[int, StatementStatus]]:
    with app.app_context():
        return [(s.id, s.status) for s in db.session.scalars(select(Statement).order_by(
            Statement.id))]


def log(app) -> list[tuple[ModerationKind, int | None, int | None, str]]:
    with app.app_context():
        return [(a.action, a.statement_id, a.participant_id, a.user.role.value)
                for a in db.session.scalars(select(ModerationAction).order_by(
                    ModerationAction.id))]


@pytest.fixture
def evening(app, make_org, make_client):
    """A pre-moderated event with one statement waiting; the facilitator's client."""
    org = make_org()
    ev = create_event(app, org, moderation=Moderation.pre)
    writer = make_client()
    join(writer, ev["code"])
    write(writer, ev["code"], ev["prompts"][0], "Fler papperskorgar <i>nu</i>")
    return org, ev, writer


def moderate(client, statement_id: int, action: str):
    return client.post_form(f"/dialog/statements/{statement_id}/moderate", {"action": action})


def test_approve_hide_and_restore_each_logged(app, client, make_client, login, evening):
    org, ev, _writer = evening
    login(client, org, "facilitator")
    [(sid, status)] = statements(app)
    queue = client.get(f"/dialog/events/{ev['id']}/moderation").get_data(as_text=True)
    assert status is StatementStatus.pending
    assert "Fler papperskorgar &lt;i&gt;nu&lt;/i&gt;" in queue
    voter = make_client()
    join(voter, ev["code"])
    assert shown_statement(voter, ev["code"]) is None
    assert moderate(client, sid, "approve").status_code == 302
    assert statements(app) == [(sid, StatementStatus.visible)]
    assert shown_statement(voter, ev["code"]) == sid
    assert moderate(client, sid, "hide").status_code == 302
    assert statements(app) == [(sid, StatementStatus.hidden)]
    assert shown_statement(voter, ev["code"]) is None
    assert moderate(client, sid, "restore").status_code == 302
    assert statements(app) == [(sid, StatementStatus.visible)]
    assert log(app) == [(ModerationKind.approve, sid, None, "facilitator"),
                        (ModerationKind.hide, sid, None, "facilitator"),
                        (ModerationKind.restore, sid, None, "facilitator")]
    page = client.get(f"/dialog/events/{ev['id']}/moderation").get_data(as_text=True)
    log_part = page[page.index('id="log"'):]
    assert log_part.count("<li>") == 3 and "Facilitator" in log_part


@pytest.mark.parametrize(("action", "status"), [
    ("restore", 409), ("approve", 409), ("delete", 400), ("mute", 400)])
def test_a_moderation_step_that_does_not_fit_changes_nothing(app, client, login, evening,
                                                            action, status):
    org, _ev, _writer = evening
    login(client, org, "facilitator")
    [(sid, _)] = statements(app)
    if action == "approve":
        moderate(client, sid, "approve")
    sent = moderate(client, sid, action)
    assert sent.status_code == status
    expected = StatementStatus.visible if action == "approve" else StatementStatus.pending
    assert statements(app) == [(sid, expected)]
    assert len(log(app)) == (1 if action == "approve" else 0)


def test_muting_and_unmuting_a_device_is_logged_and_takes_effect(app, client, login, evening):
    org, ev, writer = evening
    login(client, org, "facilitator")
    with app.app_context():
        pid = db.session.scalar(select(Participant.id))
    assert client.post_form(f"/dialog/participants/{pid}/mute",
                            {"action": "mute"}).status_code == 302
    refused = write(writer, ev["code"], ev["prompts"][0], "Igen")
    assert refused.status_code == 403
    assert client.post_form(f"/dialog/participants/{pid}/mute",
                            {"action": "mute"}).status_code == 409
    assert client.post_form(f"/dialog/participants/{pid}/mute",
                            {"action": "silence"}).status_code == 400
    assert client.post_form(f"/dialog/participants/{pid}/mute",
                            {"action": "unmute"}).status_code == 302
    assert write(writer, ev["code"], ev["prompts"][0], "Igen").status_code == 302
    assert [(a, p) for a, _s, p, _r in log(app)] == [(ModerationKind.mute, pid),
                                                     (ModerationKind.unmute, pid)]


def test_another_organisation_cannot_moderate(app, client, make_org, login, evening):
    _org, ev, _writer = evening
    login(client, make_org(), "facilitator")
    [(sid, _)] = statements(app)
    with app.app_context():
        pid = db.session.scalar(select(Participant.id))
    assert moderate(client, sid, "approve").status_code == 404
    assert client.post_form(f"/dialog/participants/{pid}/mute",
                            {"action": "mute"}).status_code == 404
    assert client.get(f"/dialog/events/{ev['id']}/moderation").status_code == 404
    assert statements(app) == [(sid, StatementStatus.pending)] and log(app) == []


@pytest.mark.parametrize("role", ["author", "analyst"])
def test_only_facilitators_and_admins_moderate(app, client, login, evening, role):
    org, _ev, _writer = evening
    [(sid, _)] = statements(app)
    login(client, org, role)
    assert moderate(client, sid, "approve").status_code == 403
    login(client, org, "admin")
    assert moderate(client, sid, "approve").status_code == 302


# -- tables --------------------------------------------------------------------------------------
def test_notes_are_kept_per_table_and_prompt(app, client, make_org, login):
    org = make_org()
    ev = create_event(app, org, prompts=2)
    login(client, org, "facilitator")
    assert client.post_form(f"/dialog/events/{ev['id']}/tables",
                            {"name": "Bord 1"}).status_code == 302
    twice = client.post_form(f"/dialog/events/{ev['id']}/tables", {"name": "Bord 1"})
    assert twice.status_code == 409
    assert "There is already a table with that name." in twice.get_data(as_text=True)
    empty = client.post_form(f"/dialog/events/{ev['id']}/tables", {"name": " "})
    assert empty.status_code == 400
    with app.app_context():
        table = db.session.scalar(select(TableGroup.id))
    sent = client.post_form(f"/dialog/tables/{table}/notes",
                            {"prompt_id": ev["prompts"][1], "text": "Belysning <b>saknas</b>"})
    assert sent.status_code == 302
    refused = client.post_form(f"/dialog/tables/{table}/notes",
                               {"prompt_id": ev["prompts"][1], "text": ""})
    assert refused.status_code == 400
    wrong = client.post_form(f"/dialog/tables/{table}/notes",
                             {"prompt_id": 999999, "text": "Kvar i formuläret"})
    assert wrong.status_code == 400 and "Kvar i formuläret" in wrong.get_data(as_text=True)
    with app.app_context():
        [note] = db.session.scalars(select(TableNote)).all()
        assert (note.prompt_id, note.text) == (ev["prompts"][1], "Belysning <b>saknas</b>")
        assert note.created_by.role.value == "facilitator"
    page = client.get(f"/dialog/events/{ev['id']}/tables").get_data(as_text=True)
    assert "Belysning &lt;b&gt;saknas&lt;/b&gt;" in page


# -- paper ---------------------------------------------------------------------------------------
def test_paper_statements_and_counts_are_entered_and_marked_as_paper(app, client, make_client,
                                                                     make_org, login):
    org = make_org()
    ev = create_event(app, org)
    login(client, org, "facilitator")
    sent = client.post_form(f"/dialog/events/{ev['id']}/paper/statements", {
        "prompt_id": ev["prompts"][0], "language": "ar", "source": "paper",
        "text": "مزيد من الإضاءة"})
    assert sent.status_code == 302
    with app.app_context():
        statement = db.session.scalar(select(Statement))
        assert statement.source is StatementSource.paper and statement.participant_id is None
        assert statement.status is StatementStatus.visible and statement.language == "ar"
        sid = statement.id
    client.post_form(f"/dialog/events/{ev['id']}/tables", {"name": "Bord 2"})
    with app.app_context():
        table = db.session.scalar(select(TableGroup.id))
    for table_id, agree in ((table, 4), ("", 1), (table, 6)):  # the third replaces the first
        sent = client.post_form(f"/dialog/events/{ev['id']}/paper/tallies", {
            "statement_id": sid, "table_group_id": table_id, "agree": agree,
            "disagree": "2", "passed": "1", "dots": "3"})
        assert sent.status_code == 302
    voter = make_client()
    join(voter, ev["code"])
    vote(voter, ev["code"], sid, 1)
    with app.app_context():
        tallies = db.session.scalars(select(PaperTally).order_by(PaperTally.id)).all()
        assert [(t.table_group_id, t.agree) for t in tallies] == [(table, 6), (None, 1)]
        assert all(t.from_paper for t in tallies)
    page = client.get(f"/dialog/events/{ev['id']}/paper").get_data(as_text=True)
    assert "Agree (paper)" in page and "Written on paper" in page
    assert '<td class="num">1</td><td class="num">0</td><td class="num">0</td>' in page
    assert '<td class="num">7</td><td class="num">4</td><td class="num">2</td>' \
           '<td class="num">6</td>' in page


@pytest.mark.parametrize(("data", "status"), [
    ({"agree": "-1"}, 400), ({"agree": "many"}, 400), ({"statement_id": "999999"}, 400),
    ({"table_group_id": "999999"}, 400), ({"table_group_id": "abc"}, 400),
    ({"agree": "9" * 30}, 400), ({"statement_id": "9" * 30}, 400)])
def test_bad_paper_counts_are_refused_and_kept(app, client, make_org, login, data, status):
    org = make_org()
    ev = create_event(app, org)
    login(client, org, "facilitator")
    client.post_form(f"/dialog/events/{ev['id']}/paper/statements", {
        "prompt_id": ev["prompts"][0], "language": "sv", "source": "facilitator",
        "text": "Startpåstående"})
    with app.app_context():
        sid = db.session.scalar(select(Statement.id))
    sent = client.post_form(f"/dialog/events/{ev['id']}/paper/tallies", {
        "statement_id": sid, "agree": "2", "disagree": "0", "passed": "0", "dots": "17", **data})
    assert sent.status_code == status
    assert 'value="17"' in sent.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(PaperTally.id)) is None


@pytest.mark.parametrize(("data", "status"), [
    ({"text": ""}, 400), ({"text": "x" * 281}, 413), ({"language": "fa"}, 400),
    ({"source": "web"}, 400), ({"prompt_id": "0"}, 400)])
def test_bad_paper_statements_are_refused(app, client, make_org, login, data, status):
    org = make_org()
    ev = create_event(app, org)
    login(client, org, "facilitator")
    sent = client.post_form(f"/dialog/events/{ev['id']}/paper/statements", {
        "prompt_id": ev["prompts"][0], "language": "sv", "source": "paper", "text": "Text",
        **data})
    assert sent.status_code == status
    with app.app_context():
        assert db.session.scalar(select(Statement.id)) is None
