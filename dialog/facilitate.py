"""Facilitators run dialogue events: /dialog/...

Views load an event of the facilitator's organisation (another organisation's ids answer
404), parse a form, call `dialog.operations`, then redirect (the request commits) or show
the page again with the refusal's status (the request rolls back).
"""

from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dialog import operations as ops
from dialog import service
from dialog.forms import (
    ACTION_LABELS,
    FOCUS_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    EventForm,
    PromptForm,
    field_key,
)
from dialog.models import (
    Event,
    EventStatus,
    Moderation,
    ModerationKind,
    Participant,
    Prompt,
    Statement,
    StatementSource,
    StatementStatus,
    TableGroup,
)
from surveys.auth.access import own, roles_required
from surveys.core.i18n import LANGUAGES, language_name
from surveys.core.roles import FACILITATORS
from surveys.core.time import as_local, as_utc
from surveys.extensions import db

bp = Blueprint("dialog", __name__, url_prefix="/dialog", template_folder="templates")

# -- URL map ------------------------------------------------------------------------------
# GET       /dialog/                                  the organisation's events
# GET POST  /dialog/events/new                        a new draft event
# GET       /dialog/events/<id>                       details, state, join code + QR, prompts
# GET POST  /dialog/events/<id>/edit                  details
# POST      /dialog/events/<id>/status                open / close / reopen / publish
# GET       /dialog/events/<id>/qr.svg                the join QR code (?download=1)
# POST      /dialog/events/<id>/prompts               add a prompt
# GET POST  /dialog/prompts/<id>                      edit a prompt
# POST      /dialog/prompts/<id>/move                 up / down
# GET       /dialog/events/<id>/moderation            queue, devices and the moderation log
# POST      /dialog/statements/<id>/moderate          approve / hide / restore
# POST      /dialog/participants/<id>/mute            mute / unmute a device
# GET POST  /dialog/events/<id>/tables                table groups; add one
# POST      /dialog/tables/<id>/notes                 a note for a table and prompt
# GET       /dialog/events/<id>/paper                 paper statements and tallies
# POST      /dialog/events/<id>/paper/statements      a statement written on paper
# POST      /dialog/events/<id>/paper/tallies         paper votes or dots for a statement




@bp.context_processor
def helpers():
    return {"language_name": language_name, "FOCUS_LABELS": FOCUS_LABELS,
            "STATUS_LABELS": STATUS_LABELS, "SOURCE_LABELS": SOURCE_LABELS,
            "ACTION_LABELS": ACTION_LABELS, "field_key": field_key, "LANGUAGES": LANGUAGES,
            "StatementStatus": StatementStatus, "EventStatus": EventStatus}


# -- loading and small helpers ------------------------------------------------------------
def _event(event_id: int) -> Event:
    return own(Event, event_id)


def _child(model, object_id: int, event_of=lambda obj: obj.event):
    """A prompt, statement, participant or table of an event of the user's organisation."""
    obj = db.session.get(model, object_id)
    if obj is None or event_of(obj).organisation_id != current_user.organisation_id:
        abort(404)
    return obj


def _to_event(event: Event, anchor: str | None = None):
    return redirect(url_for(".event", event_id=event.id, _anchor=anchor))


def _int(name: str, default: int | None = None) -> int | None:
    """A whole number from the form; None when missing or not a number."""
    text = (request.form.get(name) or "").strip()
    if not text:
        return default
    if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()) or len(text) > 9:
        return None  # not a number, or more than any id or count can be
    return int(text)


def join_url(event: Event) -> str:
    """The address participants open (the QR code holds it)."""
    return url_for("participate.enter", code=event.join_code, _external=True)


def _event_page(event: Event, problems=(), status: int = 200, prompt_form=None):
    form = prompt_form or _prompt_form(event)
    return render_template("dialog/event.html", event=event, problems=list(problems),
                           prompt_form=form, join_url=join_url(event),
                           participants=service.participant_count(event.id)), status


def _prompt_form(event: Event, prompt: Prompt | None = None) -> PromptForm:
    """The prompt form: the stored texts on GET, what was sent on POST."""
    if request.method == "GET":
        form = PromptForm(data={f"text_{field_key(c)}": t
                                for c, t in (prompt.text if prompt else {}).items()})
    else:
        form = PromptForm()
    form.default_language = event.default_language
    return form


