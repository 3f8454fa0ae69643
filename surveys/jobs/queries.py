"""Reading jobs."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from surveys.core.roles import Role
from surveys.extensions import db
from surveys.jobs.models import Job


def visible_job(job_id: int) -> Job:
    """The job if the current user asked for it (or is an admin of its organisation); else 404."""
    job = db.session.get(Job, job_id)
    if (job is None or job.organisation_id != current_user.organisation_id
            or (job.created_by_id != current_user.id and current_user.role is not Role.admin)):
        abort(404)
    return job
