"""Staff login and logout."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select

from surveys.auth.forms import LoginForm
from surveys.auth.models import User
from surveys.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def unauthorized():
    flash(_("Log in to see this page."))
    return redirect(url_for("auth.login", next=request.full_path))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            target = request.args.get("next", "")
            # Only local paths: an open redirect would help phishing.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("manage.index")
            return redirect(target)
        flash(_("Wrong email or password."))
        return render_template("auth/login.html", form=form), 401
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
