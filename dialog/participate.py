"""Participants join a dialogue event with its code: /d/... No account, no JavaScript needed.

A device is known by a random token in its signed session cookie; the database keeps only
the token's SHA-256 (`dialog.service.device_hash`). Writing and voting are rate-limited per
device, not per IP address: a whole room shares one address on the venue's Wi-Fi.
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from dialog import operations as ops
from dialog import service
from dialog.models import Event, EventStatus, Participant
from surveys.extensions import limiter
from surveys.core.i18n import requested_language

bp = Blueprint("participate", __name__, url_prefix="/d", template_folder="templates")

# -- URL map ------------------------------------------------------------------------------
# GET       /d                      type the join code (?code= looks it up)
# GET       /d/<code>               choose a language (?lang=), then the consent text
# POST      /d/<code>/join          consent given: this device joins
# GET       /d/<code>/e             the event: prompts, write a statement, where to go next
# POST      /d/<code>/statements    write a statement for a prompt
# GET POST  /d/<code>/vote          agree / disagree / pass, one statement at a time
# GET POST  /d/<code>/dots          distribute the event's points over statements
# GET POST  /d/<code>/checkin       optional anonymous check-in

DEVICE_KEY = "dialog_device"
CHECKIN_FIELDS = ("age_group", "gender", "born", "district")


def _device_key() -> str:
    """Rate-limit key: the device's token hash, else (not joined yet) the address."""
    token = session.get(DEVICE_KEY)
    return f"device:{service.device_hash(token, 0)}" if token else get_remote_address()


def _statement_limit() -> str:
    return current_app.config.get("DIALOG_STATEMENT_RATE_LIMIT", "10 per minute")


def _vote_limit() -> str:
    return current_app.config.get("DIALOG_VOTE_RATE_LIMIT", "120 per minute")


@bp.after_request
def _no_store(response):
    # What a participant wrote and voted must not stay in a shared phone's cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# -- loading ---------------------------------------------------------------------------------
def refuse(status: int, message: str):
    """Stop with the app's error page carrying `message`."""
    abort(make_response(render_template("error.html", code=status, message=message), status))


def _event(code: str, *, open_only: bool = True) -> Event:
    """The event with this code; a draft does not exist, a closed event is gone (410)."""
    event = service.event_by_code(code)
    if event is None or event.status is EventStatus.draft:
        refuse(404, _("No event has that code. Check the code and try again."))
    g.fallback_language = event.default_language
    if open_only and event.status is not EventStatus.open:
        g.content_language = requested_language(event.languages)
        refuse(410, _("This event is closed. Nothing more can be written or voted."))
    return event


def _device(event: Event) -> str | None:
    token = session.get(DEVICE_KEY)
    return service.device_hash(token, event.id) if token else None


def _participant(code: str) -> tuple[Event, Participant]:
    """The event and this device's participant; without consent, back to the start."""
    event = _event(code)
    device = _device(event)
    participant = service.participant_for(event.id, device) if device else None
    if participant is None:
        abort(redirect(url_for(".enter", code=event.join_code)))
    asked = request.args.get("lang")
    if asked in event.languages and asked != participant.language:
        participant.language = asked
    g.content_language = participant.language
    return event, participant


def _run(action):
    """Call an operation; a refusal becomes the error page with its status."""
    try:
        return action()
    except ops.DialogError as error:
        refuse(error.status, str(error.message))


# -- joining ---------------------------------------------------------------------------------
@bp.get("")
def join_form():
    """The form for the join code; ?code= looks it up (404 with the form for a wrong one)."""
    typed = request.args.get("code")
    if typed is None:
        return render_template("dialog/join.html", code="", error=None)
    event = service.event_by_code(typed)
    if event is None or event.status is EventStatus.draft:
        return render_template("dialog/join.html", code=typed, error=_(
            "No event has that code. Check the code and try again.")), 404
    if event.status is EventStatus.published:  # residents find what was heard with the code
        return redirect(url_for("feedback.heard_page", code=event.join_code))
    return redirect(url_for(".enter", code=event.join_code))