# -- events ----------------------------------------------------------------------------------
@bp.get("/")
@roles_required(*FACILITATORS)
def index():
    """The organisation's events, newest first."""
    from sqlalchemy import select

    events = db.session.scalars(select(Event).where(
        Event.organisation_id == current_user.organisation_id)
        .order_by(Event.created_at.desc(), Event.id.desc())).all()
    return render_template("dialog/index.html", events=events)


def _event_fields(form: EventForm) -> dict:
    return {
        "title": form.texts("title"), "description": form.texts("description"),
        "languages": form.chosen_languages(),
        "starts_at": as_utc(form.starts_at.data), "ends_at": as_utc(form.ends_at.data),
        "place": form.place.data or "", "online_url": form.online_url.data or "",
        "target_groups": form.target_group_list(), "focus_areas": form.focus_areas.data or [],
        "moderation": Moderation(form.moderation.data),
        "statement_max_length": form.statement_max_length.data,
        "dot_points": form.dot_points.data or 0,
    }


@bp.route("/events/new", methods=["GET", "POST"])
@roles_required(*FACILITATORS)
def new_event():
    """Create a draft event with a fresh join code."""
    form = EventForm()
    problems = []
    if form.validate_on_submit():
        try:
            event = ops.create_event(current_user.organisation_id, current_user.id,
                                     **_event_fields(form))
        except ops.DialogError as error:
            problems = error.problems
        else:
            flash(_("The event was created as a draft. Add the prompts, then open it."))
            return _to_event(event)
    return render_template("dialog/event_form.html", form=form, event=None,
                           problems=problems), 400 if form.is_submitted() else 200


@bp.get("/events/<int:event_id>")
@roles_required(*FACILITATORS)
def event(event_id: int):
    """The event: state, join code, address and QR code, prompts."""
    return _event_page(_event(event_id))


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required(*FACILITATORS)
def edit_event(event_id: int):
    """Change the event's details; the join code stays."""
    event = _event(event_id)
    if request.method == "GET":
        data = {f"title_{field_key(c)}": t for c, t in event.title.items()}
        data.update({f"description_{field_key(c)}": t for c, t in event.description.items()})
        data.update(
            default_language=event.default_language, languages=list(event.languages),
            starts_at=as_local(event.starts_at), ends_at=as_local(event.ends_at),
            place=event.place, online_url=event.online_url,
            target_groups="\n".join(event.target_groups), focus_areas=list(event.focus_areas),
            moderation=event.moderation.value, statement_max_length=event.statement_max_length,
            dot_points=event.dot_points)
        form = EventForm(data=data)
    else:
        form = EventForm()
    problems = []
    if form.validate_on_submit():
        try:
            ops.update_event(event, **_event_fields(form))
        except ops.DialogError as error:
            problems = error.problems
        else:
            flash(_("The event was saved."))
            return _to_event(event)
    return render_template("dialog/event_form.html", form=form, event=event,
                           problems=problems), 400 if form.is_submitted() else 200


@bp.post("/events/<int:event_id>/status")
@roles_required(*FACILITATORS)
def change_status(event_id: int):
    """Open, close, reopen or publish (409 for a change that does not fit)."""
    event = _event(event_id)
    try:
        target = EventStatus(request.form.get("status", ""))
    except ValueError:
        return _event_page(event, [_("Choose what to do with the event.")], 400)
    try:
        ops.change_status(event, target)
    except ops.DialogError as error:
        return _event_page(event, error.problems, error.status)
    flash({EventStatus.open: _("The event is open. Participants join with the code %(code)s.",
                               code=event.join_code),
           EventStatus.closed: _("The event is closed. Participants can no longer write or "
                                 "vote."),
           EventStatus.published: _("The event is published.")}[target])
    return _to_event(event)


@bp.get("/events/<int:event_id>/qr.svg")
@roles_required(*FACILITATORS)
def qr(event_id: int):
    """The join address as a QR code in SVG; ?download=1 saves it as a file."""
    event = _event(event_id)
    buffer = io.BytesIO()
    segno.make(join_url(event), error="m").save(
        buffer, kind="svg", scale=8, border=4,
        title=_("QR code to join the event with code %(code)s", code=event.join_code))
    headers = {"Cache-Control": "no-store"}
    if request.args.get("download"):
        headers["Content-Disposition"] = f'attachment; filename="dialog-{event.join_code}.svg"'
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers=headers)


