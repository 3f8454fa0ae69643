"""Every change to users: create, change role, (de)activate, password, sessions;
organisations for the CLI.

Functions flush, never commit. A refused change raises `UserError` before
anything is modified.
"""

from __future__ import annotations

from flask_babel import gettext as _

from surveys.audit import services as audit
from surveys.auth import queries
from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.extensions import db

MIN_PASSWORD_LENGTH = 10

class UserError(ValueError):
    """A change to a user that cannot be made; `field` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.problems = [message]
        self.field = field


def create_user(organisation_id: int, *, name: str, email: str, role: Role,
                password: str) -> User:
    """A new active user; emails are unique across the whole platform."""
    email = email.strip().lower()
    if queries.user_by_email(email) is not None:
        raise UserError(_("A user with the email %(email)s already exists.", email=email),
                        field="email")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_("Use a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
                        field="password")
    user = User(organisation_id=organisation_id, email=email, name=name.strip(), role=role,
                active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", subject=user.email, organisation_id=organisation_id,
                 role=role.value)
    return user


def change_role(actor: User, user: User, role: Role) -> None:
    """Give `user` another role; admins cannot change their own (the organisation keeps one)."""
    if user.id == actor.id and role is not user.role:
        raise UserError(_("You cannot change your own role. Ask another administrator."))
    if role is not user.role:
        user.role = role
        user.end_sessions()  # what a session may do is decided at login: log in again
        audit.record("role_changed", subject=user.email, organisation_id=user.organisation_id,
                     role=role.value)
    db.session.flush()


def set_languages(user: User, languages: list[str]) -> None:
    """The languages `user` translates into (the form offers only known ones)."""
    chosen = list(dict.fromkeys(languages))
    if chosen != list(user.languages or []):
        user.languages = chosen
        audit.record("languages_changed", subject=user.email,
                     organisation_id=user.organisation_id, languages=chosen)
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    """Let a user log in again, or stop them; admins cannot deactivate themselves."""
    if user.id == actor.id and not active:
        raise UserError(_("You cannot deactivate your own account."))
    if active is not user.active:
        audit.record("user_reactivated" if active else "user_deactivated", subject=user.email,
                     organisation_id=user.organisation_id)
    user.active = active
    if not active:
        user.end_sessions()
    db.session.flush()


def logged_in(user: User) -> None:
    """Note a successful login."""
    audit.record("login", organisation_id=user.organisation_id, user_id=user.id)


def login_refused(user: User) -> None:
    """Note a wrong password for an existing account (kept although the request fails)."""
    audit.record_now("login_failed", organisation_id=user.organisation_id, user_id=user.id)


def log_out(user: User) -> None:
    """Log `user` out everywhere: every login cookie issued so far stops working."""
    audit.record("logout", organisation_id=user.organisation_id, user_id=user.id)
    user.end_sessions()
    db.session.flush()


def change_password(user: User, current: str, new: str, repeated: str) -> None:
    """A new password for oneself; every other session of the user ends."""
    if not user.check_password(current):
        raise UserError(_("The current password is wrong."), field="current")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise UserError(_("Use a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH),
                        field="new")
    if new != repeated:
        raise UserError(_("The two new passwords differ. Write the same password twice."),
                        field="repeated")
    user.set_password(new)
    user.end_sessions()
    audit.record("password_changed", organisation_id=user.organisation_id, user_id=user.id)
    db.session.flush()


def create_organisation(name: str, *, email: str, password: str, admin_name: str) -> User:
    """An organisation (a municipality) and its first admin; the caller checks duplicates."""
    organisation = Organisation(name=name)
    admin = User(organisation=organisation, email=email.strip().lower(), name=admin_name,
                 role=Role.admin)
    admin.set_password(password)
    db.session.add_all([organisation, admin])
    db.session.flush()
    return admin
