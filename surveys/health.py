"""Probes for load balancers and process supervisors; they read nothing a person wrote.

GET /healthz   the process answers: 200 text/plain "ok", no database, no session
GET /readyz    the app can serve: the database answers `SELECT 1` and, when REDIS_URL is
               set, Redis answers PING; 200, or 503 with a JSON body naming what failed

Both are exempt from rate limits (a balancer probes often, from one address) and write
nothing: no session, no transaction left open.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from surveys.extensions import db, limiter

bp = Blueprint("health", __name__)
limiter.exempt(bp)

#: Seconds a readiness check waits for Redis before calling it down.
REDIS_TIMEOUT = 2


@bp.get("/healthz")
def healthz():
    return Response("ok", mimetype="text/plain", headers={"Cache-Control": "no-store"})


@bp.get("/readyz")
def readyz():
    checks = {"database": _database_answers()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis_answers()
    failed = [name for name, ok in checks.items() if not ok]
    body = {
        "status": "unavailable" if failed else "ready",
        "checks": {name: "ok" if ok else "failed" for name, ok in checks.items()},
        "failed": failed,
    }
    response = jsonify(body)
    response.status_code = 503 if failed else 200
    response.headers["Cache-Control"] = "no-store"
    return response


def _database_answers() -> bool:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except (SQLAlchemyError, OSError) as error:
        current_app.logger.warning("readyz: the database does not answer: %s", error)
        return False


def _redis_answers() -> bool:
    import redis

    client = current_app.extensions.get("delaktig_readyz_redis")
    if client is None:
        client = redis.Redis.from_url(current_app.config["REDIS_URL"],
                                      socket_connect_timeout=REDIS_TIMEOUT,
                                      socket_timeout=REDIS_TIMEOUT)
        current_app.extensions["delaktig_readyz_redis"] = client
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError) as error:
        current_app.logger.warning("readyz: Redis does not answer: %s", error)
        return False
