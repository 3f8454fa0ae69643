"""HTTP helpers: a test client that sends the CSRF token like a browser does."""

from __future__ import annotations

import re
import threading
import time
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy import Engine, text

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class FormClient(FlaskClient):
    """A Flask test client whose `post_form` adds the session's CSRF token."""

    _token: str | None = None

    def csrf_token(self) -> str:
        """The CSRF token of this client's session, fetched from the login page once."""
        if self._token is None:
            page = self.get("/login").get_data(as_text=True)
            self._token = TOKEN_RE.search(page).group(1)
        return self._token

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with the CSRF token, as a browser submitting our page would."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


def page_text(reply) -> str:
    """A reply's visible text: tags removed, white space folded, entities decoded."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", reply.get_data(as_text=True))))


def send_twice_at_once(engine: Engine, locked_table: str, client: FormClient, twin: FormClient,
                       url: str, form: dict) -> list:
    """POST `form` to `url` from `client` and from `twin` (another device with the same
    session) at once, as a double tap does. A row of `locked_table` (PostgreSQL) is held
    until both requests wait for it, so they meet at the lock. The replies, in arrival order."""
    replies = []
    with engine.connect() as holder:
        holder.execute(text(f"SELECT id FROM {locked_table} FOR UPDATE"))
        threads = [threading.Thread(target=lambda c=c: replies.append(c.post(url, data=form)))
                   for c in (client, twin)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        holder.rollback()
    for thread in threads:
        thread.join(30)
    return replies
