"""The raw answer export: one row per response, every question's columns, as CSV.

The export is unweighted and holds the free-text answers word for word: analysts
need them, and they may contain personal data, so the file is for internal use
and must be handled like the answers themselves.

The ``response_id`` column numbers the survey's responses 1, 2, 3 ... in the order
they began: it is not the database id, the cookie token or the resume code, and
a response keeps its number when only completed responses are exported.
Times are ISO 8601 in UTC. Cells of text that Excel would read as a formula get
a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from surveys.core.data import BOM, safe_cell
from surveys.survey import queries
from surveys.survey.models import Survey

#: The columns before the questions' own.
FIXED_COLUMNS = ["response_id", "language", "channel", "started_at", "completed_at"]


@dataclass
class AnswerTable:
    """A header and one row of cells per response."""

    header: list[str]
    rows: list[list[Any]]


def answer_table(survey: Survey, completed_only: bool = False) -> AnswerTable:
    """Every response of the survey with its answers; two queries whatever the size."""
    questions = survey.questions()
    header = FIXED_COLUMNS + [c for q in questions for c in q.kind.columns(q)]
    by_response: dict[int, dict[int, Any]] = defaultdict(dict)
    for response_id, question_id, value in queries.load_answers(survey.id, completed_only):
        by_response[response_id][question_id] = value
    rows = []
    for number, r in enumerate(queries.response_rows(survey.id), start=1):
        if completed_only and r.completed_at is None:
            continue
        answers = by_response.get(r.id, {})
        row = [number, r.language, r.channel.value, iso_utc(r.started_at), iso_utc(r.completed_at)]
        for question in questions:
            cells = question.kind.export(question, answers.get(question.id))
            row += [cells.get(column) for column in question.kind.columns(question)]
        rows.append(row)
    return AnswerTable(header=header, rows=rows)


def iso_utc(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with a Z, e.g. 2026-03-01T09:15:00Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def csv_chunks(table: AnswerTable, rows_per_chunk: int = 500) -> Iterator[str]:
    """The table as UTF-8 CSV text with a byte-order mark, a few hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(table.header)
    for index, row in enumerate(table.rows, start=1):
        writer.writerow([safe_cell(cell) for cell in row])
        if index % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
