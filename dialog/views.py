"""Views of dialogue events: participants join, write and vote; facilitators run the event,
moderate, enter paper, watch the live screen and the room, and publish what was heard.

Every view parses its request, calls `services` (changes) or `queries` (reads), then
renders or redirects. Facilitator views load an event of the user's organisation
(another organisation's ids answer 404); a refused change shows the page again with the
refusal's status (the request rolls back). A participant's device is known by a random
token in its signed session cookie; the database keeps only the token's SHA-256
(`queries.device_hash`). The URL map is `blueprint.py`.
"""

from __future__ import annotations

import io
import secrets

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from dialog import exports, heard, live, queries, room, services, translated
from dialog.bursts import find_bursts
from dialog.forms import (
    ACTION_LABELS,
    ACTION_STATUS_LABELS,
    DIRECTION_LABELS,
    FOCUS_LABELS,
    MACHINE_PROBLEMS,
    SOURCE_LABELS,
    STATUS_LABELS,
    TRANSLATION_LABELS,
    EventForm,
    PromptForm,
    checkin_questions,
    field_key,
)
from dialog.groups import groups_report
from dialog.models import (
    ActionStatus,
    Event,
    EventAction,
    EventStatus,
    ModerationKind,
    Participant,
    Prompt,
    Statement,
    StatementSource,
    StatementStatus,
    TableGroup,
)
from dialog.services import DialogError
from surveys.auth.access import own, roles_required
from surveys.core.i18n import LANGUAGES, easy_read, language_name, requested_language
from surveys.core.roles import FACILITATORS, TRANSLATORS
from surveys.core.time import as_local, utcnow
from surveys.extensions import limiter
from surveys.survey.results import format_share

#: The device's token in the session cookie.
DEVICE_KEY = "dialog_device"
CHECKIN_FIELDS = ("age_group", "gender", "born", "district")
#: Seconds between two polls of live.json.
POLL_SECONDS = 3
#: Pages whose figures change by the second and belong to one organisation.
FIGURE_PAGES = ("dialog.live_screen", "dialog.live_json", "dialog.room_panel", "dialog.groups")


def staff_helpers() -> dict:
    """Names the facilitator templates use."""
    return {"language_name": language_name, "FOCUS_LABELS": FOCUS_LABELS,
            "STATUS_LABELS": STATUS_LABELS, "SOURCE_LABELS": SOURCE_LABELS,
            "ACTION_LABELS": ACTION_LABELS, "field_key": field_key, "LANGUAGES": LANGUAGES,
            "StatementStatus": StatementStatus, "EventStatus": EventStatus,
            "TRANSLATION_LABELS": TRANSLATION_LABELS, "shown": translated.shown,
            "versions": translated.versions, "held": services.held_for_moderation}


def participant_helpers() -> dict:
    """Names the participants' pages use."""
    return {"shown": translated.shown}


def heard_helpers() -> dict:
    """Names the "what we heard" templates use (the page, the feedback page, the report)."""
    return {"percent": lambda share: format_percent(share, "#,##0 %"),
            "ACTION_STATUS_LABELS": ACTION_STATUS_LABELS, "DIRECTION_LABELS": DIRECTION_LABELS,
            "EventStatus": EventStatus, "field_key": field_key, "language_name": language_name,
            "MIN_VOTES_SHOWN": heard.MIN_VOTES_SHOWN, "shown": translated.shown,
            "versions": translated.versions}


def figures_no_store(response):
    """The live screen, the room and the groups are never cached."""
    if request.endpoint in FIGURE_PAGES:
        response.headers["Cache-Control"] = "no-store"
    return response


def _whole_number(text: str, max_digits: int = 10) -> int | None:
    """A whole number an id or a count can be; None for anything else, however long."""
    if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()) or len(text) > max_digits:
        return None
    number = int(text)
    return number if -(2**31) < number < 2**31 else None


# == participants: /d/... ====================================================================

def _device_key() -> str:
    """Rate-limit key: the device's token hash, else (not joined yet) the address."""
    token = session.get(DEVICE_KEY)
    return f"device:{queries.device_hash(token, 0)}" if token else get_remote_address()


def _statement_limit() -> str:
    return current_app.config.get("DIALOG_STATEMENT_RATE_LIMIT", "10 per minute")


