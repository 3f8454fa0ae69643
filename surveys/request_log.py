"""One JSON line per request on the `delaktig.requests` logger (stderr unless configured).

A line holds the method, the route (the URL rule such as `/s/<slug>`, never the path, so
no slug, code or token reaches the log), the status, the duration in milliseconds and a
request id, and for API reads the id of the access token used. The id comes from an incoming `X-Request-Id` when it is well formed (nginx
sends its `$request_id`), else it is made here; the response echoes it. The client's
address is logged only with `LOG_CLIENT_ADDRESS=1`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request

logger = logging.getLogger("delaktig.requests")

REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a line is logged (it may be replaced)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def request_id(incoming: str | None) -> str:
    """The incoming id when it is well formed, else a new random one."""
    if incoming and REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    """Time every request and log it when the response is final."""
    if not logger.handlers:
        # Nothing configured for it (e.g. by gunicorn --log-config): plain lines on stderr.
        handler = StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    def start():
        g.request_started = time.perf_counter()
        g.request_id = request_id(request.headers.get("X-Request-Id"))

    def finish(response):
        started = g.get("request_started", time.perf_counter())
        ident = g.get("request_id") or request_id(None)
        response.headers["X-Request-Id"] = ident
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": ident,
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if g.get("api_token_id") is not None:
            line["api_token"] = g.api_token_id  # which token read the API (its id, never the secret)
        if app.config.get("LOG_CLIENT_ADDRESS"):
            line["client"] = request.remote_addr
        logger.info(json.dumps(line, separators=(",", ":")))
        return response

    # First to start the clock, last to see the response (after the commit and headers).
    app.before_request_funcs.setdefault(None, []).insert(0, start)
    app.after_request_funcs.setdefault(None, []).insert(0, finish)
