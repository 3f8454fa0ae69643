"""A facilitator takes the evening home: statements, votes, groups and notes as CSV and XLSX,
and a PDF report. Participants are numbers 1..n; no device hash ever leaves the database."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from dialog import queries, services
from dialog.heard import prompts_of
from dialog.models import Event, EventStatus, Participant, StatementSource
from surveys.extensions import db
from tests.support.dialog import TITLE, make_event
from tests.support.pdf import assert_tagged

FORMULA = "=HYPERLINK(\"http://example.com\",\"klicka\")"
CAMP_STATEMENTS = [f"Påstående {n}" for n in range(8)]


def exported_event(app, org) -> dict:
    """Twelve devices in two opposite camps over eight statements; a formula-looking
    statement, a paper tally and two table notes. Closed, as after the evening."""
    with app.app_context():
        event = make_event(org.id, prompts=2)
        prompts = prompts_of(event)
        statements = [services.add_staff_statement(event, prompts[0], text, "sv",
                                              StatementSource.facilitator)
                      for text in CAMP_STATEMENTS]
        formula = services.add_staff_statement(event, prompts[1], FORMULA, "en",
                                          StatementSource.paper)
        people = []
        for n in range(12):
            person = services.join(event, queries.device_hash(f"export-{n}", event.id), "sv")
            people.append(person)
            camp = 1 if n % 2 == 0 else -1
            for i, statement in enumerate(statements):
                services.cast_vote(person, statement.id, camp if i < 4 else -camp)
        services.cast_vote(people[0], formula.id, 0)
        table = services.add_table_group(event, "Bord 1")
        services.add_table_note(table, prompts[0], "Lampor vid gången.", None)
        services.add_table_note(table, prompts[1], "Grillplats\noch bänkar.", None)
        services.record_paper_tally(statements[0], table, None, agree=3, disagree=1, passed=0,
                               dots=2)
        event.status = EventStatus.closed
        db.session.commit()
        hashes = list(db.session.scalars(select(Participant.device_hash).where(
            Participant.event_id == event.id).order_by(Participant.id)))
        return {"id": event.id, "code": event.join_code, "hashes": hashes,
                "statements": [s.id for s in statements], "formula": formula.id}


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def exported(app, client, make_org, login):
    org = make_org()
    ev = exported_event(app, org)
    login(client, org, "facilitator")
    return ev


def test_statements_export_has_every_statement_with_web_and_paper_counts(client, exported):
    rows = read_csv(client.post_form(f"/dialog/events/{exported['id']}/export/statements.csv"))
    assert rows[0] == ["statement", "prompt", "text", "language", "source", "status", "agree",
                       "disagree", "pass", "votes", "dots", "paper_agree", "paper_disagree",
                       "paper_pass", "paper_dots", "total_votes", "text_sv", "from_sv",
                       "text_en", "from_en", "text_ar", "from_ar"]
    first = exported["statements"][0]
    assert rows[1] == [str(first), "1", "Påstående 0", "sv", "facilitator", "visible",
                       "6", "6", "0", "12", "0", "3", "1", "0", "2", "16",
                       "Påstående 0", "original", "", "", "", ""]
    assert [r[0] for r in rows[1:]] == [str(i) for i in exported["statements"]] + [
        str(exported["formula"])]
    # A statement that looks like a formula stays text.
    assert rows[-1][:6] == [str(exported["formula"]), "2", "'" + FORMULA, "en", "paper",
                            "visible"]
    assert rows[-1][6:10] == ["0", "0", "1", "1"]


def test_votes_export_numbers_participants_in_the_order_they_joined(client, exported):
    rows = read_csv(client.post_form(f"/dialog/events/{exported['id']}/export/votes.csv"))
    assert rows[0] == ["participant", "statement", "vote"]
    expected = []
    for n in range(12):
        camp = 1 if n % 2 == 0 else -1
        expected += [[str(n + 1), str(s), str(camp if i < 4 else -camp)]
                     for i, s in enumerate(exported["statements"])]
        if n == 0:
            expected.append(["1", str(exported["formula"]), "0"])
    assert rows[1:] == expected


def test_groups_export_gives_each_participant_number_its_group(client, exported):
    rows = read_csv(client.post_form(f"/dialog/events/{exported['id']}/export/groups.csv"))
    assert rows[0] == ["participant", "group", "votes"]
    assert len(rows) == 13
    by_camp = {n % 2: {r[1] for r in rows[1:] if (int(r[0]) - 1) % 2 == n % 2} for n in (0, 1)}
    assert all(len(groups) == 1 for groups in by_camp.values())
    assert by_camp[0] != by_camp[1] and by_camp[0] | by_camp[1] == {"1", "2"}
    assert rows[1][2] == "9" and rows[2][2] == "8"


def test_notes_export_has_every_table_note(client, exported):
    rows = read_csv(client.post_form(f"/dialog/events/{exported['id']}/export/notes.csv"))
    assert rows == [["table", "prompt", "note"], ["Bord 1", "1", "Lampor vid gången."],
                    ["Bord 1", "2", "Grillplats\noch bänkar."]]


def test_the_workbook_has_one_sheet_per_table_with_the_same_rows(client, exported):
    response = client.post_form(f"/dialog/events/{exported['id']}/export.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["statements", "votes", "groups", "notes"]
    for name in book.sheetnames:
        csv_rows = read_csv(client.post_form(f"/dialog/events/{exported['id']}/export/{name}.csv"))
        sheet_rows = [["" if v is None else str(v) for v in row]
                      for row in book[name].iter_rows(values_only=True)]
        # CSV quotes formulas; the sheet keeps them as text cells instead.
        assert sheet_rows == [[c[1:] if c == "'" + FORMULA else c for c in row]
                              for row in csv_rows], name
    formula_cell = next(c for row in book["statements"].iter_rows() for c in row
                        if c.value == FORMULA)
    assert formula_cell.data_type == "s"


def test_the_report_is_a_pdf_with_the_title_statements_and_page_numbers(client, exported):
    response = client.get(f"/dialog/events/{exported['id']}/report.pdf?lang=sv")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert TITLE["sv"] in text
    assert "Påstående 0" in text and "Lampor vid gången." in text
    assert f"1 / {len(reader.pages)}" in text


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_the_report_is_a_tagged_pdf_in_the_asked_language(app, client, exported, lang):
    """PDF/UA: a screen reader reads it in its language, headings and tables as such.
    (WeasyPrint 70 writes the document's language only, not that of a part of it, such as
    the place written in the event's language: the HTML marks it all the same.)"""
    with app.app_context():
        db.session.get(Event, exported["id"]).place = "Folkets hus"
        db.session.commit()
    reader = PdfReader(io.BytesIO(
        client.get(f"/dialog/events/{exported['id']}/report.pdf?lang={lang}").get_data()))
    assert_tagged(reader, lang)
    assert "Folkets hus" in reader.pages[0].extract_text()


def test_no_export_contains_a_device_hash(client, exported):
    base = f"/dialog/events/{exported['id']}"
    texts = [client.post_form(f"{base}/export/{t}.csv").get_data(as_text=True)
             for t in ("statements", "votes", "groups", "notes")]
    with zipfile.ZipFile(io.BytesIO(client.post_form(f"{base}/export.xlsx").get_data())) as book:
        texts += [book.read(name).decode("utf-8") for name in book.namelist()]
    pdf = PdfReader(io.BytesIO(client.get(f"{base}/report.pdf").get_data()))
    texts += [page.extract_text() for page in pdf.pages]
    assert len(exported["hashes"]) == 12
    for device in exported["hashes"]:
        assert not any(device in text or device[:16] in text for text in texts)


@pytest.mark.parametrize("path", ["export/votes.csv", "export.xlsx", "report.pdf"])
def test_exports_are_for_the_events_own_organisation_only(app, client, make_client, make_org,
                                                         login, path):
    theirs = make_org()
    ev = exported_event(app, theirs)
    login(client, make_org(), "facilitator")
    send = "get" if path == "report.pdf" else "post_form"
    assert getattr(client, send)(f"/dialog/events/{ev['id']}/{path}").status_code == 404
    analyst = login(make_client(), theirs, "analyst")
    assert getattr(analyst, send)(f"/dialog/events/{ev['id']}/{path}").status_code == 403
    anonymous = getattr(make_client(), send)(f"/dialog/events/{ev['id']}/{path}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_an_unknown_table_answers_404(client, exported):
    assert client.post_form(f"/dialog/events/{exported['id']}/export/devices.csv").status_code == 404


def test_downloading_the_votes_is_audited_and_a_page_view_never_downloads(app, client, exported):
    from surveys.audit.models import AuditEvent

    base = f"/dialog/events/{exported['id']}"
    assert client.get(f"{base}/export/votes.csv").status_code == 405
    assert client.post_form(f"{base}/export/statements.csv").status_code == 200
    assert client.post_form(f"{base}/export/votes.csv").status_code == 200
    assert client.post_form(f"{base}/export.xlsx").status_code == 200
    with app.app_context():
        logged = [(e.action, e.detail["tables"]) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "votes_exported")
            .order_by(AuditEvent.id))]
    assert logged == [("votes_exported", ["votes"]),
                      ("votes_exported", ["statements", "votes", "groups", "notes"])]
