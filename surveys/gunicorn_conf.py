"""gunicorn settings for Delaktig: `gunicorn -c python:surveys.gunicorn_conf surveys.wsgi:app`.

gunicorn calls `nworkers_changed` whenever its worker count is set: first at start-up,
after it has settled the count from every source (`--workers`, `WEB_CONCURRENCY`,
`GUNICORN_CMD_ARGS`, a config file) and before it binds a socket, imports the app or
forks a worker; later on SIGTTIN/SIGTTOU. In production several workers without
`REDIS_URL` are refused: at start-up gunicorn prints "Error: ..." and exits with status
1; a later increase is logged as an error and undone.

Each worker runs requests in threads (gthread): a request waiting on PostgreSQL leaves
the core to another one, where a sync worker would sit idle. With two workers of four
threads, `tests/benchmarks/answer_load.py` measured 50 page submissions/s against 29
with sync workers in the same conditions. `--threads` or `GUNICORN_CMD_ARGS` override it;
each thread holds at most one database connection (SQLAlchemy's pool keeps 5 per worker).

Leave gunicorn's access log off: the app writes one JSON line per request itself
(logger `delaktig.requests`), without client addresses or raw paths.
"""

from __future__ import annotations

from surveys.config import ConfigError
from surveys.production import refuse_unsafe_workers

worker_class = "gthread"
threads = 4

#: systemd manages the server; gunicorn's control socket (gunicornc) is not used.
control_socket_disable = True


def nworkers_changed(server, new_value: int, old_value: int | None) -> None:
    """Refuse a worker count whose rate limits would be counted per worker."""
    try:
        refuse_unsafe_workers(new_value)
    except ConfigError as error:
        if old_value is None:
            raise
        server.log.error("%s Keeping %s worker(s).", error, old_value)
        server.num_workers = old_value
