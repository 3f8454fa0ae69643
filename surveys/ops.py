"""Running in production: start-up refusals, the trusted proxies, request logs, probes.

`create_app` calls `init_app` once, after the features are registered.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from surveys import health, request_log, static_versions
from surveys.production import check_secret_key, is_production, per_process_limits


def init_app(app: Flask) -> None:
    """Refuse unsafe production settings, then add the operational parts to the app."""
    production = is_production(app.testing)
    if production:
        check_secret_key(app.config["SECRET_KEY"])
    trust_proxies(app, app.config.get("TRUSTED_PROXIES", 0))
    request_log.init_app(app)
    static_versions.init_app(app)
    app.register_blueprint(health.bp)
    if production and app.config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        _warn_about_per_process_limits(app)


def trust_proxies(app: Flask, proxies: int) -> None:
    """Take the client's address from the last `proxies` entries of X-Forwarded-For.

    Each proxy appends the address it was connected from (nginx:
    `$proxy_add_x_forwarded_for`), so with N trusted proxies the Nth entry from the end is
    the client; anything a client wrote further left is ignored. The scheme and host come
    from the nearest proxy, which sets X-Forwarded-Proto and X-Forwarded-Host afresh.
    Rate limits count `request.remote_addr`, so they count residents, not the proxy.
    """
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=1, x_host=1)


def _warn_about_per_process_limits(app: Flask) -> None:
    """A server started without surveys/gunicorn_conf.py still gets a loud warning."""
    warned = []

    @app.before_request
    def warn_once():
        if not warned and request.environ.get("wsgi.multiprocess"):
            warned.append(True)
            app.logger.error("%s Start gunicorn with -c python:surveys.gunicorn_conf to refuse "
                             "this at start-up.", per_process_limits("Several worker processes",
                                                                     "several times"))