def _vote_limit() -> str:
    return current_app.config.get("DIALOG_VOTE_RATE_LIMIT", "120 per minute")


def _address_votes_limit() -> str:
    return current_app.config.get("DIALOG_STATEMENT_VOTES_PER_ADDRESS",
                                  "30 per 10 seconds; 600 per hour")


def _address_and_statement() -> str:
    """Rate-limit key of votes on one statement from one address: fresh cookie jars cannot
    stuff a statement's ballot, while a room on one Wi-Fi votes in its own time."""
    statement = (request.form.get("statement_id") or "")[:12]
    return f"votes:{get_remote_address()}:{statement}"


def _join_limit() -> str:
    return current_app.config.get("DIALOG_JOIN_RATE_LIMIT", "600 per minute")


def participant_no_store(response):
    """What a participant wrote and voted must not stay in a shared phone's cache."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# -- loading ---------------------------------------------------------------------------------
def refuse(status: int, message: str):
    """Stop with the app's error page carrying `message`."""
    abort(make_response(render_template("error.html", code=status, message=message), status))


def _event_by_code(code: str, *, open_only: bool = True) -> Event:
    """The event with this code; a draft does not exist, a closed event is gone (410)."""
    return _usable(queries.event_by_code(code), open_only=open_only)


def _usable(event: Event | None, *, open_only: bool = True) -> Event:
    """`_event_by_code` for an event already read."""
    if event is None or event.status is EventStatus.draft:
        refuse(404, _("No event has that code. Check the code and try again."))
    g.fallback_language = event.default_language
    g.easy_read = event.for_young_people
    if open_only and event.status is not EventStatus.open:
        g.content_language = requested_language(event.languages)
        refuse(410, _("This event is closed. Nothing more can be written or voted."))
    return event


def _device(event: Event) -> str | None:
    token = session.get(DEVICE_KEY)
    return queries.device_hash(token, event.id) if token else None


def _participant(code: str) -> tuple[Event, Participant]:
    """The event and this device's participant; without consent, back to the start."""
    event = _event_by_code(code)
    device = _device(event)
    participant = queries.participant_for(event.id, device) if device else None
    if participant is None:
        abort(redirect(url_for(".enter", code=event.join_code)))
    asked = request.args.get("lang")
    if asked in event.languages:
        services.choose_language(participant, asked)
    g.content_language = participant.language
    return event, participant


def _run(action):
    """Call an operation; a refusal becomes the error page with its status."""
    try:
        return action()
    except DialogError as error:
        refuse(error.status, str(error.message))


# -- joining ---------------------------------------------------------------------------------
def join_form():
    """The form for the join code; ?code= looks it up (404 with the form for a wrong one)."""
    typed = request.args.get("code")
    if typed is None:
        return render_template("dialog/join.html", code="", error=None)
    event = queries.event_by_code(typed)
    if event is None or event.status is EventStatus.draft:
        return render_template("dialog/join.html", code=typed, error=_(
            "No event has that code. Check the code and try again.")), 404
    if event.status is EventStatus.published:  # residents find what was heard with the code
        return redirect(url_for("dialog.heard_page", code=event.join_code))
    return redirect(url_for(".enter", code=event.join_code))


def enter(code: str):
    """Language choice, then the consent text; a device that joined goes on."""
    event = queries.event_by_code(code)
    if event is not None and event.status is EventStatus.published:
        return redirect(url_for("dialog.heard_page", code=event.join_code))
    event = _usable(event)
    if code != event.join_code:
        return redirect(url_for(".enter", code=event.join_code, lang=request.args.get("lang")))
    device = _device(event)
    if device and queries.participant_for(event.id, device):
        return redirect(url_for(".home", code=event.join_code))
    lang = request.args.get("lang")
    if lang not in event.languages and len(event.languages) > 1:
        g.content_language = requested_language(event.languages)
        return render_template("dialog/languages.html", event=event)
    g.content_language = lang if lang in event.languages else event.default_language
    return render_template("dialog/consent.html", event=event)