# -- prompts ---------------------------------------------------------------------------------
@bp.post("/events/<int:event_id>/prompts")
@roles_required(*FACILITATORS)
def add_prompt(event_id: int):
    """A new prompt at the end of the list."""
    event = _event(event_id)
    form = _prompt_form(event)
    if not form.validate_on_submit():
        return _event_page(event, status=400, prompt_form=form)
    ops.add_prompt(event, form.texts(event.languages))
    flash(_("The prompt was added."))
    return _to_event(event, "prompts")


@bp.route("/prompts/<int:prompt_id>", methods=["GET", "POST"])
@roles_required(*FACILITATORS)
def edit_prompt(prompt_id: int):
    """A prompt's text in each of the event's languages."""
    prompt = _child(Prompt, prompt_id)
    form = _prompt_form(prompt.event, prompt)
    if form.validate_on_submit():
        ops.update_prompt(prompt, form.texts(prompt.event.languages))
        flash(_("The prompt was saved."))
        return _to_event(prompt.event, "prompts")
    return render_template("dialog/prompt.html", event=prompt.event, prompt=prompt,
                           form=form), 400 if form.is_submitted() else 200


@bp.post("/prompts/<int:prompt_id>/move")
@roles_required(*FACILITATORS)
def move_prompt(prompt_id: int):
    """Move a prompt up or down."""
    prompt = _child(Prompt, prompt_id)
    try:
        ops.move_prompt(prompt, request.form.get("direction", ""))
    except ops.DialogError as error:
        return _event_page(prompt.event, error.problems, error.status)
    return _to_event(prompt.event, "prompts")


# -- moderation ------------------------------------------------------------------------------
def _moderation_page(event: Event, problems=(), status: int = 200):
    return render_template(
        "dialog/moderation.html", event=event, problems=list(problems),
        statements=service.statements_by_status(event.id),
        devices=service.participants(event.id), log=service.moderation_log(event.id),
        numbers=service.participant_numbers(event.id)), status


@bp.get("/events/<int:event_id>/moderation")
@roles_required(*FACILITATORS)
def moderation(event_id: int):
    """Statements by status, the devices that joined, and the moderation log."""
    return _moderation_page(_event(event_id))


@bp.post("/statements/<int:statement_id>/moderate")
@roles_required(*FACILITATORS)
def moderate(statement_id: int):
    """Approve, hide or restore a statement (logged)."""
    statement = _child(Statement, statement_id)
    try:
        action = ModerationKind(request.form.get("action", ""))
        ops.moderate_statement(statement, current_user.id, action)
    except ValueError:
        return _moderation_page(statement.event, [_("Choose approve, hide or restore.")], 400)
    except ops.DialogError as error:
        return _moderation_page(statement.event, error.problems, error.status)
    flash({ModerationKind.approve: _("The statement was approved."),
           ModerationKind.hide: _("The statement was hidden."),
           ModerationKind.restore: _("The statement was restored.")}[action])
    return redirect(url_for(".moderation", event_id=statement.event_id))


@bp.post("/participants/<int:participant_id>/mute")
@roles_required(*FACILITATORS)
def mute(participant_id: int):
    """Mute or unmute a device (logged)."""
    participant = _child(Participant, participant_id)
    action = request.form.get("action")
    if action not in ("mute", "unmute"):
        return _moderation_page(participant.event, [_("Choose mute or unmute.")], 400)
    try:
        ops.set_muted(participant, current_user.id, action == "mute")
    except ops.DialogError as error:
        return _moderation_page(participant.event, error.problems, error.status)
    flash(_("The device was muted.") if action == "mute" else _("The device was unmuted."))
    return redirect(url_for(".moderation", event_id=participant.event_id))


# -- tables ----------------------------------------------------------------------------------
def _tables_page(event: Event, problems=(), status: int = 200, values=None):
    return render_template("dialog/tables.html", event=event, problems=list(problems),
                           values=values or {}), status


