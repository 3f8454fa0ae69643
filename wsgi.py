"""WSGI entry point of a checkout, for gunicorn and `flask --app wsgi` (installed: `surveys.wsgi`)."""

from surveys.wsgi import app  # noqa: F401