@limiter.limit(_join_limit, key_func=get_remote_address)
def join(code: str):
    """Consent given: the device gets its token and joins (400 without consent)."""
    event = _event_by_code(code)
    lang = request.form.get("lang")
    g.content_language = lang if lang in event.languages else event.default_language
    if request.form.get("consent") != "yes":
        return render_template("dialog/consent.html", event=event, error=_(
            "To take part you need to accept how your statements and votes are used.")), 400
    token = session.get(DEVICE_KEY)
    if not token:
        token = session[DEVICE_KEY] = secrets.token_urlsafe(32)
        session.permanent = True
    _run(lambda: services.join(event, queries.device_hash(token, event.id), g.content_language))
    return redirect(url_for(".home", code=event.join_code))


# -- the event -------------------------------------------------------------------------------
def _home(event: Event, participant: Participant, status: int = 200, error=None,
          values: dict | None = None):
    return render_template(
        "dialog/home.html", event=event, participant=participant, error=error,
        values=values or {}, mine=queries.own_statements(participant),
        unseen=len(queries.unseen_statements(participant))), status


def home(code: str):
    """The prompts, a statement form for each, and where to go next."""
    event, participant = _participant(code)
    return _home(event, participant)


@limiter.limit(_statement_limit, key_func=_device_key)
def write(code: str):
    """A statement for a prompt; refused text is shown again in the form."""
    event, participant = _participant(code)
    prompt_id = _number(request.form.get("prompt_id"))
    text = request.form.get("text", "")
    try:
        statement = services.write_statement(participant, prompt_id, text)
    except DialogError as error:
        if error.status in (400, 413):
            # Shown again with the text kept, so nothing typed is lost.
            return _home(event, participant, error.status,
                         {"prompt": prompt_id, "message": error.message},
                         {prompt_id: text})
        refuse(error.status, str(error.message))
    if statement.status.value == "pending" and easy_read():
        flash(_("Thank you! An adult who leads the meeting reads it first. Then others can see "
                "it."))
    elif statement.status.value == "pending":
        flash(_("Thank you! Your statement will show once a moderator has approved it."))
    else:
        flash(_("Thank you! Your statement can now be voted on."))
    return redirect(url_for(".home", code=event.join_code, _anchor=f"prompt-{prompt_id}"))


def _number(text: str | None) -> int | None:
    """A whole number as an id or a vote can be (None for anything else, however long)."""
    return _whole_number((text or "").strip())


# -- voting ----------------------------------------------------------------------------------
@limiter.limit(_vote_limit, key_func=_device_key, methods=["POST"])
@limiter.limit(_address_votes_limit, key_func=_address_and_statement, methods=["POST"])
def vote(code: str):
    """One statement at a time (unseen first); POST stores or replaces a vote."""
    event, participant = _participant(code)
    if request.method == "POST":
        statement_id = _number(request.form.get("statement_id"))
        value = _number(request.form.get("value"))
        _run(lambda: services.cast_vote(participant, statement_id, value))
        flash(_("Thank you! We saved what you think.") if easy_read()
              else _("Your vote was saved."))
        return redirect(url_for(".vote", code=event.join_code))
    page = queries.voting_page(participant, _number(request.args.get("statement")))
    if page is None:
        refuse(404, _("That statement does not exist."))
    return render_template("dialog/vote.html", event=event, statement=page.statement,
                           unseen=page.unseen, voted=page.voted, votes=page.votes)


@limiter.limit(_vote_limit, key_func=_device_key, methods=["POST"])
def dots(code: str):
    """Dot voting: the event's points over the visible statements, all or nothing."""
    event, participant = _participant(code)
    statements = queries.visible_statements(event.id)
    given = queries.dots_of(participant)
    values = {s.id: str(given.get(s.id, 0)) for s in statements}
    error, status = None, 200
    if request.method == "POST":
        typed = {s.id: (request.form.get(f"points-{s.id}") or "0").strip() or "0"
                 for s in statements}
        points = {sid: _number(text) for sid, text in typed.items()}
        if any(p is None for p in points.values()):
            error, status = (_("Write a whole number: 0, 1, 2 and so on.") if easy_read() else
                             _("Write each number of points as a whole number, 0 or more.")), 400
        else:
            try:
                services.set_dots(participant, points)
            except DialogError as refusal:
                if refusal.status != 400:
                    refuse(refusal.status, str(refusal.message))
                error, status = refusal.message, 400
            else:
                flash(_("Thank you! We saved your points.") if easy_read()
                      else _("Your points were saved."))
                return redirect(url_for(".dots", code=event.join_code))
        values = typed
    return render_template("dialog/dots.html", event=event, statements=statements,
                           values=values, error=error, used=sum(given.values())), status


