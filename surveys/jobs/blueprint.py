"""URL map of the jobs feature: a job's progress page, its state for scripts, its file.

# GET   /jobs/<id>             progress (refreshes itself), then the download link or the error
# GET   /jobs/<id>.json        {status, progress, total, percent} for the page's script
# GET   /jobs/<id>/download    the finished file
# POST  /jobs/<id>/retry       run a failed job again
"""

from __future__ import annotations

from flask import Blueprint

from surveys.core.urls import GET, POST, add_rules
from surveys.jobs import views

bp = Blueprint("jobs", __name__, url_prefix="/jobs", template_folder="templates")

add_rules(
    bp,
    ("/<int:job_id>", "status", views.status, GET),
    ("/<int:job_id>.json", "state", views.state, GET),
    ("/<int:job_id>/download", "download", views.download, GET),
    ("/<int:job_id>/retry", "retry", views.retry, POST),
)
