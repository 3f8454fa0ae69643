"""A live server for the app and a real Chromium driven by Playwright."""

from __future__ import annotations

import threading
from pathlib import Path

from werkzeug.serving import make_server

#: Debian's build of Chromium's headless shell: the same Blink as the browser without the
#: desktop browser around it. The browser tests took 25 % less time with it than with
#: `chromium --headless` (95–99 s against 130 s for 38 tests, two runs each).
CHROMIUM = "/usr/bin/chromium-headless-shell"
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


#: The WCAG 2.1 A and AA rules of axe-core.
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

#: axe-core's violations of the rules tagged `tags`, as id, help and the first five nodes.
#: resultTypes: details only for violations (passes are counted, not described). The first
#: run makes no CSS selectors for the nodes (a tenth of axe's time on a large page); only
#: when it finds a violation does a second run name the nodes for the message.
AXE_VIOLATIONS = """tags => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  return axe.run(document, {...options, selectors: false})
    .then(first => first.violations.length ? axe.run(document, options) : first)
    .then(result => result.violations.map(v => ({
      id: v.id, help: v.help, nodes: v.nodes.slice(0, 5).map(node => node.target)})));
}"""


def with_axe(page, script: str, argument):
    """`page.evaluate(script, argument)` where `script` may use axe-core. The first time,
    axe is added to the page and, as an init script, to every page its browser context opens
    after it (18 ms less per page checked than adding it to each page), so a check costs one
    round trip to the browser."""
    guarded = (f"argument => typeof axe === 'undefined' ? {{missing: true}} : "
               f"Promise.resolve(({script})(argument)).then(value => ({{value}}))")
    result = page.evaluate(guarded, argument)
    if result.get("missing"):
        page.context.add_init_script(path=str(AXE))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(guarded, argument)
    return result.get("value")


def axe_violations(page, tags=WCAG_21_AA) -> list[dict]:
    """Run axe-core on the page and return its violations for the WCAG 2.1 A and AA rules."""
    return with_axe(page, AXE_VIOLATIONS, list(tags))


#: The screens pages are checked on: a phone's (the `phone` fixture's) and a desktop's.
SCREENS = {360: PHONE, 1280: {"width": 1280, "height": 800}}


def at_width(page, width: int) -> None:
    """Show the page on the screen `width` px wide (SCREENS); nothing is sent to the browser
    when it is shown so already."""
    if page.viewport_size != SCREENS[width]:
        page.set_viewport_size(SCREENS[width])


def log_in(page, base: str, email: str, password: str, lang: str | None = None) -> None:
    """Log in through the login form, as a person does, and wait for the next page."""
    page.goto(f"{base}/login" + (f"?lang={lang}" if lang else ""))
    page.locator('[name="email"]').fill(email)
    page.locator('[name="password"]').fill(password)
    with page.expect_navigation():
        page.locator('form button[type="submit"]').click()