@bp.get("/<code>")
def enter(code: str):
    """Language choice, then the consent text; a device that joined goes on."""
    published = service.event_by_code(code)
    if published is not None and published.status is EventStatus.published:
        return redirect(url_for("feedback.heard_page", code=published.join_code))
    event = _event(code)
    if code != event.join_code:
        return redirect(url_for(".enter", code=event.join_code, lang=request.args.get("lang")))
    device = _device(event)
    if device and service.participant_for(event.id, device):
        return redirect(url_for(".home", code=event.join_code))
    lang = request.args.get("lang")
    if lang not in event.languages and len(event.languages) > 1:
        g.content_language = requested_language(event.languages)
        return render_template("dialog/languages.html", event=event)
    g.content_language = lang if lang in event.languages else event.default_language
    return render_template("dialog/consent.html", event=event)


@bp.post("/<code>/join")
@limiter.limit(lambda: current_app.config.get("DIALOG_JOIN_RATE_LIMIT", "600 per minute"),
               key_func=get_remote_address)
def join(code: str):
    """Consent given: the device gets its token and joins (400 without consent)."""
    event = _event(code)
    lang = request.form.get("lang")
    g.content_language = lang if lang in event.languages else event.default_language
    if request.form.get("consent") != "yes":
        return render_template("dialog/consent.html", event=event, error=_(
            "To take part you need to accept how your statements and votes are used.")), 400
    token = session.get(DEVICE_KEY)
    if not token:
        token = session[DEVICE_KEY] = secrets.token_urlsafe(32)
        session.permanent = True
    _run(lambda: ops.join(event, service.device_hash(token, event.id), g.content_language))
    return redirect(url_for(".home", code=event.join_code))


# -- the event -------------------------------------------------------------------------------
def _home(event: Event, participant: Participant, status: int = 200, error=None,
          values: dict | None = None):
    return render_template(
        "dialog/home.html", event=event, participant=participant, error=error,
        values=values or {}, mine=service.own_statements(participant),
        unseen=len(service.unseen_statements(participant))), status


@bp.get("/<code>/e")
def home(code: str):
    """The prompts, a statement form for each, and where to go next."""
    event, participant = _participant(code)
    return _home(event, participant)


@bp.post("/<code>/statements")
@limiter.limit(_statement_limit, key_func=_device_key)
def write(code: str):
    """A statement for a prompt; refused text is shown again in the form."""
    event, participant = _participant(code)
    prompt_id = _number(request.form.get("prompt_id"))
    text = request.form.get("text", "")
    try:
        statement = ops.write_statement(participant, prompt_id, text)
    except ops.DialogError as error:
        if error.status in (400, 413):
            # Shown again with the text kept, so nothing typed is lost.
            return _home(event, participant, error.status,
                         {"prompt": prompt_id, "message": error.message},
                         {prompt_id: text})
        refuse(error.status, str(error.message))
    if statement.status.value == "pending":
        flash(_("Thank you! Your statement will show once a moderator has approved it."))
    else:
        flash(_("Thank you! Your statement can now be voted on."))
    return redirect(url_for(".home", code=event.join_code, _anchor=f"prompt-{prompt_id}"))


def _number(text: str | None) -> int | None:
    """A whole number as an id or a vote can be (None for anything else, however long)."""
    text = (text or "").strip()
    if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if -(2**31) < number < 2**31 else None


