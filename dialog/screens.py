"""Facilitator screens that read an event: the live screen, who is in the room, opinion groups.

Own blueprint next to `dialog.facilitate` (same /dialog prefix, same roles); the figures
come from `dialog.live`, `dialog.room` and `dialog.groups`, the views only render them.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from dialog import facilitate, live, room
from dialog.charts import paired_bars
from dialog.groups import groups_report
from dialog.models import Event
from dialog.service import checkin_categories
from surveys.auth.access import own, roles_required
from surveys.core.i18n import LANGUAGES
from surveys.core.roles import FACILITATORS
from surveys.survey.results import format_share

bp = Blueprint("dialog_screens", __name__, url_prefix="/dialog", template_folder="templates",
               static_folder="static", static_url_path="/static")

# -- URL map ------------------------------------------------------------------------------
# GET  /dialog/events/<id>/live         the projector screen (complete without JavaScript)
# GET  /dialog/events/<id>/live.json    the same figures, polled by static/live.js (no-store)
# GET  /dialog/events/<id>/room         who is in the room beside the population's margins
# GET  /dialog/events/<id>/groups       opinion groups, consensus and divisive statements

#: Seconds between two polls of live.json.
POLL_SECONDS = 3

bp.context_processor(facilitate.helpers)


@bp.after_request
def _no_store(response):
    # Figures change by the second and belong to one organisation: never cache them.
    response.headers["Cache-Control"] = "no-store"
    return response


def _event(event_id: int) -> Event:
    return own(Event, event_id)


# -- the live screen ----------------------------------------------------------------------
def _votes_text(f: live.StatementFigures) -> str:
    """"12 agree · 3 disagree · 1 pass", with how many came from paper."""
    text = _("%(agree)s agree · %(disagree)s disagree · %(passed)s pass",
             agree=f.agree, disagree=f.disagree, passed=f.passed)
    if f.paper_votes:
        text += " " + ngettext("(%(num)s of them on paper)", "(%(num)s of them on paper)",
                               f.paper_votes)
    return text


def _dots_text(f: live.StatementFigures) -> str:
    text = ngettext("%(num)s point", "%(num)s points", f.dots)
    if f.paper_dots:
        text += " " + ngettext("(%(num)s of them on paper)", "(%(num)s of them on paper)",
                               f.paper_dots)
    return text


def _item(f: live.StatementFigures, kind: str) -> dict:
    """One statement of a list, its figures already worded in the page's language.

    `kind`: "agreed" and "all" lead with the agree share, "divisive" with agree and
    disagree shares, "dots" with the points.
    """
    written = LANGUAGES.get(f.language, LANGUAGES["sv"])
    if kind == "dots":
        headline, detail = _dots_text(f), ""
    elif kind == "divisive":
        headline = _("%(agree)s agree, %(disagree)s disagree",
                     agree=format_share(live.agree_share(f)), disagree=format_share(live.disagree_share(f)))
        detail = _votes_text(f)
    else:
        headline, detail = _("%(share)s agree", share=format_share(live.agree_share(f))), _votes_text(f)
    return {"id": f.id, "text": f.text, "lang": written.tag, "dir": written.direction,
            "headline": headline, "detail": detail, "agree": f.agree, "disagree": f.disagree,
            "pass": f.passed, "dots": f.dots, "paper_agree": f.paper_agree,
            "paper_disagree": f.paper_disagree, "paper_pass": f.paper_pass,
            "paper_dots": f.paper_dots, "from_paper": bool(f.paper_votes or f.paper_dots)}


def live_payload(event: Event) -> dict:
    """Everything the live screen shows, as JSON-ready data."""
    board = live.live_board(event.id)
    return {
        "event": event.id, "join_code": event.join_code, "status": event.status.value,
        "joined": board.joined,
        "joined_text": ngettext("%(num)s has joined", "%(num)s have joined", board.joined),
        "votes": board.votes, "web_votes": board.web_votes, "paper_votes": board.paper_votes,
        "votes_text": ngettext("%(num)s vote", "%(num)s votes", board.votes) + (
            " " + ngettext("(%(num)s of them on paper)", "(%(num)s of them on paper)",
                           board.paper_votes) if board.paper_votes else ""),
        "most_agreed": [_item(f, "agreed") for f in board.most_agreed],
        "most_divisive": [_item(f, "divisive") for f in board.most_divisive],
        "priorities": [_item(f, "dots") for f in board.priorities],
        "statements": [_item(f, "all") for f in board.statements],
    }


@bp.get("/events/<int:event_id>/live")
@roles_required(*FACILITATORS)
def live_screen(event_id: int):
    """The projector screen; static/live.js refreshes it from live.json every few seconds."""
    event = _event(event_id)
    return render_template("dialog/live.html", event=event, live=live_payload(event),
                           join_url=facilitate.join_url(event), poll_seconds=POLL_SECONDS)


@bp.get("/events/<int:event_id>/live.json")
@roles_required(*FACILITATORS)
def live_json(event_id: int):
    """The live screen's figures (not cached: each poll reads the database)."""
    return jsonify(live_payload(_event(event_id)))


# -- who is in the room -------------------------------------------------------------------
def category_label(field: str, category: str) -> str:
    """A check-in category in words ("kvinna" -> "Women"); districts and ages as they are."""
    named = {"kvinna": _("Women"), "man": _("Men"), "annat": _("Another gender"),
             "inrikes": _("Born in Sweden"),
             "utrikes": _("Born outside Sweden")}
    if field == "age_group":
        return _("%(group)s years", group=category)
    return named.get(category, category)


VARIABLE_LABELS = {"age_group": lambda: _("Age"), "gender": lambda: _("Gender"),
                   "born": lambda: _("Born in or outside Sweden"),
                   "district": lambda: _("District")}


def _room_chart(variable: room.VariableComparison):
    rows = [(category_label(variable.field, r.category),
             None if r.suppressed else r.room_share, r.population_share,
             "–" if r.complement else
             _("fewer than %(num)s", num=room.MIN_CELL) if r.suppressed else "")
            for r in variable.rows]
    return paired_bars(rows, format_share)


@bp.get("/events/<int:event_id>/room")
@roles_required(*FACILITATORS)
def room_panel(event_id: int):
    """The check-ins beside the newest population margins, and whose voices are missing."""
    event = _event(event_id)
    comparison = room.compare_room(current_user.organisation_id, event.id,
                                   checkin_categories(current_user.organisation_id))
    charts = {v.field: _room_chart(v) for v in comparison.variables if v.answered}
    return render_template(
        "dialog/room.html", event=event, room=comparison, charts=charts,
        MIN_CELL=room.MIN_CELL, category_label=category_label, format_share=format_share,
        format_count=lambda value: format_decimal(value, "#,##0"),
        variable_label=lambda name: VARIABLE_LABELS[name](),
        analysis_url=url_for("runs.index"))


# -- opinion groups -----------------------------------------------------------------------
@bp.get("/events/<int:event_id>/groups")
@roles_required(*FACILITATORS)
def groups(event_id: int):
    """Opinion groups the Pol.is way, with the same figures as tables."""
    event = _event(event_id)
    return render_template("dialog/groups.html", event=event, report=groups_report(event.id),
                           format_share=format_share)
