"""Organisations (municipalities) and their users."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import JSON, Enum, ForeignKey, String, func
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.extensions import db

#: argon2id with the library's recommended cost (RFC 9106); an app may set its own.
PRODUCTION_HASHER = PasswordHasher()


def password_hasher() -> PasswordHasher:
    """The current app's hasher (`ARGON2_PARAMETERS`, cheap only in tests), else the default."""
    if has_app_context():
        return current_app.extensions.get("argon2", PRODUCTION_HASHER)
    return PRODUCTION_HASHER


class Organisation(db.Model):
    """A municipality (or other body) that owns surveys, events and users."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Display name, e.g. "Exempelby kommun".
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(UserMixin, db.Model):
    """A member of staff; belongs to exactly one organisation."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Login name; stored lower-case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(Enum(Role, name="user_role", native_enum=False, length=20))
    #: argon2id hash of the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: Language codes the user translates into (what an interpreter may translate; a
    #: facilitator may translate into any of an event's languages).
    languages: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON), default=list,
                                                 server_default="[]")
    #: Part of every login cookie; raising it ends all the user's sessions (logout, new
    #: password, new role), since a signed cookie cannot be taken back otherwise.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    def get_id(self) -> str:
        """What the login cookie holds: the id and the session version, e.g. "12.3"."""
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """Every login cookie issued so far stops working."""
        self.session_version += 1

    def set_password(self, password: str) -> None:
        """Hash and store a new password."""
        self.password_hash = password_hasher().hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        try:
            return password_hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def has_role(self, *roles: Role) -> bool:
        """Admins may do everything; others only what their role names."""
        return self.active and (self.role is Role.admin or self.role in roles)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active
