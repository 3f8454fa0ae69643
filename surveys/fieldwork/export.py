"""Response-rate tables and the mail-merge list as CSV and XLSX (Flask-free).

Cells go through `safe_cell`, so a stratum or name that starts like a formula stays text.
"""

from __future__ import annotations

import csv
import io

from surveys.core.data import BOM, safe_cell
from surveys.fieldwork.aapor import CODES
from surveys.fieldwork.figures import GroupFigures

RATE_NAMES = ("RR1", "RR2", "RR3", "RR4", "COOP1", "REF1", "e")
RATE_HEADER = ["breakdown", "group", "sampled", *CODES, *RATE_NAMES]


def rate_rows(sections: list[tuple[str, list[GroupFigures]]]) -> list[list]:
    """One row per group: the breakdown it belongs to, counts per code, then the rates."""
    rows = []
    for breakdown, figures in sections:
        for f in figures:
            rates = f.rates.as_dict()
            rows.append([breakdown, f.label, f.sampled, *(f.counts[c] for c in CODES),
                         *(None if rates[r] is None else round(rates[r], 6)
                           for r in RATE_NAMES)])
    return rows


def to_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(header: list[str], rows: list[list], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in [header, *rows]:
        sheet.append([safe_cell(ILLEGAL_CHARACTERS_RE.sub("\ufffd", c)) if isinstance(c, str)
                      else c for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
