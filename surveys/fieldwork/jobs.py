"""Fieldwork's background work: storing a large frame file (seconds per 10,000 people)."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from surveys.core.data import BOM
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.fieldwork import frame_file, services
from surveys.fieldwork.models import FrameUpload
from surveys.jobs.models import Job
from surveys.jobs.services import JobResult, Progress, job_kind


def _title(params: dict) -> str:
    return _("Import of the sample frame “%(name)s”", name=params.get("file_name", ""))


@job_kind("fieldwork_frame_import", title=_title)
def import_frame(job: Job, progress: Progress) -> JobResult:
    """Check the waiting file again (step 1), store its rows (step 2); the result is a
    small CSV report of what was stored and skipped."""
    upload = db.session.get(FrameUpload, job.params["upload_id"])
    if upload is None:
        raise LookupError("the uploaded frame file is gone (purged or imported)")
    progress(0, 2)
    checked = frame_file.check(upload.data, utcnow().year, upload.districts)
    progress(1, 2)
    frame = services.import_frame(upload.survey, checked, upload.file_name, job.created_by_id,
                                  skip_bad_rows=upload.skip)
    db.session.delete(upload)
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["stored", "skipped_line", "problem"])
    writer.writerow([frame.row_count, "", ""])
    writer.writerows(["", line, code] for line, code in frame.skipped)
    return JobResult(f"{upload.survey.slug}-frame-import.csv", "text/csv",
                     buffer.getvalue().encode("utf-8"))
