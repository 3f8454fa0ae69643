"""URL map of the jobs feature: a job's progress page, its state for scripts, its file.

# GET   /jobs/<id>             progress (refreshes itself), then the download link or the error
# GET   /jobs/<id>.json        {status, progress, total, percent} for the page's script
# GET   /jobs/<id>/download    the finished file
# POST  /jobs/<id>/retry       run a failed job again
"""

from __future__ import annotations

from flask import Blueprint

from surveys.jobs import views

bp = Blueprint("jobs", __name__, url_prefix="/jobs", template_folder="templates")

bp.add_url_rule("/<int:job_id>", view_func=views.status, methods=["GET"])
bp.add_url_rule("/<int:job_id>.json", view_func=views.state, methods=["GET"])
bp.add_url_rule("/<int:job_id>/download", view_func=views.download, methods=["GET"])
bp.add_url_rule("/<int:job_id>/retry", view_func=views.retry, methods=["POST"])