# -- voting ----------------------------------------------------------------------------------
@bp.route("/<code>/vote", methods=["GET", "POST"])
@limiter.limit(_vote_limit, key_func=_device_key, methods=["POST"])
def vote(code: str):
    """One statement at a time (unseen first); POST stores or replaces a vote."""
    event, participant = _participant(code)
    if request.method == "POST":
        statement_id = _number(request.form.get("statement_id"))
        value = _number(request.form.get("value"))
        _run(lambda: ops.cast_vote(participant, statement_id, value))
        flash(_("Your vote was saved."))
        return redirect(url_for(".vote", code=event.join_code))
    order = service.voting_order(participant)
    votes = service.votes_of(participant)
    chosen = _number(request.args.get("statement"))
    if chosen is not None:
        current = next((s for s in order if s.id == chosen), None)
        if current is None:
            refuse(404, _("That statement does not exist."))
    else:
        current = next((s for s in order if s.id not in votes), None)
    unseen = sum(1 for s in order if s.id not in votes)
    voted = [s for s in order if s.id in votes]
    return render_template("dialog/vote.html", event=event, statement=current, unseen=unseen,
                           voted=sorted(voted, key=lambda s: s.id), votes=votes)


@bp.route("/<code>/dots", methods=["GET", "POST"])
@limiter.limit(_vote_limit, key_func=_device_key, methods=["POST"])
def dots(code: str):
    """Dot voting: the event's points over the visible statements, all or nothing."""
    event, participant = _participant(code)
    statements = service.visible_statements(event.id)
    given = service.dots_of(participant)
    values = {s.id: str(given.get(s.id, 0)) for s in statements}
    error, status = None, 200
    if request.method == "POST":
        typed = {s.id: (request.form.get(f"points-{s.id}") or "0").strip() or "0"
                 for s in statements}
        points = {sid: _number(text) for sid, text in typed.items()}
        if any(p is None for p in points.values()):
            error, status = _("Write each number of points as a whole number, 0 or more."), 400
        else:
            try:
                ops.set_dots(participant, points)
            except ops.DialogError as refusal:
                if refusal.status != 400:
                    refuse(refusal.status, str(refusal.message))
                error, status = refusal.message, 400
            else:
                flash(_("Your points were saved."))
                return redirect(url_for(".dots", code=event.join_code))
        values = typed
    return render_template("dialog/dots.html", event=event, statements=statements,
                           values=values, error=error, used=sum(given.values())), status


def _checkin_questions(categories: dict[str, list[str]]) -> list[tuple]:
    """(field, legend, [(code, label)], labels are Swedish names) per check-in question."""
    skip = ("", _("I prefer not to say"))
    named = {"kvinna": _("Woman"), "man": _("Man"), "annat": _("Another gender"),
             "inrikes": _("Yes, I was born in Sweden"),
             "utrikes": _("No, I was born in another country")}
    questions = [
        ("age_group", _("Age"), [(c, c) for c in categories["age_group"]], False),
        ("gender", _("Gender"), [(c, named.get(c, c)) for c in categories["gender"]], False),
        ("born", _("Were you born in Sweden?"),
         [(c, named.get(c, c)) for c in categories["born"]], False),
    ]
    if categories["district"]:
        questions.append(("district", _("Which part of the municipality do you live in?"),
                          [(c, c) for c in categories["district"]], True))
    return [(name, legend, [skip, *items], swedish) for name, legend, items, swedish in questions]


@bp.route("/<code>/checkin", methods=["GET", "POST"])
def checkin(code: str):
    """The optional anonymous check-in in the weighting's categories."""
    event, participant = _participant(code)
    categories = service.checkin_categories(event.organisation_id)
    questions = _checkin_questions(categories)
    if request.method == "POST":
        answers = {name: request.form.get(name) or None for name in CHECKIN_FIELDS}
        try:
            ops.check_in(participant, answers)
        except ops.DialogError as error:
            if error.status != 400:
                refuse(error.status, str(error.message))
            return render_template("dialog/checkin.html", event=event, questions=questions,
                                   values=answers, error=error.message), 400
        flash(_("Thank you! Your answers help us see whose voices are missing."))
        return redirect(url_for(".home", code=event.join_code))
    values = {name: getattr(participant, name) for name in CHECKIN_FIELDS}
    return render_template("dialog/checkin.html", event=event, questions=questions,
                           values=values, error=None)
