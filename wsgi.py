"""WSGI entry point for gunicorn and `flask --app wsgi`."""

from surveys import create_app

app = create_app()
