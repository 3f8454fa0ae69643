"""Reads of users: the login lookup and the organisation's list."""

from __future__ import annotations

from sqlalchemy import select

from surveys.auth.models import Organisation, User
from surveys.extensions import db


def organisation_by_name(name: str) -> Organisation | None:
    """The organisation with this display name."""
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def user_by_session(token: str) -> User | None:
    """The user a login cookie names ("<id>.<session version>"), if that session still holds."""
    user_id, _, version = token.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    if int(user_id) > 2**31 - 1:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version) else None


def user_by_email(email: str) -> User | None:
    """The user with this login (emails are stored lower-case)."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def organisation_users(organisation_id: int) -> list[User]:
    """The organisation's users, active first, by name."""
    return list(db.session.scalars(
        select(User).where(User.organisation_id == organisation_id)
        .order_by(User.active.desc(), User.name, User.email)
    ))
