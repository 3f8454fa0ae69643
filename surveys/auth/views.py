"""Views of staff accounts: login and logout, and admins' user administration.

Views parse the form, call `services` (changes) or `queries` (reads), then redirect (the
request commits) or show the form again with status 400 (the request rolls back). The URL
map is `blueprint.py`.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from surveys.auth import queries, services
from surveys.auth.access import own, roles_required
from surveys.auth.forms import (
    ROLE_LABELS,
    ActiveForm,
    LanguagesForm,
    LoginForm,
    NewUserForm,
    PasswordForm,
    RoleForm,
)
from surveys.auth.models import User
from surveys.auth.services import UserError
from surveys.core.forms import field_problems, form_status
from surveys.core.roles import ADMINS, Role
from surveys.core.urls import local_path
from surveys.extensions import limiter


def helpers() -> dict:
    """Names the user administration pages use."""
    return {"ROLE_LABELS": ROLE_LABELS}


# -- login ---------------------------------------------------------------------------------

def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: a session ended by logout or a new password is no login."""
    return queries.user_by_session(user_id)


def unauthorized():
    """Flask-Login's answer to a page that needs a login."""
    flash(_("Log in to see this page."))
    return redirect(url_for("auth.login", next=request.full_path))


def home_page(user: User) -> str:
    """Where a user lands after logging in: interpreters at the dialogue events (the
    translation queues), everyone else at the surveys."""
    return url_for("dialog.index") if user.role is Role.interpreter else url_for("manage.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Email and password; then the page asked for (a local path only), else the surveys."""
    form = LoginForm()
    if form.validate_on_submit():
        user = queries.user_by_email(form.email.data)
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            services.logged_in(user)
            # Only local paths: an open redirect would help phishing.
            return redirect(local_path(request.args.get("next")) or home_page(user))
        if user is not None:
            services.login_refused(user)
        flash(_("Wrong email or password."))
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), form_status(form)


def logout():
    """Log out (a POST, so another site cannot log anyone out); every copy of the session
    cookie stops working too."""
    if current_user.is_authenticated:
        services.log_out(current_user)
    logout_user()
    return redirect(url_for("auth.login"))


@login_required
def password():
    """A new password for oneself; the other devices are logged out, this one stays in."""
    form = PasswordForm()
    problems = []
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data,
                                     form.repeated.data)
        except UserError as error:
            problems = field_problems(form, error)
        else:
            login_user(current_user._get_current_object())  # this session: the new version
            flash(_("Your password is changed. You are logged out on every other device."))
            return redirect(home_page(current_user))
    return render_template("auth/password.html", form=form, problems=problems), form_status(form)


# -- users (admins) ------------------------------------------------------------------------

def _users_page(problems=(), status: int = 200):
    return render_template(
        "auth/users.html", users=queries.organisation_users(current_user.organisation_id),
        problems=problems, role_form=RoleForm(formdata=None),
    ), status


@roles_required(*ADMINS)
def users():
    """The organisation's users."""
    return _users_page()


@roles_required(*ADMINS)
def new_user():
    """Add a user with an initial password."""
    form = NewUserForm()
    problems = []
    if form.validate_on_submit():
        try:
            user = services.create_user(
                current_user.organisation_id, name=form.name.data, email=form.email.data,
                role=Role(form.role.data), password=form.password.data)
        except UserError as error:
            problems = field_problems(form, error)
        else:
            flash(_("%(name)s can now log in as %(email)s.", name=user.name, email=user.email))
            return redirect(url_for(".users"))
    return render_template("auth/new_user.html", form=form, problems=problems), form_status(form)


@roles_required(*ADMINS)
def user_role(user_id: int):
    """Another role for a user (not one's own)."""
    user = own(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.change_role(current_user, user, Role(form.role.data))
    except UserError as error:
        return _users_page([error.message], 400)
    flash(_("%(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[user.role]))
    return redirect(url_for(".users"))


@roles_required(*ADMINS)
def user_languages(user_id: int):
    """The languages a user (an interpreter) translates dialogue statements into."""
    user = own(User, user_id)
    form = LanguagesForm(data={"languages": list(user.languages or [])}
                         if request.method == "GET" else None)
    if form.validate_on_submit():
        services.set_languages(user, form.languages.data or [])
        flash(_("The languages of %(name)s were saved.", name=user.name))
        return redirect(url_for(".users"))
    return render_template("auth/languages.html", form=form, user=user), form_status(form)


@roles_required(*ADMINS)
def user_active(user_id: int):
    """Deactivate or reactivate a user (not oneself)."""
    user = own(User, user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_active(current_user, user, form.active.data == "1")
    except UserError as error:
        return _users_page([error.message], 400)
    if user.active:
        flash(_("%(name)s can log in again.", name=user.name))
    else:
        flash(_("%(name)s can no longer log in.", name=user.name))
    return redirect(url_for(".users"))
