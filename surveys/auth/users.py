"""User administration within an organisation: create, change role, (de)activate.

Functions flush, never commit. A refused change raises `UserError` before
anything is modified.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from surveys.auth.models import User
from surveys.core.roles import Role
from surveys.extensions import db

MIN_PASSWORD_LENGTH = 10

#: Role names in the interface language.
ROLE_LABELS = {
    Role.admin: _l("Administrator"),
    Role.author: _l("Author"),
    Role.facilitator: _l("Facilitator"),
    Role.analyst: _l("Analyst"),
}


class UserError(ValueError):
    """A change to a user that cannot be made; `field` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def organisation_users(organisation_id: int) -> list[User]:
    """The organisation's users, active first, by name."""
    return list(db.session.scalars(
        select(User).where(User.organisation_id == organisation_id)
        .order_by(User.active.desc(), User.name, User.email)
    ))


def create_user(organisation_id: int, *, name: str, email: str, role: Role,
                password: str) -> User:
    """A new active user; emails are unique across the whole platform."""
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
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
    return user


def change_role(actor: User, user: User, role: Role) -> None:
    """Give `user` another role; admins cannot change their own (the organisation keeps one)."""
    if user.id == actor.id and role is not user.role:
        raise UserError(_("You cannot change your own role. Ask another administrator."))
    user.role = role
    db.session.flush()


def set_active(actor: User, user: User, active: bool) -> None:
    """Let a user log in again, or stop them; admins cannot deactivate themselves."""
    if user.id == actor.id and not active:
        raise UserError(_("You cannot deactivate your own account."))
    user.active = active
    db.session.flush()
