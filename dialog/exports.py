"""Exports for facilitators: statements, votes, groups and notes as CSV or XLSX; a PDF report.

Participants appear only as numbers 1, 2, 3 … in the order they joined, the same number
in the votes and the groups table; device hashes never leave the database. Text that a
spreadsheet would run as a formula is neutralised (`surveys.core.data.safe_cell`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from dialog import heard, queries
from dialog.models import Event
from surveys.core.data import BOM, safe_cell
from surveys.core.pdf import tagged_pdf

TABLES = ("statements", "votes", "groups", "notes")
EXCEL_CELL_CHARS = 32_767


@dataclass
class Table:
    """A named table: header and rows of plain values."""

    name: str
    header: list[str]
    rows: list[list[Any]]


def statements_table(event: Event) -> Table:
    """Every statement (any status) with device votes, dots and paper counts apart, then its
    text in each of the event's languages (`text_sv` …) and where that text comes from
    (`from_sv` …: original, approved, machine, or empty while it waits)."""
    counts = queries.statement_counts(event.id)
    position = heard.prompt_numbers(event)
    header = ["statement", "prompt", "text", "language", "source", "status", "agree",
              "disagree", "pass", "votes", "dots", "paper_agree", "paper_disagree",
              "paper_pass", "paper_dots", "total_votes"]
    for code in event.languages:
        header += [f"text_{code}", f"from_{code}"]
    rows = []
    for s in queries.event_statements(event.id):
        c = counts.loc[s.id] if s.id in counts.index else None
        figures = [int(c[k]) if c is not None else 0 for k in (
            "agree", "disagree", "pass", "votes", "dots", "paper_agree", "paper_disagree",
            "paper_pass", "paper_dots")]
        total = figures[3] + figures[5] + figures[6] + figures[7]
        texts = []
        for code in event.languages:
            translation = s.translation(code)
            if code == s.language:
                texts += [s.text, "original"]
            elif translation is not None:
                texts += [translation.text, translation.status.value]
            else:
                texts += [None, None]
        rows.append([s.id, position[s.prompt_id], s.text, s.language, s.source.value,
                     s.status.value, *figures, total, *texts])
    return Table("statements", header, rows)


def votes_table(event: Event) -> Table:
    """One row per device vote: participant number, statement, 1 / -1 / 0."""
    numbers = queries.participant_numbers(event.id)
    rows = queries.vote_rows(event.id)
    ordered = sorted(([numbers[p], s, v] for p, s, v in rows), key=lambda r: (r[0], r[1]))
    return Table("votes", ["participant", "statement", "vote"], ordered)


def groups_table(event: Event) -> Table:
    """Every participant's opinion group (1 = largest; empty: too few votes to be grouped)."""
    result = queries.opinion_result(event.id)
    votes = result.projection["n_votes"].to_dict() if len(result.projection) else {}
    rows = []
    for participant_id, number in queries.participant_numbers(event.id).items():
        group = result.participant_groups.get(participant_id)
        rows.append([number, None if group is None else group + 1,
                     int(votes.get(participant_id, 0))])
    return Table("groups", ["participant", "group", "votes"], rows)


def notes_table(event: Event) -> Table:
    """Every table note: table, prompt number, text."""
    numbers = heard.prompt_numbers(event)
    rows = [[group.name, numbers[prompt.id], note.text]
            for group, prompt, note in queries.table_notes(event)]
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
    """The report's HTML as tagged PDF (the page numbers come from the template's CSS)."""
    return tagged_pdf(html)
