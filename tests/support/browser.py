"""A live server for the app and a real Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
#: Flags for a headless Chromium on a machine without network access.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}


class LiveServer:
    """Serve a Flask app over real HTTP in a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join()


def axe_violations(page, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")) -> list[dict]:
    """Run axe-core on the page and return its violations for the WCAG 2.1 A and AA rules."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=_axe_url())
    # resultTypes: details only for violations (passes are counted, not described): faster.
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
        "resultTypes: ['violations']})", list(tags)
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@functools.cache
def _axe_url() -> str:
    """axe-core served over HTTP with a cache header: Chromium then keeps the compiled script
    between pages instead of parsing 500 KB of JavaScript on every page checked."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self):
            self.send_header("Cache-Control", "max-age=3600")
            super().end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(AXE.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/{AXE.name}"


def log_in(page, base: str, email: str, password: str, lang: str | None = None) -> None:
    """Log in through the login form, as a person does, and wait for the next page."""
    page.goto(f"{base}/login" + (f"?lang={lang}" if lang else ""))
    page.locator('[name="email"]').fill(email)
    page.locator('[name="password"]').fill(password)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()
