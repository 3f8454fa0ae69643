"""The weighting runs' background work: a large survey is weighted, and a large run's
microdata written, by a job.

Weighting itself takes seconds even for tens of thousands of answers, but reading them,
imputing, estimating every item by every group and storing a weight per response grows
with the survey; above `RUN_JOB_MIN_RESPONDENTS` completed responses the request that
asks for a run only queues it, and the job's page leads to the run when it is done. The
same holds for the weighted microdata of runs of `EXPORT_JOB_MIN_RESPONDENTS` or more.
"""

from __future__ import annotations

from flask_babel import gettext as _

from surveys.extensions import db
from surveys.jobs.models import Job
from surveys.jobs.services import JobResult, Progress, job_kind
from surveys.runs import services
from surveys.runs.exporting import ExportRequest, export_file
from surveys.runs.models import MarginSet, WeightingRun
from surveys.runs.weighing import RunSettings
from surveys.survey.models import Survey


def _title(params: dict) -> str:
    return _("Weighting %(survey)s", survey=params["survey_title"])


@job_kind("weighting_run", title=_title)
def weighting_run(job: Job, progress: Progress) -> JobResult:
    """Weight the survey as `services.create_run` does in a request; the result is the run."""
    survey = db.session.get(Survey, job.params["survey_id"])
    margin_set = db.session.get(MarginSet, job.params["margin_set_id"])
    progress(0, 1)
    run = services.create_run(survey, margin_set, RunSettings.from_dict(job.params["settings"]),
                              job.created_by_id, job.params["scheme"])
    db.session.flush()
    return JobResult(_("weighting run %(id)s", id=run.id),
                     link={"endpoint": "runs.run", "values": {"run_id": run.id}})


def _export_title(params: dict) -> str:
    return _("Weighted microdata of weighting run %(id)s (%(format)s)", id=params["run_id"],
             format=params["asked"]["fmt"].upper())


@job_kind("microdata_export", title=_export_title)
def microdata_export(job: Job, progress: Progress) -> JobResult:
    """A large run's weighted microdata, as the export page writes a small one's."""
    run = db.session.get(WeightingRun, job.params["run_id"])
    progress(0, 1)
    data, name, mimetype = export_file(run, ExportRequest(**job.params["asked"]))
    return JobResult(name, mimetype, data)
