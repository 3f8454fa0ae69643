"""Static file addresses carry a hash of the file: `/static/style.css?v=3f2a9c1b07d4`.

A changed file gets a new address, so the reverse proxy can let browsers keep a versioned
file for a year (`Cache-Control: immutable`, see deploy/nginx/) and still never serve a
stale style sheet after a deploy. Templates keep calling `url_for('static', ...)`.

A file's hash is computed once per process: a deploy restarts the workers. Only a
development server (debug) looks at the file again on every address, since it is edited
while the server runs.
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask
from werkzeug.security import safe_join

#: Hex digits of the SHA-256 kept in the address; nginx recognises exactly this length.
VERSION_LENGTH = 12


def init_app(app: Flask) -> None:
    """Add `v=<hash>` to every `url_for` of the app's and the blueprints' static files."""
    versions: dict[str, tuple[int, int, str]] = {}

    def version(folder: str, filename: str) -> str | None:
        path = safe_join(folder, filename)
        known = versions.get(path)
        if known and not app.debug:
            return known[2]
        if path is None or not os.path.isfile(path):
            return None
        stat = os.stat(path)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()[:VERSION_LENGTH]
        versions[path] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint != "static" and not endpoint.endswith(".static"):
            return
        owner = app if endpoint == "static" else app.blueprints.get(endpoint.rpartition(".")[0])
        if owner is None or not owner.static_folder or "v" in values:
            return
        found = version(owner.static_folder, values.get("filename", ""))
        if found:
            values["v"] = found
