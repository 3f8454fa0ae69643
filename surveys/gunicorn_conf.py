"""gunicorn settings for Delaktig: `gunicorn -c python:surveys.gunicorn_conf surveys.wsgi:app`.

The master runs `on_starting` once, after gunicorn has settled its worker count from every
source (`--workers`, `WEB_CONCURRENCY`, `GUNICORN_CMD_ARGS`, a config file) and before it
binds a socket or forks a worker. In production several workers without `REDIS_URL` are
refused there: gunicorn prints "Error: ..." and exits with status 1. Settings given on the
command line still apply. Leave gunicorn's access log off: the app writes one JSON line
per request itself (logger `delaktig.requests`), without client addresses or raw paths.
"""

from __future__ import annotations

from surveys.production import refuse_unsafe_workers


def on_starting(server) -> None:
    """Refuse, before any worker starts, a setup whose rate limits would be per worker."""
    refuse_unsafe_workers(server.cfg.workers)
