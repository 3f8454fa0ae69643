"""A small local server that speaks the LibreTranslate HTTP API, for the machine-draft tests.

`POST /translate` with JSON {q, source, target, format, api_key?} answers
{"translatedText": "[target] q"}. `mode` makes it misbehave: "slow" answers after `delay`
seconds, "garbage" answers HTML, "error" answers 500. Every request body is kept in `seen`.
"""

from __future__ import annotations

import json
import time

from tests.support.stub_http import StubHandler, StubServer


class LibreTranslate(StubServer):
    """The server in a thread on a free loopback port; `url` is its address."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 1.0
        self.seen: list[dict] = []
        service = self

        class Handler(StubHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                service.seen.append(body)
                if service.mode == "slow":
                    time.sleep(service.delay)
                if service.mode == "error":
                    self._send(500, b'{"error": "boom"}')
                elif service.mode == "garbage":
                    self._send(200, b"<html>Service Unavailable</html>", "text/html")
                else:
                    answer = {"translatedText": f"[{body['target']}] {body['q']}"}
                    self._send(200, json.dumps(answer).encode())

        self.serve(Handler, "")
