"""Flask extensions, created once and attached to the app in `create_app`."""

from __future__ import annotations

import flask_limiter
from flask import current_app, request
from flask_babel import Babel
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

#: Stable constraint names, so Alembic revisions stay the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, which skips its per-request work for views that no limit applies to.

    Only some views have limits (logins, codes, dialogue joins and votes, the APIs) and
    there are no application-wide or default limits, yet Flask-Limiter resolves and
    evaluates an empty list of limits before every request: 0.05-0.09 ms of a survey page's
    2.2 ms of CPU. `tests/test_rate_limits.py` checks, for every route, that this skips only
    where Flask-Limiter itself finds no limit.
    """

    def may_limit(self, endpoint: str | None) -> bool:
        """Whether any limit can apply to a request for `endpoint` (in a request context)."""
        manager = self.limit_manager
        if (manager.application_limits or manager.default_limits or self._meta_limits
                or self._in_memory_fallback):
            return True  # limits on every request
        view = current_app.view_functions.get(endpoint or "")
        if view is None:
            return True  # a 404 or 405: let Flask-Limiter decide, as before
        return bool(manager._decorated_limits.get(get_qualified_name(view))
                    or manager.has_hints(endpoint)
                    or any(manager._blueprint_limits.get(name) for name in request.blueprints))

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if in_middleware and not self.may_limit(request.endpoint):
            return
        super()._check_request_limit(callable_name, in_middleware)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# The limiter keys on the client address only to count attempts; nothing is stored with answers.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
