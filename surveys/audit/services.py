"""Recording audit events.

`record` adds the event to the request's transaction, so it is kept exactly when what it
describes is (an approval that fails leaves no line). `record_now` writes at once on a
connection of its own, for events about something refused (a failed login) whose request
rolls back.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import insert

from surveys.audit.models import AuditEvent
from surveys.core.time import utcnow
from surveys.extensions import db

#: Every action the log knows, with its name for people.
ACTIONS = {
    "login": _l("Logged in"),
    "login_failed": _l("Login refused (wrong password)"),
    "logout": _l("Logged out"),
    "password_changed": _l("Changed their password"),
    "user_created": _l("Added a user"),
    "role_changed": _l("Changed a role"),
    "languages_changed": _l("Changed the languages a user translates into"),
    "user_deactivated": _l("Deactivated a user"),
    "user_reactivated": _l("Reactivated a user"),
    "survey_opened": _l("Opened a survey"),
    "survey_closed": _l("Closed a survey"),
    "run_approved": _l("Approved a weighting run"),
    "run_withdrawn": _l("Withdrew a weighting run"),
    "microdata_downloaded": _l("Downloaded microdata"),
    "votes_exported": _l("Downloaded dialogue votes"),
    "token_created": _l("Created an API token"),
    "token_revoked": _l("Revoked an API token"),
    "purge": _l("Purged personal data"),
    "sample_drawn": _l("Drew a sample"),
    "fieldwork_purged": _l("Purged a sample's names and addresses"),
    "sample_addresses_downloaded": _l("Downloaded a sample's names and addresses"),
    "framework_archived": _l("Archived a framework"),
    "framework_restored": _l("Restored an archived framework"),
    "framework_deleted": _l("Deleted a framework"),
    "area_summary_saved": _l("Saved the summary of a focus area for the report"),
    "unit_deleted": _l("Deleted a unit"),
    "unit_reporters_changed": _l("Changed who reports for a unit"),
    "letters_started": _l("Made letters to a sample"),
    "paper_entry_started": _l("Began typing in a paper questionnaire under its code"),
}


def _values(action: str, organisation_id: int | None, user_id: int | None, subject: str,
            detail: dict) -> dict:
    """The event's columns; who did it defaults to the logged-in member of staff."""
    if action not in ACTIONS:
        raise KeyError(f"unknown audit action {action!r}")
    actor = current_user if has_request_context() and current_user.is_authenticated else None
    if user_id is None and actor is not None:
        user_id = actor.id
    if organisation_id is None:
        organisation_id = actor.organisation_id
    return {"organisation_id": organisation_id, "user_id": user_id, "action": action,
            "subject": subject[:200], "detail": detail, "created_at": utcnow()}


def record(action: str, *, subject: str = "", organisation_id: int | None = None,
           user_id: int | None = None, **detail) -> None:
    """Log `action` as part of the current transaction."""
    db.session.add(AuditEvent(**_values(action, organisation_id, user_id, subject, detail)))


def record_now(action: str, *, subject: str = "", organisation_id: int | None = None,
               user_id: int | None = None, **detail) -> None:
    """Log `action` at once, whatever becomes of the current transaction."""
    with db.engine.begin() as connection:
        connection.execute(insert(AuditEvent).values(
            **_values(action, organisation_id, user_id, subject, detail)))
