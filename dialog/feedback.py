"""Closing the loop: the public "what we heard" page and the facilitator's "what we do".

Residents open /d/<code>/heard with the code they joined with; it exists once the event is
published. Facilitators write the answer on /dialog/events/<id>/feedback, which also links
to the exports (`dialog.exports`).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dialog import heard, service
from dialog.feedback_models import ActionStatus, EventAction
from dialog.forms import field_key
from dialog.models import Event, EventStatus
from dialog.operations import DialogError
from dialog.participate import refuse
from surveys.auth.access import own, roles_required
from surveys.core.i18n import language_name, requested_language
from surveys.core.roles import FACILITATORS
from surveys.extensions import db

bp = Blueprint("feedback", __name__, template_folder="templates")

# -- URL map ------------------------------------------------------------------------------
# GET       /d/<code>/heard                           what we heard (published events only)
# GET       /dialog/events/<id>/feedback              answer, actions, exports, public link
# POST      /dialog/events/<id>/feedback/response     save "what we do" and its indicators
# POST      /dialog/events/<id>/feedback/actions      add an action
# POST      /dialog/actions/<id>                      change an action's status, or remove it

ACTION_STATUS_LABELS = {
    ActionStatus.planned: _l("Planned"),
    ActionStatus.started: _l("In progress"),
    ActionStatus.done: _l("Done"),
}
DIRECTION_LABELS = {"agree": _l("agreed more than the others"),
                    "disagree": _l("disagreed more than the others")}


def template_helpers() -> dict:
    """Names the feedback templates (page and report) use."""
    return {"percent": lambda share: format_percent(share, "#,##0 %"),
            "ACTION_STATUS_LABELS": ACTION_STATUS_LABELS, "DIRECTION_LABELS": DIRECTION_LABELS,
            "EventStatus": EventStatus, "field_key": field_key, "language_name": language_name,
            "MIN_VOTES_SHOWN": heard.MIN_VOTES_SHOWN}


bp.context_processor(template_helpers)


# -- public ----------------------------------------------------------------------------------
@bp.get("/d/<code>/heard")
def heard_page(code: str):
    """What was heard, in the event's languages; 404 until the event is published."""
    event = service.event_by_code(code)
    if event is None or event.status is EventStatus.draft:
        refuse(404, _("No event has that code. Check the code and try again."))
    g.fallback_language = event.default_language
    g.content_language = requested_language(event.languages)
    if event.status is not EventStatus.published:
        refuse(404, _("What was heard at this event has not been published yet. Come back "
                       "later."))
    if code != event.join_code:
        return redirect(url_for(".heard_page", code=event.join_code,
                                lang=request.args.get("lang")))
    return render_template("dialog/heard.html", event=event, heard=heard.summarise(event),
                           page_languages=event.languages), 200, {"Cache-Control": "no-cache"}


# -- facilitators ----------------------------------------------------------------------------
def _page(event: Event, problems=(), status: int = 200, values=None):
    g.fallback_language = event.default_language
    return render_template(
        "dialog/feedback.html", event=event, problems=list(problems), values=values or {},
        response=heard.response_of(event), actions=heard.actions_of(event),
        indicators=heard.framework_indicators(event), statuses=list(ActionStatus),
        tables=("statements", "votes", "groups", "notes")), status


def _texts(event: Event, prefix: str) -> dict[str, str]:
    return {lang: request.form.get(f"{prefix}_{field_key(lang)}", "") for lang in event.languages}


@bp.get("/dialog/events/<int:event_id>/feedback")
@roles_required(*FACILITATORS)
def feedback(event_id: int):
    """The answer to what was heard, the actions, and the exports."""
    return _page(own(Event, event_id))


@bp.post("/dialog/events/<int:event_id>/feedback/response")
@roles_required(*FACILITATORS)
def save_response(event_id: int):
    """Save "what we do" in each of the event's languages and the indicators it links to."""
    event = own(Event, event_id)
    values = request.form.to_dict()
    try:
        heard.save_response(event, current_user.id, _texts(event, "text"),
                            request.form.getlist("indicators"))
    except DialogError as error:
        return _page(event, error.problems, error.status, values)
    flash(_("The answer was saved."))
    return redirect(url_for(".feedback", event_id=event.id, _anchor="response"))


@bp.post("/dialog/events/<int:event_id>/feedback/actions")
@roles_required(*FACILITATORS)
def add_action(event_id: int):
    """An action the municipality takes, in the event's languages."""
    event = own(Event, event_id)
    values = request.form.to_dict()
    try:
        status = ActionStatus(request.form.get("status", ""))
    except ValueError:
        return _page(event, [_("Choose how far the action has come.")], 400, values)
    try:
        heard.add_action(event, _texts(event, "action"), status)
    except DialogError as error:
        return _page(event, error.problems, error.status, values)
    flash(_("The action was added."))
    return redirect(url_for(".feedback", event_id=event.id, _anchor="actions"))


@bp.post("/dialog/actions/<int:action_id>")
@roles_required(*FACILITATORS)
def change_action(action_id: int):
    """Set an action's status, or remove it (`remove=1`)."""
    action = db.session.get(EventAction, action_id)
    if action is None or action.event.organisation_id != current_user.organisation_id:
        abort(404)
    event = action.event
    if request.form.get("remove") == "1":
        heard.remove_action(action)
        flash(_("The action was removed."))
    else:
        try:
            heard.set_action_status(action, ActionStatus(request.form.get("status", "")))
        except ValueError:
            return _page(event, [_("Choose how far the action has come.")], 400)
        flash(_("The action was saved."))
    return redirect(url_for(".feedback", event_id=event.id, _anchor="actions"))
