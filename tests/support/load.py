"""Shared parts of the load benchmarks: real HTTP (urllib, or a light client of our own),
gunicorn, percentiles, CPU use of the machine and of process trees."""

from __future__ import annotations

import os
import re
import resource
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand a 302 back as the answer: the state change is done before the redirect."""

    def redirect_request(self, *args, **kwargs):
        return None


def request(opener, url: str, data: dict | list | None = None, timeout: float = 60):
    """(status, body, Location) of a GET or form POST; HTTP errors are answers too."""
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=timeout) as reply:
            return reply.status, reply.read().decode(), reply.headers.get("Location")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode(errors="replace"), error.headers.get("Location")


class LightClient:
    """One virtual browser made as cheap as we can: a kept-alive HTTP/1.1 connection over a
    bare socket and a cookie jar of name -> value (every cookie is ours: one host, path /).

    The benchmarks compare servers, so the client must cost little CPU on the same cores:
    urllib spends more on headers, cookie policy and a new connection per request than a
    small Flask endpoint spends answering. Only what our servers send is understood: a body
    with Content-Length (else read to the end of the connection); no chunked bodies.
    `keep_alive=False` opens a connection per request, as a proxy without keep-alive does.
    """

    def __init__(self, host: str, port: int, *, keep_alive: bool = True,
                 timeout: float = 60) -> None:
        self.address = (host, port)
        self.host = f"{host}:{port}".encode()
        self.keep_alive = keep_alive
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._socket: socket.socket | None = None
        self._buffer = b""

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._socket, self._buffer = None, b""

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str | None]:
        """(status, body, Location path) of a GET, or of a form POST when `data` is given."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else b""
        head = [b"POST " if data is not None else b"GET ", path.encode(), b" HTTP/1.1\r\nHost: ",
                self.host, b"\r\n"]
        if data is not None:
            head += [b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ",
                     str(len(body)).encode(), b"\r\n"]
        if self.cookies:
            head += [b"Cookie: ", "; ".join(f"{k}={v}" for k, v in self.cookies.items())
                     .encode(), b"\r\n"]
        if not self.keep_alive:
            head.append(b"Connection: close\r\n")
        message = b"".join(head) + b"\r\n" + body
        reused = self._socket is not None
        try:
            return self._exchange(message)
        except (ConnectionError, EOFError):
            self.close()
            if not reused:
                raise
            # The server closed an idle kept-alive connection before reading: send again.
            return self._exchange(message)

    def _exchange(self, message: bytes) -> tuple[int, str, str | None]:
        if self._socket is None:
            self._socket = socket.create_connection(self.address, timeout=self.timeout)
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.sendall(message)
        while b"\r\n\r\n" not in self._buffer:
            self._read()
        head, _, rest = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, location, closing = None, None, not self.keep_alive
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "location":
                location = LOCATION_PATH.sub("", value)
            elif name == "set-cookie":
                cookie, _, attributes = value.partition(";")
                key, _, content = cookie.partition("=")
                if "expires=thu, 01 jan 1970" in attributes.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = content
            elif name == "connection":
                closing = closing or value.lower() == "close"
        self._buffer = rest
        if length is None:
            while self._read(eof_ok=True):
                pass
            length, closing = len(self._buffer), True
        while len(self._buffer) < length:
            self._read()
        content, self._buffer = self._buffer[:length], self._buffer[length:]
        if closing:
            self.close()
        return status, content.decode(), location

    def _read(self, eof_ok: bool = False) -> bool:
        chunk = self._socket.recv(65536)
        if not chunk:
            if eof_ok:
                return False
            raise EOFError("the server closed the connection")
        self._buffer += chunk
        return True


#: The scheme and host of an absolute Location (werkzeug sends paths, others may not).
LOCATION_PATH = re.compile(r"^https?://[^/]+")


def process_cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def tree_cpu_seconds(root: int) -> float:
    """CPU time used so far by process `root` and its descendants: their own time, and the
    time of the children they have already waited for (a finished PostgreSQL backend)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(pid, 0) for pid in tree) / tick


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def start_gunicorn(app: str, port: int, workers: int, env: dict, ready_path: str,
                   extra: tuple[str, ...] = ()) -> subprocess.Popen:
    """gunicorn serving `app` (a module:attribute or module:factory()) once it answers."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--backlog", "2048", "--timeout", "60", "--log-level", "warning", *extra, app],
        cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}",
                                        timeout=2) as reply:
                if reply.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start within 60 s")


class CpuMeter:
    """Share of the machine's CPU time that was idle between `start` and `stop` (/proc/stat)."""

    @staticmethod
    def _times() -> tuple[int, int]:
        with open("/proc/stat") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    def start(self) -> CpuMeter:
        self.began = self._times()
        return self

    def stop(self) -> float:
        idle, total = self._times()
        return (idle - self.began[0]) / max(1, total - self.began[1])
