"""A small local server that speaks the LibreTranslate HTTP API, for the machine-draft tests.

`POST /translate` with JSON {q, source, target, format, api_key?} answers
{"translatedText": "[target] q"}. `mode` makes it misbehave: "slow" answers after `delay`
seconds, "garbage" answers HTML, "error" answers 500. Every request body is kept in `seen`.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LibreTranslate:
    """The server in a thread on a free loopback port; `url` is its address."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 1.0
        self.seen: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
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

            def _send(self, status: int, data: bytes, kind: str = "application/json") -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
