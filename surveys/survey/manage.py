"""Authoring for admins and authors: /manage/..."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from surveys.auth.access import roles_required
from surveys.auth.models import Role
from surveys.extensions import db
from surveys.survey.models import Survey

bp = Blueprint("manage", __name__, url_prefix="/manage")

STAFF = (Role.author, Role.facilitator, Role.analyst)


@bp.get("/")
@roles_required(*STAFF)
def index():
    surveys = db.session.scalars(
        select(Survey).where(Survey.organisation_id == current_user.organisation_id)
        .order_by(Survey.created_at.desc())
    ).all()
    return render_template("manage/index.html", surveys=surveys)