def checkin(code: str):
    """The optional anonymous check-in in the weighting's categories, districts by name."""
    event, participant = _participant(code)
    categories = queries.checkin_categories(event)
    questions = checkin_questions(
        categories, queries.district_names(event.organisation_id, categories["district"]),
        participant.language)
    if request.method == "POST":
        answers = {name: request.form.get(name) or None for name in CHECKIN_FIELDS}
        answers["home_languages"] = request.form.getlist("home_languages")
        try:
            services.check_in(participant, answers)
        except DialogError as error:
            if error.status != 400:
                refuse(error.status, str(error.message))
            # shown again with every answer kept, the refused ones named
            return render_template("dialog/checkin.html", event=event, questions=questions,
                                   values=answers, problems=error.problems,
                                   error=error.message), 400
        flash(_("Thank you! Your answers help us see whose voices are missing."))
        return redirect(url_for(".home", code=event.join_code))
    values = {name: getattr(participant, name) for name in (*CHECKIN_FIELDS, "home_languages")}
    return render_template("dialog/checkin.html", event=event, questions=questions,
                           values=values, problems=[], error=None)

# == facilitators: /dialog/... ==============================================================

# -- loading and small helpers --------------------------------------------------------------
def _event(event_id: int) -> Event:
    return own(Event, event_id)


def _child(model, object_id: int):
    """A prompt, statement, participant or table of an event of the user's organisation."""
    return own(model, object_id, via=lambda obj: obj.event)


def _to_event(event: Event, anchor: str | None = None):
    return redirect(url_for(".event", event_id=event.id, _anchor=anchor))


def _int(name: str, default: int | None = None) -> int | None:
    """A whole number from the form; None when missing or not a number."""
    text = (request.form.get(name) or "").strip()
    if not text:
        return default
    return _whole_number(text, max_digits=9)  # not more than any id or count can be


def join_url(event: Event) -> str:
    """The address participants open (the QR code holds it)."""
    return url_for("participate.enter", code=event.join_code, _external=True)


def _event_page(event: Event, problems=(), status: int = 200, prompt_form=None):
    form = prompt_form or _prompt_form(event)
    return render_template("dialog/event.html", event=event, problems=list(problems),
                           prompt_form=form, join_url=join_url(event),
                           participants=queries.participant_count(event.id)), status


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
@roles_required(*TRANSLATORS)
def index():
    """The organisation's events, newest first."""
    return render_template("dialog/index.html",
                           events=queries.organisation_events(current_user.organisation_id))


@roles_required(*FACILITATORS)
def new_event():
    """Create a draft event with a fresh join code."""
    form = EventForm()
    problems = []
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user.organisation_id, current_user.id,
                                           **form.event_fields())
        except DialogError as error:
            problems = error.problems
        else:
            flash(_("The event was created as a draft. Add the prompts, then open it."))
            return _to_event(event)
    return render_template("dialog/event_form.html", form=form, event=None,
                           problems=problems), 400 if form.is_submitted() else 200


@roles_required(*FACILITATORS)
def event(event_id: int):
    """The event: state, join code, address and QR code, prompts."""
    return _event_page(_event(event_id))


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
            moderation=event.moderation.value, require_translations=event.require_translations,
            for_young_people=event.for_young_people,
            statement_max_length=event.statement_max_length,
            dot_points=event.dot_points)
        form = EventForm(data=data)
    else:
        form = EventForm()
    problems = []
    if form.validate_on_submit():
        try:
            services.update_event(event, **form.event_fields())
        except DialogError as error:
            problems = error.problems
        else:
            flash(_("The event was saved."))
            return _to_event(event)
    return render_template("dialog/event_form.html", form=form, event=event,
                           problems=problems), 400 if form.is_submitted() else 200


