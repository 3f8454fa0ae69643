"""Role checks and organisation scoping for staff routes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from surveys.core.roles import Role
from surveys.extensions import db


def roles_required(*roles: Role):
    """Let in logged-in users with one of `roles` (admins always); others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


#: The largest id an integer column holds (PostgreSQL's 32-bit integer).
MAX_ID = 2**31 - 1


def own(model, object_id: int, via: Callable[[Any], Any] | None = None):
    """Load an object of the current user's organisation, or 404.

    `via` leads from an object without an organisation of its own to the one that has
    it (a page to its survey, a prompt to its event). Another organisation's object
    answers exactly like a missing one, so ids reveal nothing across organisations.
    """
    # An id from a form or query string may be beyond any id the database can hold.
    obj = db.session.get(model, object_id) if 0 < object_id <= MAX_ID else None
    owner = via(obj) if obj is not None and via is not None else obj
    if owner is None or owner.organisation_id != current_user.organisation_id:
        abort(404)
    return obj
