"""Results for analysts: /results/..."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from surveys.auth.access import own, roles_required
from surveys.core.roles import ANALYSTS
from surveys.survey import analysis, export
from surveys.survey.models import Survey

bp = Blueprint("results", __name__, url_prefix="/results")

# -- URL map ------------------------------------------------------------------------------
# GET /results/<id>                 unweighted overview: responses, times, every question
# GET /results/<id>?completed=1     the same, question summaries from completed responses only
# GET /results/<id>/answers.csv     raw answers, one row per response (?completed=1 likewise)


@bp.context_processor
def formatting():
    return {
        "share": analysis.format_share,
        "figure": analysis.format_figure,
        "language_name": analysis.language_name,
        "CHANNEL_LABELS": analysis.CHANNEL_LABELS,
    }


def _completed_only() -> bool:
    return request.args.get("completed") == "1"


@bp.get("/<int:survey_id>")
@roles_required(*ANALYSTS)
def overview(survey_id: int):
    subject = own(Survey, survey_id)
    results = analysis.survey_results(subject, completed_only=_completed_only())
    page = render_template("results/overview.html", subject=subject, results=results)
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/<int:survey_id>/answers.csv")
@roles_required(*ANALYSTS)
def answers_csv(survey_id: int):
    subject = own(Survey, survey_id)
    completed_only = _completed_only()
    table = export.answer_table(subject, completed_only=completed_only)
    filename = f"{subject.slug}-answers{'-completed' if completed_only else ''}.csv"
    return Response(
        export.csv_chunks(table),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Free-text answers may hold personal data: keep them out of caches.
            "Cache-Control": "no-store",
        },
    )
