"""The read API for indicator values: /api/v1/...

Public indicators of a published framework are open to anyone. A bearer token of the
framework's organisation (see `surveys.followup.tokens`) opens all of its indicators, also
of an unpublished framework; a token of another organisation opens nothing more. The
figures are the stored, disclosure-controlled aggregates (`service.series_for`), refreshed
first. Errors are JSON too, their message in the language of ?lang= or Accept-Language.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from surveys.extensions import csrf, db, limiter
from surveys.followup import api_figures, service
from surveys.followup.models import Framework, IndicatorDefinition
from surveys.followup.openapi import PUBLIC_MAX_AGE, openapi_document
from surveys.followup.tokens import active_token
from surveys.core.i18n import DEFAULT_LOCALE, LANGUAGES, UI_LOCALES

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # read-only GETs, authenticated by a header, never by a cookie

# -- URL map ------------------------------------------------------------------------------
# GET  /api/v1/openapi.json                            this API described (OpenAPI 3.1)
# GET  /api/v1/frameworks/<slug>                       focus areas, goals, rules, waves
# GET  /api/v1/frameworks/<slug>/indicators            every visible indicator, overall
# GET  /api/v1/frameworks/<slug>/indicators.csv        the same with groups and gaps, long CSV
# GET  /api/v1/frameworks/<slug>/indicators/<key>      one indicator with groups and gaps

#: `access` in the responses: what the caller may see.
PUBLIC, ORGANISATION = "public", "organisation"


class ApiError(Exception):
    """An error answer: HTTP status, a code for programs and a message for people."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def _token_secret() -> str | None:
    """The bearer token sent, None without an Authorization header; 401 if malformed."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _invalid_token()
    return secret.strip()


def _invalid_token() -> ApiError:
    return ApiError(401, "invalid_token", _(
        "The access token is not valid: it may be mistyped or revoked. "
        "Ask an administrator of the organisation for a new token."))


def _limit_key() -> str:
    """Count requests per token (its hash, never the token) or per address without one."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()
    return "api-ip:" + get_remote_address()


def _api_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "120 per minute")


limiter.limit(_api_limit, key_func=_limit_key)(bp)


@bp.before_request
def choose_language():
    """Error messages in ?lang= or Accept-Language, without a session cookie."""
    asked = request.args.get("lang", "")
    g.content_language = asked if asked in LANGUAGES else (
        request.accept_languages.best_match(UI_LOCALES) or DEFAULT_LOCALE)


@bp.after_request
def cache_headers(response: Response) -> Response:
    """Anonymous answers may be cached briefly; token answers and errors never."""
    if response.status_code >= 400 or "Authorization" in request.headers:
        response.headers["Cache-Control"] = "no-store"
    else:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.vary.add("Authorization")
    response.vary.add("Accept-Language")
    return response


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    """An error as JSON: {"error": {"code", "message"}}."""
    response = jsonify({"error": {"code": error.code, "message": error.message}})
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="delaktig", error="invalid_token"'
    elif error.status == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Werkzeug's errors (rate limit, ...) as JSON too."""
    db.session.rollback()
    if "content_language" not in g:  # e.g. the rate limit, checked before our hooks ran
        choose_language()
    messages = {
        404: ("not_found", lambda: _("The page could not be found. Check the address.")),
        405: ("method_not_allowed", lambda: _("This page cannot be used that way.")),
        429: ("rate_limited", lambda: _("Too many attempts. Wait a minute and try again.")),
    }
    code, message = messages.get(error.code, ("bad_request", lambda: _(
        "The request could not be understood. Go back and try again.")))
    return api_error(ApiError(error.code or 400, code, message()))


# -- access ---------------------------------------------------------------------------------
def _not_found() -> ApiError:
    return ApiError(404, "framework_not_found", _(
        "There is no published indicator framework at this address. "
        "An unpublished framework needs its organisation's access token."))


def _framework(slug: str) -> tuple[Framework, str]:
    """The framework at `slug` and the caller's access to it, or an error.

    A bad token is refused before anything is looked up, so a 401 says nothing about
    which frameworks exist.
    """
    secret = _token_secret()
    token = None
    if secret is not None:
        token = active_token(secret)
        if token is None:
            raise _invalid_token()
    framework = db.session.scalar(select(Framework).where(Framework.slug == slug))
    if framework is None:
        raise _not_found()
    if token is not None and token.organisation_id == framework.organisation_id:
        return framework, ORGANISATION
    if not framework.published:
        raise _not_found()
    return framework, PUBLIC


def _visible(framework: Framework, access: str) -> list[IndicatorDefinition]:
    """The indicators the caller may see: all for the organisation, else the public ones."""
    return [d for d in framework.indicators if access == ORGANISATION or d.public]


def _series(framework: Framework, definitions: list[IndicatorDefinition]):
    """Stored figures of `definitions`, brought up to date first."""
    service.refresh(framework)
    return service.series_for(framework, definitions) if definitions else []


# -- endpoints ------------------------------------------------------------------------------
@bp.get("/openapi.json")
def openapi():
    """This API described in OpenAPI 3.1."""
    return jsonify(openapi_document())


@bp.get("/frameworks/<slug>")
def framework_detail(slug: str):
    """Focus areas, goals with the visible indicators' keys, disclosure rules, waves."""
    framework, access = _framework(slug)
    return jsonify(api_figures.framework_json(framework, _visible(framework, access), access))


@bp.get("/frameworks/<slug>/indicators")
def indicator_list(slug: str):
    """Every visible indicator with each wave's overall figures and its follow-up."""
    wanted = request.args.get("format", "json")
    if wanted not in ("json", "csv"):
        raise ApiError(400, "unknown_format", _("Ask for format=json or format=csv."))
    if wanted == "csv":
        return indicator_csv(slug)
    framework, access = _framework(slug)
    all_series = _series(framework, _visible(framework, access))
    return jsonify({**api_figures.framework_head(framework, access),
                    "indicators": [api_figures.indicator_json(s) for s in all_series]})


@bp.get("/frameworks/<slug>/indicators.csv")
def indicator_csv(slug: str):
    """The long CSV: indicator x wave x (whole population | group | gap)."""
    dialect = request.args.get("dialect", "comma")
    if dialect not in ("comma", "semicolon"):
        raise ApiError(400, "unknown_dialect", _("Ask for dialect=comma or dialect=semicolon."))
    framework, access = _framework(slug)
    all_series = _series(framework, _visible(framework, access))
    rows = api_figures.csv_rows(all_series, g.content_language)
    body = api_figures.to_csv(rows, semicolon=dialect == "semicolon")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{framework.slug}-indicators.csv"'})


@bp.get("/frameworks/<slug>/indicators/<key>")
def indicator_detail(slug: str, key: str):
    """One indicator, every wave with its groups and gaps, and the full follow-up."""
    framework, access = _framework(slug)
    definition = next((d for d in _visible(framework, access) if d.key == key), None)
    if definition is None:
        raise ApiError(404, "indicator_not_found", _(
            "The framework has no indicator with this key that you may see."))
    (series,) = _series(framework, [definition])
    return jsonify({**api_figures.framework_head(framework, access),
                    "indicator": api_figures.indicator_json(series, detail=True)})


@bp.route("/", defaults={"anything": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(anything: str):
    """Unknown addresses and methods under the API answer in JSON like the rest of it."""
    if request.method != "GET":  # the API only reads
        raise ApiError(405, "method_not_allowed", _("This page cannot be used that way."))
    raise ApiError(404, "not_found", _("The page could not be found. Check the address."))
