"""The URL map of staff accounts: login, logout and (admins) the organisation's users."""

from __future__ import annotations

from flask import Blueprint

from surveys.auth import views
from surveys.core.urls import BOTH, GET, POST, add_rules
from surveys.extensions import login_manager

bp = Blueprint("auth", __name__, template_folder="templates")
bp.context_processor(views.helpers)

login_manager.login_view = "auth.login"
login_manager.user_loader(views.load_user)
login_manager.unauthorized_handler(views.unauthorized)

add_rules(
    bp,
    # email and password (rate-limited per address); ?next= a local page
    ("/login", "login", views.login, BOTH),
    ("/logout", "logout", views.logout, POST),
    # a new password for oneself (ends the other sessions)
    ("/account/password", "password", views.password, BOTH),
    # -- users (admins)
    # the organisation's users; add one
    ("/manage/users", "users", views.users, GET),
    ("/manage/users/new", "new_user", views.new_user, BOTH),
    # change a role; deactivate / reactivate
    ("/manage/users/<int:user_id>/role", "user_role", views.user_role, POST),
    ("/manage/users/<int:user_id>/active", "user_active", views.user_active, POST),
    # the languages an interpreter translates into
    ("/manage/users/<int:user_id>/languages", "user_languages", views.user_languages, BOTH),
)