@bp.route("/events/<int:event_id>/tables", methods=["GET", "POST"])
@roles_required(*FACILITATORS)
def tables(event_id: int):
    """Table groups with their notes; POST adds a table."""
    event = _event(event_id)
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        if not name or len(name) > 100:
            return _tables_page(event, [_("Give the table a name of at most 100 characters.")],
                                400, {"name": name})
        try:
            ops.add_table_group(event, name)
        except ops.DialogError as error:
            return _tables_page(event, error.problems, error.status, {"name": name})
        flash(_("The table was added."))
        return redirect(url_for(".tables", event_id=event.id))
    return _tables_page(event)


@bp.post("/tables/<int:table_id>/notes")
@roles_required(*FACILITATORS)
def add_note(table_id: int):
    """A note from a table about a prompt."""
    group = _child(TableGroup, table_id)
    event = group.event
    prompt = next((p for p in event.prompts if p.id == _int("prompt_id")), None)
    text = request.form.get("text", "")
    if prompt is None:
        return _tables_page(event, [_("Choose the prompt the note is about.")], 400,
                            {f"note-{group.id}": text})
    try:
        ops.add_table_note(group, prompt, text, current_user.id)
    except ops.DialogError as error:
        return _tables_page(event, error.problems, error.status, {f"note-{group.id}": text})
    flash(_("The note was saved."))
    return redirect(url_for(".tables", event_id=event.id, _anchor=f"table-{group.id}"))


# -- paper -----------------------------------------------------------------------------------
def _paper_page(event: Event, problems=(), status: int = 200, values=None):
    grouped = service.statements_by_status(event.id)
    decided = sorted(grouped[StatementStatus.visible] + grouped[StatementStatus.hidden],
                     key=lambda s: s.id)
    return render_template("dialog/paper.html", event=event, problems=list(problems),
                           values=values or {}, statements=decided,
                           counts=service.statement_counts(event.id),
                           tallies=service.paper_tallies(event.id)), status


@bp.get("/events/<int:event_id>/paper")
@roles_required(*FACILITATORS)
def paper(event_id: int):
    """Counts per statement, device votes and paper counts side by side."""
    return _paper_page(_event(event_id))


@bp.post("/events/<int:event_id>/paper/statements")
@roles_required(*FACILITATORS)
def paper_statement(event_id: int):
    """A statement written on paper (or by a facilitator), visible at once."""
    event = _event(event_id)
    values = dict(request.form)
    prompt = next((p for p in event.prompts if p.id == _int("prompt_id")), None)
    language = request.form.get("language", "")
    try:
        source = StatementSource(request.form.get("source", "paper"))
    except ValueError:
        source = None
    if prompt is None or language not in event.languages or source is StatementSource.web \
            or source is None:
        return _paper_page(event, [_("Choose the prompt, the language and where the statement "
                                     "comes from.")], 400, values)
    try:
        ops.add_staff_statement(event, prompt, request.form.get("text", ""), language, source)
    except ops.DialogError as error:
        return _paper_page(event, error.problems, error.status, values)
    flash(_("The statement was added."))
    return redirect(url_for(".paper", event_id=event.id))


@bp.post("/events/<int:event_id>/paper/tallies")
@roles_required(*FACILITATORS)
def paper_tally(event_id: int):
    """Paper votes or dots for a statement, per table or for the whole room."""
    event = _event(event_id)
    values = dict(request.form)
    statement = db.session.get(Statement, _int("statement_id") or 0)
    if statement is None or statement.event_id != event.id:
        return _paper_page(event, [_("Choose the statement the counts are for.")], 400, values)
    table_id = _int("table_group_id", 0)  # 0: the whole room; None: not a number
    group = next((t for t in event.table_groups if t.id == table_id), None)
    counts = {name: _int(name, 0) for name in ("agree", "disagree", "passed", "dots")}
    if table_id is None or (table_id and group is None) or any(
            v is None for v in counts.values()):
        return _paper_page(event, [_("Write each count as a whole number, 0 or more.")], 400,
                           values)
    try:
        ops.record_paper_tally(statement, group, current_user.id, **counts)
    except ops.DialogError as error:
        return _paper_page(event, error.problems, error.status, values)
    flash(_("The paper counts were saved."))
    return redirect(url_for(".paper", event_id=event.id))
