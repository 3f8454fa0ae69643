"""Weighted microdata files: what the export form asks for and the file it gets.

Shared by the export page (small runs, in the request) and the `microdata_export` job
(large runs): the run is weighted again from its stored settings (`queries.export_design`,
which raises `RunError` when its inputs changed), the codebook is made in the chosen
language and the file written in the chosen format and CSV dialect.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveys.runs import microdata, queries
from surveys.runs.models import WeightingRun

MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "parquet": "application/vnd.apache.parquet",
}


@dataclass
class ExportRequest:
    """What the export form asked for."""

    fmt: str
    include_text: bool
    lang: str
    dialect: str

    def file_name(self, subject: WeightingRun, extension: str) -> str:
        """The data file's name (the syntax files open it by this name)."""
        text = "-text" if self.include_text else ""
        return f"{subject.survey.slug}-run{subject.id}-weighted{text}.{extension}"


def export_parts(subject: WeightingRun, asked: ExportRequest):
    """(weighted design, export plan, codebook) of the run; raises `RunError`."""
    weighted, plan = queries.export_design(subject)
    codebook = microdata.codebook_for(subject.survey, asked.lang,
                                      include_text=asked.include_text,
                                      weighting=plan.margins,
                                      strata=list(plan.strata) if plan.strata else None)
    return weighted, plan, codebook


def export_file(subject: WeightingRun, asked: ExportRequest,
                parts=None) -> tuple[bytes, str, str]:
    """(data, file name, MIME type) of the weighted microdata; raises `RunError`."""
    weighted, _plan, codebook = parts if parts is not None else export_parts(subject, asked)
    frame = queries.microdata_frame(subject, weighted, include_text=asked.include_text)
    data = microdata.write_microdata(frame, codebook, asked.fmt, asked.dialect)
    return data, asked.file_name(subject, asked.fmt), MIMETYPES[asked.fmt]
