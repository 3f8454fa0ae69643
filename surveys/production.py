"""Start-up refusals: settings that are unsafe in production stop the app with a clear message.

Flask-free, so the gunicorn master (`surveys/gunicorn_conf.py`) can use it before it
forks a worker. Development (`DELAKTIG_ENV=development`) and tests are never refused.
"""

from __future__ import annotations

import os

from surveys.config import ConfigError, is_development

#: Sessions and CSRF tokens are signed with SECRET_KEY: 32 random bytes resist guessing.
MIN_SECRET_KEY_BYTES = 32


def is_production(testing: bool = False) -> bool:
    """True unless the app is under test or the operator asked for development mode."""
    return not testing and not is_development()


def check_secret_key(key: str) -> None:
    """Refuse a SECRET_KEY shorter than MIN_SECRET_KEY_BYTES (as UTF-8)."""
    length = len(key.encode())
    if length < MIN_SECRET_KEY_BYTES:
        raise ConfigError(
            f"SECRET_KEY is {length} bytes long; production needs at least "
            f"{MIN_SECRET_KEY_BYTES} random bytes. Generate one with "
            "python3 -c 'import secrets; print(secrets.token_hex(32))' and keep it stable."
        )


def check_shared_rate_limits(workers: int, redis_url: str | None) -> None:
    """Refuse several worker processes that would each count rate limits in their own memory."""
    if workers > 1 and not redis_url:
        raise ConfigError(per_process_limits(f"{workers} gunicorn workers", f"{workers} times"))


def per_process_limits(processes: str, times: str) -> str:
    """Why rate limits in each process's memory are unsafe, and what to do."""
    return (
        f"{processes} and no REDIS_URL: each process would count rate limits (logins, "
        f"statements, votes) in its own memory, so a client could make {times} the allowed "
        "attempts. Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) so they share one count, "
        "or run one worker (--workers 1)."
    )


def refuse_unsafe_workers(workers: int) -> None:
    """The gunicorn master's check, from the environment it runs in."""
    if is_production():
        check_shared_rate_limits(workers, os.environ.get("REDIS_URL") or None)