@roles_required(*FACILITATORS)
def change_status(event_id: int):
    """Open, close, reopen or publish (409 for a change that does not fit)."""
    event = _event(event_id)
    try:
        target = EventStatus(request.form.get("status", ""))
    except ValueError:
        return _event_page(event, [_("Choose what to do with the event.")], 400)
    try:
        services.change_status(event, target)
    except DialogError as error:
        return _event_page(event, error.problems, error.status)
    flash({EventStatus.open: _("The event is open. Participants join with the code %(code)s.",
                               code=event.join_code),
           EventStatus.closed: _("The event is closed. Participants can no longer write or "
                                 "vote."),
           EventStatus.published: _("The event is published.")}[target])
    return _to_event(event)


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
@roles_required(*FACILITATORS)
def add_prompt(event_id: int):
    """A new prompt at the end of the list."""
    event = _event(event_id)
    form = _prompt_form(event)
    if not form.validate_on_submit():
        return _event_page(event, status=400, prompt_form=form)
    services.add_prompt(event, form.texts(event.text_languages))
    flash(_("The prompt was added."))
    return _to_event(event, "prompts")


@roles_required(*FACILITATORS)
def edit_prompt(prompt_id: int):
    """A prompt's text in each of the event's languages."""
    prompt = _child(Prompt, prompt_id)
    form = _prompt_form(prompt.event, prompt)
    if form.validate_on_submit():
        services.update_prompt(prompt, form.texts(prompt.event.text_languages))
        flash(_("The prompt was saved."))
        return _to_event(prompt.event, "prompts")
    return render_template("dialog/prompt.html", event=prompt.event, prompt=prompt,
                           form=form), 400 if form.is_submitted() else 200


@roles_required(*FACILITATORS)
def move_prompt(prompt_id: int):
    """Move a prompt up or down."""
    prompt = _child(Prompt, prompt_id)
    try:
        services.move_prompt(prompt, request.form.get("direction", ""))
    except DialogError as error:
        return _event_page(prompt.event, error.problems, error.status)
    return _to_event(prompt.event, "prompts")


# -- moderation ------------------------------------------------------------------------------
def _moderation_page(event: Event, problems=(), status: int = 200):
    statements = queries.statements_by_status(event.id)
    return render_template(
        "dialog/moderation.html", event=event, problems=list(problems),
        statements=statements, bursts=find_bursts(queries.vote_records(event.id)),
        statement_by_id={s.id: s for listed in statements.values() for s in listed},
        devices=queries.participants(event.id), log=queries.moderation_log(event.id),
        numbers=queries.participant_numbers(event.id),
        untranslated={item.statement.id: item.missing for item in
                      queries.translation_queue(event.id, event.languages)[0]}), status


@roles_required(*FACILITATORS)
def moderation(event_id: int):
    """Statements by status, the devices that joined, and the moderation log."""
    return _moderation_page(_event(event_id))


@roles_required(*FACILITATORS)
def moderate(statement_id: int):
    """Approve, hide or restore a statement (logged)."""
    statement = _child(Statement, statement_id)
    try:
        action = ModerationKind(request.form.get("action", ""))
        services.moderate_statement(statement, current_user.id, action)
    except ValueError:
        return _moderation_page(statement.event, [_("Choose approve, hide or restore.")], 400)
    except DialogError as error:
        return _moderation_page(statement.event, error.problems, error.status)
    flash({ModerationKind.approve: _("The statement was approved."),
           ModerationKind.hide: _("The statement was hidden."),
           ModerationKind.restore: _("The statement was restored.")}[action])
    return redirect(url_for(".moderation", event_id=statement.event_id))


@roles_required(*FACILITATORS)
def mute(participant_id: int):
    """Mute or unmute a device (logged)."""
    participant = _child(Participant, participant_id)
    action = request.form.get("action")
    if action not in ("mute", "unmute"):
        return _moderation_page(participant.event, [_("Choose mute or unmute.")], 400)
    try:
        services.set_muted(participant, current_user.id, action == "mute")
    except DialogError as error:
        return _moderation_page(participant.event, error.problems, error.status)
    flash(_("The device was muted.") if action == "mute" else _("The device was unmuted."))
    return redirect(url_for(".moderation", event_id=participant.event_id))


