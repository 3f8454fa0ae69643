"""The application factory."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher
from flask import Flask, abort, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import configure_mappers
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from surveys import ops
from surveys.config import load_config
from surveys.core import i18n
from surveys.core.database import check_rested_connections
from surveys.core.requests import DelaktigRequest
from surveys.core.sessions import SessionInterface
from surveys.extensions import babel, csrf, db, limiter, login_manager, migrate
from surveys.resources import migrations_dir
from surveys.survey.questions import AGREEMENT_LABELS, DONT_KNOW_LABELS


class DatabaseId(IntegerConverter):
    """`<int:...>` limited to a 32-bit integer, so PostgreSQL never sees an id it can't hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Delaktig application; `test_config` overrides the environment."""
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = DelaktigRequest
    app.session_interface = SessionInterface()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    testing = bool(test_config and test_config.get("TESTING"))
    app.config.from_mapping(load_config(app.instance_path, testing=testing))
    if test_config:
        app.config.from_mapping(test_config)

    # ids in addresses fit the database's integer columns; larger ones are simply not found
    app.url_map.converters["int"] = DatabaseId
    db.init_app(app)
    with app.app_context():
        check_rested_connections(db.engine)  # instead of a ping before every request
    migrate.init_app(app, db, directory=str(migrations_dir()), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    if app.config.get("ARGON2_PARAMETERS"):
        app.extensions["argon2"] = PasswordHasher(**app.config["ARGON2_PARAMETERS"])
    i18n.init_app(app)
    app.jinja_env.globals.update(AGREEMENT_LABELS=AGREEMENT_LABELS, DONT_KNOW_LABELS=DONT_KNOW_LABELS)

    from dialog import blueprint as dialog
    from surveys.accessibility import blueprint as accessibility
    from surveys.actions import blueprint as actions
    from surveys.audit import blueprint as audit
    from surveys.auth import blueprint as auth
    from surveys.fieldwork import blueprint as fieldwork
    from surveys.followup import blueprint as followup
    from surveys.jobs import blueprint as jobs
    from surveys.runs import blueprint as runs
    from surveys.survey import blueprint as survey
    from surveys.themes import blueprint as themes

    app.register_blueprint(auth.bp)
    app.register_blueprint(survey.public)
    app.register_blueprint(survey.manage)
    app.register_blueprint(fieldwork.public)
    app.register_blueprint(fieldwork.api)
    app.register_blueprint(fieldwork.bp)
    app.register_blueprint(runs.bp)
    app.register_blueprint(accessibility.bp)
    app.register_blueprint(followup.followup)
    app.register_blueprint(followup.indicators)
    app.register_blueprint(followup.api)
    app.register_blueprint(actions.bp)
    app.register_blueprint(dialog.dialog)
    app.register_blueprint(dialog.participate)
    app.register_blueprint(themes.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(audit.bp)

    from surveys import cli

    cli.init_app(app)
    _register_transaction(app)
    _register_error_pages(app)
    _register_security_headers(app)
    ops.init_app(app)  # production refusals, proxies, request logs, /healthz and /readyz
    # Every model is imported now: each worker relates them once as it starts, rather than
    # in its first requests (a fifth of the CPU when 300 phones join a dialogue at once).
    configure_mappers()
    return app


def _register_transaction(app: Flask) -> None:
    """One place commits: after a successful request; anything else rolls back."""

    @app.after_request
    def commit(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def _register_error_pages(app: Flask) -> None:
    """Errors are explained in the visitor's language, with the right status."""
    messages = {
        400: lambda: _("The request could not be understood. Go back and try again."),
        403: lambda: _("You do not have permission to see this page."),
        404: lambda: _("The page could not be found. Check the address."),
        405: lambda: _("This page cannot be used that way."),
        410: lambda: _("This page is no longer available."),
        413: lambda: _("What you sent is too large."),
        429: lambda: _("Too many attempts. Wait a minute and try again."),
    }

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        message = _(
            "The form had expired or was not sent from this site. "
            "Nothing was lost: go back, reload the page and send it again."
        )
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        db.session.rollback()
        if error.code == 500:
            return server_error(error)
        if error.code not in messages:
            return error
        message = messages[error.code]()
        response = make_response(render_template("error.html", code=error.code,
                                                 message=message), error.code)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(DataError)
    def data_error(error):
        """A value the database cannot hold (a number beyond its integers, a NUL in a path
        segment): the request is malformed, not the server broken."""
        db.session.rollback()
        app.logger.warning("refused a value the database cannot hold: %s", error.orig)
        return render_template("error.html", code=400, message=messages[400]()), 400

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        db.session.rollback()
        app.logger.error("database unavailable: %s", error.orig)
        g._login_user = AnonymousUserMixin()  # the error page must not ask the database
        return _unavailable_page(503, retry_after=30)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return _unavailable_page(500)

    def _unavailable_page(code: int, retry_after: int | None = None):
        if request.endpoint and request.endpoint.startswith("public."):
            message = _("We could not save this page. The pages you sent before are kept. "
                        "Wait a moment and send this page again.")
        elif code == 503:
            message = _("The service is not available just now. Nothing you saved before "
                        "is lost. Try again in a minute.")
        else:
            message = _("Something went wrong on our side. Nothing you saved before is "
                        "lost. Try again; if it happens again, tell us what you did.")
        response = make_response(render_template("error.html", code=code, message=message),
                                 code)
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.before_request
    def refuse_nul_in_paths():
        # No address of ours holds a NUL; PostgreSQL would refuse it in a query.
        if "\x00" in request.path:
            abort(404)


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and request.endpoint.startswith("public."):
            # Residents' pages carry their answers: never cache them on shared phones.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.before_request
    def reset_language():
        g.pop("content_language", None)
        g.pop("interface_locale", None)
