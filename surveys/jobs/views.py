"""Job pages: parse, call, render."""

from __future__ import annotations

from flask import Response, abort, jsonify, redirect, render_template, url_for
from flask_login import login_required

from surveys.jobs import services
from surveys.jobs.models import JobStatus
from surveys.jobs.queries import visible_job

#: Seconds between refreshes of the progress page without JavaScript.
REFRESH_SECONDS = 2


@login_required
def status(job_id: int):
    job = visible_job(job_id)
    title = services.KINDS[job.kind].title(job.params)
    return render_template("jobs/status.html", job=job, title=title, JobStatus=JobStatus,
                           refresh=None if job.finished else REFRESH_SECONDS)


@login_required
def state(job_id: int):
    job = visible_job(job_id)
    return jsonify(status=job.status.value, progress=job.progress, total=job.total,
                   percent=job.percent)


@login_required
def download(job_id: int):
    job = visible_job(job_id)
    if job.status is not JobStatus.done or job.result_link is not None:
        abort(404)
    return Response(job.result, mimetype=job.result_type, headers={
        "Content-Disposition": f'attachment; filename="{job.result_name}"'})


@login_required
def retry(job_id: int):
    job = visible_job(job_id)
    if job.status is JobStatus.failed:
        services.retry(job)
    return redirect(url_for(".status", job_id=job.id), 303)