@roles_required(*FACILITATORS)
def mute_devices(event_id: int):
    """Mute every device of a burst of votes (each logged); their votes are set aside."""
    event = _event(event_id)
    ids = [_whole_number(text) for text in request.form.getlist("device")]
    if None in ids:
        return _moderation_page(event, [_("Those devices are not in this event. Reload the page.")], 400)
    try:
        muted = services.mute_devices(event, current_user.id, ids)
    except DialogError as error:
        return _moderation_page(event, error.problems, error.status)
    flash(_("%(num)s devices were muted; their votes are set aside.", num=muted))
    return redirect(url_for(".moderation", event_id=event.id, _anchor="bursts"))


# -- translations ----------------------------------------------------------------------------
def _translation_page(event: Event, problems=(), status: int = 200, values=None):
    languages = queries.translator_languages(current_user, event)
    waiting, done = queries.translation_queue(event.id, languages)
    return render_template(
        "dialog/translations.html", event=event, problems=list(problems), values=values or {},
        waiting=waiting, done=done, languages=languages, limit=services.translation_limit(event),
        machine=services.translator() is not None,
        moderator=current_user.has_role(*FACILITATORS)), status


@roles_required(*TRANSLATORS)
def translations(event_id: int):
    """Statements still lacking a translation into the user's languages, a form for each."""
    return _translation_page(_event(event_id))


@roles_required(*TRANSLATORS)
def translate(statement_id: int):
    """Write, correct or approve one translation of a statement; refused text is kept."""
    statement = _child(Statement, statement_id)
    language = request.form.get("language", "")
    text = request.form.get("text", "")
    try:
        services.save_translation(statement, current_user, language, text)
    except DialogError as error:
        return _translation_page(statement.event, error.problems, error.status,
                                 {(statement.id, language): text})
    flash(_("The translation into %(language)s was saved.", language=language_name(language)))
    return redirect(url_for(".translations", event_id=statement.event_id,
                            _anchor=f"statement-{statement.id}"))


@roles_required(*FACILITATORS)
def statement_language(statement_id: int):
    """Correct the language a statement was written in."""
    statement = _child(Statement, statement_id)
    try:
        services.set_original_language(statement, request.form.get("language", ""))
    except DialogError as error:
        return _translation_page(statement.event, error.problems, error.status)
    flash(_("The statement's language was changed."))
    return redirect(url_for(".translations", event_id=statement.event_id,
                            _anchor=f"statement-{statement.id}"))


@roles_required(*TRANSLATORS)
def machine_drafts(event_id: int):
    """Ask the translation service for drafts of what is missing (a person approves them)."""
    event = _event(event_id)
    service = services.translator()
    if service is None:
        return _translation_page(event, [_("No translation service is set up.")], 409)
    languages = queries.translator_languages(current_user, event)
    waiting, _done = queries.translation_queue(event.id, languages)
    made, problem = services.machine_drafts(event, [item.statement for item in waiting],
                                            service, languages)
    if problem and not made:
        return _translation_page(event, [MACHINE_PROBLEMS[problem]],
                                 504 if problem == "timeout" else 502)
    # the drafts made are kept (the request commits), whatever stopped the round
    flash(_("Machine drafts ready to check: %(num)s.", num=made))
    if problem:
        flash(str(MACHINE_PROBLEMS[problem]))
    return redirect(url_for(".translations", event_id=event.id))


# -- tables ----------------------------------------------------------------------------------
def _tables_page(event: Event, problems=(), status: int = 200, values=None):
    return render_template("dialog/tables.html", event=event, problems=list(problems),
                           values=values or {}), status


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
            services.add_table_group(event, name)
        except DialogError as error:
            return _tables_page(event, error.problems, error.status, {"name": name})
        flash(_("The table was added."))
        return redirect(url_for(".tables", event_id=event.id))
    return _tables_page(event)


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
        services.add_table_note(group, prompt, text, current_user.id)
    except DialogError as error:
        return _tables_page(event, error.problems, error.status, {f"note-{group.id}": text})
    flash(_("The note was saved."))
    return redirect(url_for(".tables", event_id=event.id, _anchor=f"table-{group.id}"))


