"""Pooled database connections are checked before use only when they have rested.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` before every request: a round trip more for
each page, as many as an answering page view needs for its work. A connection used a
moment ago is alive; one that rested in the pool (the database may have restarted
meanwhile) is checked, and a dead one is replaced before any request sees it. A restart
during steady traffic is noticed by the first statement that fails: SQLAlchemy then
discards every connection of that pool, that request answers 503 (a resident reads "send
this page again"; nothing saved is lost) and the following requests connect afresh.
"""

from __future__ import annotations

import time

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

#: Seconds in the pool after which a connection is checked before it is used again.
REST_SECONDS = 5.0


def check_rested_connections(engine: Engine) -> None:
    """Ping a pooled connection at checkout when it has rested `REST_SECONDS` or more."""

    @event.listens_for(engine, "checkin")
    def returned(dbapi_connection, record) -> None:
        record.info["returned"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_rested(dbapi_connection, record, proxy) -> None:
        returned_at = record.info.get("returned")
        if returned_at is None or time.monotonic() - returned_at < REST_SECONDS:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError("a pooled connection was dead") from error
