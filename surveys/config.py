"""Configuration from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from surveys.resources import translations_dir


class ConfigError(RuntimeError):
    """The environment does not give the app what it needs to start safely."""


def database_url(instance_path: str) -> str:
    """`DATABASE_URL`, normalised to psycopg 3, or a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "delaktig.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def is_development() -> bool:
    """True when the operator asked for development mode."""
    return os.environ.get("DELAKTIG_ENV", "").lower() == "development" or os.environ.get(
        "FLASK_DEBUG", ""
    ) in ("1", "true")


def secret_key(instance_path: str, testing: bool) -> str:
    """`SECRET_KEY` from the environment; required outside development and tests."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if testing:
        return "test-secret"
    if not is_development():
        raise ConfigError(
            "SECRET_KEY is not set. Set it in the environment "
            "(or DELAKTIG_ENV=development for a local development server)."
        )
    # Development only: keep one random key in the instance folder so logins survive restarts.
    path = Path(instance_path) / "dev_secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(instance_path: str, testing: bool = False) -> dict:
    """Build the configuration mapping for `create_app`."""
    return {
        "SECRET_KEY": secret_key(instance_path, testing),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "BABEL_TRANSLATION_DIRECTORIES": str(translations_dir()),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not (testing or is_development())
        and os.environ.get("SESSION_COOKIE_SECURE", "1") != "0",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
        # Room for a pasted novel in a text box, so it gets a "shorten" message, not a 413.
        # (The upload of a recording raises it for itself: surveys/survey/views.py.)
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        # Recorded questions, named by content hash; default: audio/ in the instance folder.
        "AUDIO_DIR": os.environ.get("AUDIO_DIR") or None,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "120 per minute"),
        # the key of person-id hashes in sample frames (services.hash_secret: else SECRET_KEY)
        "FRAME_HASH_SECRET": os.environ.get("FRAME_HASH_SECRET", "").strip(),
        # frames with more people than this are stored by a background job
        "FRAME_IMPORT_JOB_ROWS": int(os.environ.get("FRAME_IMPORT_JOB_ROWS", "20000")),
        "DIALOG_STATEMENT_RATE_LIMIT": os.environ.get("DIALOG_STATEMENT_RATE_LIMIT",
                                                      "10 per minute"),
        "DIALOG_VOTE_RATE_LIMIT": os.environ.get("DIALOG_VOTE_RATE_LIMIT", "120 per minute"),
        # optional machine drafts of statement translations (a LibreTranslate-compatible API)
        "TRANSLATE_URL": os.environ.get("TRANSLATE_URL", "").strip(),
        "TRANSLATE_API_KEY": os.environ.get("TRANSLATE_API_KEY", "").strip(),
        "TRANSLATE_TIMEOUT": float(os.environ.get("TRANSLATE_TIMEOUT", "3")),
        # fresh cookie jars from one address cannot stuff one statement's ballot
        "DIALOG_STATEMENT_VOTES_PER_ADDRESS": os.environ.get(
            "DIALOG_STATEMENT_VOTES_PER_ADDRESS", "30 per 10 seconds; 600 per hour"),
        # a whole room may share one address (the venue's wifi): only floods are stopped
        "DIALOG_JOIN_RATE_LIMIT": os.environ.get("DIALOG_JOIN_RATE_LIMIT", "600 per minute"),
        # surveys with at least this many completed responses are weighted by a job
        "RUN_JOB_MIN_RESPONDENTS": int(os.environ.get("RUN_JOB_MIN_RESPONDENTS", "5000")),
        # and their weighted microdata written by a job from this many respondents
        "EXPORT_JOB_MIN_RESPONDENTS": int(os.environ.get("EXPORT_JOB_MIN_RESPONDENTS",
                                                         "20000")),
        # SCB's statistical database (PxWebApi 2), for fetching population tables by id
        "SCB_API_URL": os.environ.get("SCB_API_URL", "https://statistikdatabasen.scb.se/api/v2"),
        "SCB_TIMEOUT": float(os.environ.get("SCB_TIMEOUT", "20")),
        "SCB_MAX_BYTES": int(os.environ.get("SCB_MAX_BYTES", str(50 * 1024 * 1024))),
        # Kolada's open API (v2), for register indicators' comparisons
        "KOLADA_URL": os.environ.get("KOLADA_URL", "https://api.kolada.se/v2"),
        "KOLADA_TIMEOUT": float(os.environ.get("KOLADA_TIMEOUT", "20")),
        **operations_settings(),
        # reminders by e-mail (smtp://user:pass@host:port, smtps:// for TLS from the start)
        # and SMS (a class path; the default only logs): surveys/fieldwork/mail.py
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM") or None,
        "SMS_SENDER": os.environ.get("SMS_SENDER", "surveys.fieldwork.mail.LogSmsSender"),
    }


def operations_settings() -> dict:
    """Running behind proxies, readiness checks and request logs (see surveys/ops.py)."""
    raw = os.environ.get("TRUSTED_PROXIES", "0").strip() or "0"
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError(
            "TRUSTED_PROXIES must be the number of reverse proxies in front of the app "
            f"(0 when none, 1 behind nginx), not {raw!r}."
        )
    return {
        "TRUSTED_PROXIES": int(raw),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "LOG_CLIENT_ADDRESS": os.environ.get("LOG_CLIENT_ADDRESS", "0") == "1",
    }