# -- paper -----------------------------------------------------------------------------------
def _paper_page(event: Event, problems=(), status: int = 200, values=None):
    grouped = queries.statements_by_status(event.id)
    decided = sorted(grouped[StatementStatus.visible] + grouped[StatementStatus.hidden],
                     key=lambda s: s.id)
    return render_template("dialog/paper.html", event=event, problems=list(problems),
                           values=values or {}, statements=decided,
                           counts=queries.statement_counts(event.id),
                           tallies=queries.paper_tallies(event.id)), status


@roles_required(*FACILITATORS)
def paper(event_id: int):
    """Counts per statement, device votes and paper counts side by side."""
    return _paper_page(_event(event_id))


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
        services.add_staff_statement(event, prompt, request.form.get("text", ""), language, source)
    except DialogError as error:
        return _paper_page(event, error.problems, error.status, values)
    flash(_("The statement was added."))
    return redirect(url_for(".paper", event_id=event.id))


@roles_required(*FACILITATORS)
def paper_tally(event_id: int):
    """Paper votes or dots for a statement, per table or for the whole room."""
    event = _event(event_id)
    values = dict(request.form)
    statement = queries.event_statement(event.id, _int("statement_id") or 0)
    if statement is None:
        return _paper_page(event, [_("Choose the statement the counts are for.")], 400, values)
    table_id = _int("table_group_id", 0)  # 0: the whole room; None: not a number
    group = next((t for t in event.table_groups if t.id == table_id), None)
    counts = {name: _int(name, 0) for name in ("agree", "disagree", "passed", "dots")}
    if table_id is None or (table_id and group is None) or any(
            v is None for v in counts.values()):
        return _paper_page(event, [_("Write each count as a whole number, 0 or more.")], 400,
                           values)
    try:
        services.record_paper_tally(statement, group, current_user.id, **counts)
    except DialogError as error:
        return _paper_page(event, error.problems, error.status, values)
    flash(_("The paper counts were saved."))
    return redirect(url_for(".paper", event_id=event.id))


# -- the live screen -------------------------------------------------------------------------
@roles_required(*FACILITATORS)
def live_screen(event_id: int):
    """The projector screen; static/live.js refreshes it from live.json every few seconds."""
    event = _event(event_id)
    return render_template("dialog/live.html", event=event, live=live.live_payload(event),
                           join_url=join_url(event), poll_seconds=POLL_SECONDS)


@roles_required(*FACILITATORS)
def live_json(event_id: int):
    """The live screen's figures (not cached: each poll reads the database)."""
    return jsonify(live.live_payload(_event(event_id)))


# -- who is in the room ---------------------------------------------------------------------
@roles_required(*FACILITATORS)
def room_panel(event_id: int):
    """The check-ins beside the newest population margins, and whose voices are missing."""
    event = _event(event_id)
    comparison = room.compare_room(event, queries.checkin_categories(event))
    names = comparison.district_names
    charts = {v.field: room.room_chart(v, names) for v in comparison.variables if v.answered}
    return render_template(
        "dialog/room.html", event=event, room=comparison, charts=charts,
        MIN_CELL=room.MIN_CELL, format_share=format_share,
        category_label=lambda field, category: room.category_label(field, category, names),
        district_lang=lambda category: room.district_lang(category, names),
        format_count=lambda value: format_decimal(value, "#,##0"),
        variable_label=lambda name: room.VARIABLE_LABELS[name](),
        analysis_url=url_for("runs.index"))


# -- opinion groups --------------------------------------------------------------------------
@roles_required(*FACILITATORS)
def groups(event_id: int):
    """Opinion groups the Pol.is way, with the same figures as tables."""
    event = _event(event_id)
    return render_template("dialog/groups.html", event=event, report=groups_report(event.id),
                           format_share=format_share, languages=heard.language_results(event))


# -- what was heard (public) ----------------------------------------------------------------
def heard_page(code: str):
    """What was heard, in the event's languages; 404 until the event is published."""
    event = queries.event_by_code(code)
    if event is None or event.status is EventStatus.draft:
        refuse(404, _("No event has that code. Check the code and try again."))
    g.fallback_language = event.default_language
    g.easy_read = event.for_young_people
    g.content_language = requested_language(event.languages)
    if event.status is not EventStatus.published:
        refuse(404, _("What was heard at this event has not been published yet. Come back "
                       "later."))
    if code != event.join_code:
        return redirect(url_for(".heard_page", code=event.join_code,
                                lang=request.args.get("lang")))
    return render_template("dialog/heard.html", event=event, heard=heard.summarise(event),
                           page_languages=event.languages), 200, {"Cache-Control": "no-cache"}


