"""API tokens: created by an organisation's admins, shown once, stored only as a SHA-256.

A token lets a program read all of its organisation's indicators through /api/v1/, also
the non-public ones and those of an unpublished framework. The pages live under
/followup/tokens; the functions below are what the API and the pages share.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from surveys.auth.access import own, roles_required
from surveys.core.roles import ADMINS
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup.models import ApiToken

bp = Blueprint("followup_tokens", __name__, url_prefix="/followup/tokens")

# -- URL map ------------------------------------------------------------------------------
# GET POST  /followup/tokens/               the organisation's tokens; POST creates one
# POST      /followup/tokens/<id>/revoke    the token stops working at once

#: What `secrets.token_urlsafe` produces; anything else cannot be one of our tokens.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,128}$")


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def create_token(organisation_id: int, name: str, created_by_id: int | None
                 ) -> tuple[ApiToken, str]:
    """A new token of the organisation and its secret, which is never stored (flushes)."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken(organisation_id=organisation_id, name=name.strip(),
                     token_hash=token_hash(secret), created_by_id=created_by_id)
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke(token: ApiToken) -> None:
    """Stop the token working (kept in the list, so its use can still be traced)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.session.flush()


def active_token(secret: str) -> ApiToken | None:
    """The unrevoked token with this secret, marked as used now; None if there is none."""
    if not TOKEN_RE.match(secret):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
    if token is None or token.revoked_at is not None:
        return None
    token.last_used_at = utcnow()
    return token


# -- pages ----------------------------------------------------------------------------------
class TokenForm(FlaskForm):
    """Name a new token after the program that will use it."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       description=_l("What the token is for, e.g. “Open data portal”."))


def _tokens() -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.organisation_id == current_user.organisation_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def _page(form: TokenForm, secret: str | None = None, created: ApiToken | None = None,
          status: int = 200):
    # The page may carry a secret: never keep it in a cache.
    page = render_template("followup/tokens.html", tokens=_tokens(), form=form,
                           secret=secret, created=created)
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/", methods=["GET", "POST"])
@roles_required(*ADMINS)
def index():
    """The organisation's tokens; POST creates one and shows its secret this once."""
    form = TokenForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, status=400)
    token, secret = create_token(current_user.organisation_id, form.name.data, current_user.id)
    # Shown in this response only: the next request has nothing left to show.
    return _page(TokenForm(formdata=None), secret=secret, created=token)


@bp.post("/<int:token_id>/revoke")
@roles_required(*ADMINS)
def revoke_token(token_id: int):
    """Revoke one of the organisation's tokens."""
    token = own(ApiToken, token_id)  # the app's CSRF protection has checked the form
    revoke(token)
    flash(_("The token “%(name)s” was revoked. Programs using it can no longer read the "
            "non-public indicators.", name=token.name))
    return redirect(url_for(".index"))
