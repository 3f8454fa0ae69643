"""The application for WSGI servers: `gunicorn surveys.wsgi:app`."""

from surveys import create_app

app = create_app()