# -- the answer: what we do -----------------------------------------------------------------
def _feedback_page(event: Event, problems=(), status: int = 200, values=None):
    g.fallback_language = event.default_language
    return render_template(
        "dialog/feedback.html", event=event, problems=list(problems), values=values or {},
        response=queries.response_of(event), actions=queries.actions_of(event),
        indicators=queries.framework_indicators(event), statuses=list(ActionStatus),
        tables=("statements", "votes", "groups", "notes")), status


def _texts(event: Event, prefix: str) -> dict[str, str]:
    return {lang: request.form.get(f"{prefix}_{field_key(lang)}", "") for lang in event.languages}


@roles_required(*FACILITATORS)
def feedback(event_id: int):
    """The answer to what was heard, the actions, and the exports."""
    return _feedback_page(own(Event, event_id))


@roles_required(*FACILITATORS)
def save_response(event_id: int):
    """Save "what we do" in each of the event's languages and the indicators it links to."""
    event = own(Event, event_id)
    values = request.form.to_dict()
    try:
        services.save_response(event, current_user.id, _texts(event, "text"),
                               request.form.getlist("indicators"))
    except DialogError as error:
        return _feedback_page(event, error.problems, error.status, values)
    flash(_("The answer was saved."))
    return redirect(url_for(".feedback", event_id=event.id, _anchor="response"))


@roles_required(*FACILITATORS)
def add_action(event_id: int):
    """An action the municipality takes, in the event's languages."""
    event = own(Event, event_id)
    values = request.form.to_dict()
    try:
        status = ActionStatus(request.form.get("status", ""))
    except ValueError:
        return _feedback_page(event, [_("Choose how far the action has come.")], 400, values)
    try:
        services.add_action(event, _texts(event, "action"), status)
    except DialogError as error:
        return _feedback_page(event, error.problems, error.status, values)
    flash(_("The action was added."))
    return redirect(url_for(".feedback", event_id=event.id, _anchor="actions"))


@roles_required(*FACILITATORS)
def change_action(action_id: int):
    """Set an action's status, or remove it (`remove=1`)."""
    action = _child(EventAction, action_id)
    event = action.event
    if request.form.get("remove") == "1":
        services.remove_action(action)
        flash(_("The action was removed."))
    else:
        try:
            services.set_action_status(action, ActionStatus(request.form.get("status", "")))
        except ValueError:
            return _feedback_page(event, [_("Choose how far the action has come.")], 400)
        flash(_("The action was saved."))
    return redirect(url_for(".feedback", event_id=event.id, _anchor="actions"))


# -- exports -------------------------------------------------------------------------------
def _download(data: bytes, mimetype: str, event: Event, name: str) -> Response:
    filename = f"dialog-{event.join_code}-{name}"
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@roles_required(*FACILITATORS)
def csv_export(event_id: int, table: str):
    """One table as CSV."""
    event = own(Event, event_id)
    if table not in exports.BUILDERS:
        abort(404)
    services.note_export(event, [table])
    return _download(exports.csv_bytes(exports.BUILDERS[table](event)),
                     "text/csv; charset=utf-8", event, f"{table}.csv")


@roles_required(*FACILITATORS)
def xlsx_export(event_id: int):
    """The four tables in one workbook."""
    event = own(Event, event_id)
    tables = [exports.BUILDERS[name](event) for name in exports.TABLES]
    services.note_export(event, list(exports.TABLES))
    return _download(exports.xlsx_bytes(tables),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     event, "tables.xlsx")


@roles_required(*FACILITATORS)
def report(event_id: int):
    """The event report: what was heard, the table notes and what we do; no personal data."""
    event = own(Event, event_id)
    asked = request.args.get("lang")
    g.content_language = asked if asked in event.languages else requested_language(
        event.languages)
    g.fallback_language = event.default_language
    html = render_template("dialog/report.html", event=event,
                           heard=heard.summarise(event, with_notes=True), made_at=utcnow(),
                           **heard_helpers())
    return _download(exports.report_pdf(html), "application/pdf", event, "report.pdf")
