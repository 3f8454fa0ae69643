"""Exports for facilitators: statements, votes, groups and notes as CSV or XLSX; a PDF report.

Participants appear only as numbers 1, 2, 3 … in the order they joined, the same number
in the votes and the groups table; device hashes never leave the database. Text that a
spreadsheet would run as a formula is neutralised (`surveys.survey.export.safe_cell`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request
from sqlalchemy import select

from dialog import feedback, heard, service
from dialog.models import Event, Statement, Vote
from surveys.auth.access import own, roles_required
from surveys.core.data import BOM, safe_cell
from surveys.core.i18n import requested_language
from surveys.core.roles import FACILITATORS
from surveys.core.time import utcnow
from surveys.extensions import db

bp = Blueprint("dialog_exports", __name__, url_prefix="/dialog/events",
               template_folder="templates")

# -- URL map ------------------------------------------------------------------------------
# GET  /dialog/events/<id>/export/<table>.csv   statements | votes | groups | notes
# GET  /dialog/events/<id>/export.xlsx          the four tables, one sheet each
# GET  /dialog/events/<id>/report.pdf           the event report (?lang= one of the event's)

TABLES = ("statements", "votes", "groups", "notes")
EXCEL_CELL_CHARS = 32_767


@dataclass
class Table:
    """A named table: header and rows of plain values."""

    name: str
    header: list[str]
    rows: list[list[Any]]


def statements_table(event: Event) -> Table:
    """Every statement (any status) with device votes, dots and paper counts apart."""
    counts = service.statement_counts(event.id)
    position = heard.prompt_numbers(event)
    header = ["statement", "prompt", "text", "language", "source", "status", "agree",
              "disagree", "pass", "votes", "dots", "paper_agree", "paper_disagree",
              "paper_pass", "paper_dots", "total_votes"]
    rows = []
    for s in db.session.scalars(select(Statement).where(Statement.event_id == event.id)
                                .order_by(Statement.id)):
        c = counts.loc[s.id] if s.id in counts.index else None
        figures = [int(c[k]) if c is not None else 0 for k in (
            "agree", "disagree", "pass", "votes", "dots", "paper_agree", "paper_disagree",
            "paper_pass", "paper_dots")]
        total = figures[3] + figures[5] + figures[6] + figures[7]
        rows.append([s.id, position[s.prompt_id], s.text, s.language, s.source.value,
                     s.status.value, *figures, total])
    return Table("statements", header, rows)


def votes_table(event: Event) -> Table:
    """One row per device vote: participant number, statement, 1 / -1 / 0."""
    numbers = service.participant_numbers(event.id)
    rows = db.session.execute(
        select(Vote.participant_id, Vote.statement_id, Vote.value)
        .join(Statement, Statement.id == Vote.statement_id)
        .where(Statement.event_id == event.id)).all()
    ordered = sorted(([numbers[p], s, v] for p, s, v in rows), key=lambda r: (r[0], r[1]))
    return Table("votes", ["participant", "statement", "vote"], ordered)


def groups_table(event: Event) -> Table:
    """Every participant's opinion group (1 = largest; empty: too few votes to be grouped)."""
    result = service.opinion_result(event.id)
    votes = result.projection["n_votes"].to_dict() if len(result.projection) else {}
    rows = []
    for participant_id, number in service.participant_numbers(event.id).items():
        group = result.participant_groups.get(participant_id)
        rows.append([number, None if group is None else group + 1,
                     int(votes.get(participant_id, 0))])
    return Table("groups", ["participant", "group", "votes"], rows)


def notes_table(event: Event) -> Table:
    """Every table note: table, prompt number, text."""
    numbers = heard.prompt_numbers(event)
    rows = [[group.name, numbers[prompt.id], note.text]
            for group, prompt, note in heard.table_notes(event)]
    return Table("notes", ["table", "prompt", "note"], rows)


BUILDERS = {"statements": statements_table, "votes": votes_table, "groups": groups_table,
            "notes": notes_table}


def csv_bytes(table: Table) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel then reads å, ä, ö and Arabic right)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(tables: list[Table]) -> bytes:
    """One sheet per table; text cells stay text, so "=..." never runs."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.freeze_panes = "A2"
        for row in [table.header, *table.rows]:
            cells = []
            for value in row:
                if isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub(
                        "\ufffd", value)[:EXCEL_CELL_CHARS])
                    cell.data_type = "s"
                    value = cell
                cells.append(value)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_pdf(html: str) -> bytes:
    """The report's HTML as PDF (WeasyPrint; the page numbers come from the template's CSS)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


# -- views -----------------------------------------------------------------------------------
def _download(data: bytes, mimetype: str, event: Event, name: str) -> Response:
    filename = f"dialog-{event.join_code}-{name}"
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@bp.get("/<int:event_id>/export/<table>.csv")
@roles_required(*FACILITATORS)
def csv_export(event_id: int, table: str):
    """One table as CSV."""
    event = own(Event, event_id)
    if table not in BUILDERS:
        abort(404)
    return _download(csv_bytes(BUILDERS[table](event)), "text/csv; charset=utf-8", event,
                     f"{table}.csv")


@bp.get("/<int:event_id>/export.xlsx")
@roles_required(*FACILITATORS)
def xlsx_export(event_id: int):
    """The four tables in one workbook."""
    event = own(Event, event_id)
    return _download(xlsx_bytes([BUILDERS[name](event) for name in TABLES]),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     event, "tables.xlsx")


@bp.get("/<int:event_id>/report.pdf")
@roles_required(*FACILITATORS)
def report(event_id: int):
    """The event report: what was heard, the table notes and what we do; no personal data."""
    event = own(Event, event_id)
    asked = request.args.get("lang")
    g.content_language = asked if asked in event.languages else requested_language(
        event.languages)
    g.fallback_language = event.default_language
    html = render_template("dialog/report.html", event=event,
                           heard=heard.summarise(event, with_notes=True), made_at=utcnow(),
                           **feedback.template_helpers())
    return _download(report_pdf(html), "application/pdf", event, "report.pdf")
