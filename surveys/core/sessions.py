"""Session cookies re-signed when they change, or once they are an hour old.

Flask re-signs a permanent session's cookie on every response, so that it expires
`PERMANENT_SESSION_LIFETIME` after the last request rather than after the first: an HMAC
and a Set-Cookie header for every page a resident answers. Here a cookie whose content did
not change is re-signed only when it was signed `REFRESH_AFTER` or longer ago, so a session
still lasts its lifetime after the last use, to within that hour. A changed session is
signed at once, as before, and the signature is checked on every request as before.
The signing serializer is built once per key, not twice per request.
"""

from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: Seconds after which an unchanged cookie is signed again (its expiry moved on).
REFRESH_AFTER = 3600


class SignedSession(SecureCookieSession):
    """A session that knows when its cookie was signed (None: new, or not from a cookie)."""

    signed_at: float | None = None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, re-signed only when changed or aged."""

    session_class = SignedSession

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SignedSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        try:
            data, signed = serializer.loads(
                cookie, max_age=int(app.permanent_session_lifetime.total_seconds()),
                return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at >= REFRESH_AFTER
