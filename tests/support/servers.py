"""Real servers for the operations tests: gunicorn, redis-server and nginx on loopback.

Each is a child process on a free 127.0.0.1 port, its output in a log file; `stop()`
ends it by its pid. `Resident` is an HTTP client that can connect from any loopback
address (127.0.0.2, 127.0.0.3, ...), so a proxy sees different clients.
"""

from __future__ import annotations

import gzip
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import brotli

from tests.support.web import TOKEN_RE

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, what: str, process: subprocess.Popen | None = None, log: Path | None = None,
               timeout: float = 30.0):
    """Poll `check()` until it returns something true; fail early when `process` exits."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if process is not None and process.poll() is not None:
            break
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)
    detail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not come up\n{detail}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class Server:
    """A child process whose stdout and stderr go to one log file."""

    name = "server"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.log = workdir / f"{self.name}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def spawn(self, args: list[str], env: dict | None = None) -> subprocess.Popen:
        with open(self.log, "wb") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env, cwd=self.workdir)
        return self.process

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """End the process by its pid; returns its exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class Gunicorn(Server):
    """`python -m gunicorn -c python:surveys.gunicorn_conf surveys.wsgi:app`, as deployed."""

    name = "gunicorn"

    def __init__(self, workdir: Path, env: dict, workers: int | None = 1,
                 preload: bool = False) -> None:
        super().__init__(workdir)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir),
                    "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT), **env}
        self.args = [sys.executable, "-m", "gunicorn", "-c", "python:surveys.gunicorn_conf",
                     "--bind", f"127.0.0.1:{self.port}", "surveys.wsgi:app"]
        if workers is not None:  # else gunicorn's own default: WEB_CONCURRENCY, or 1
            self.args[-1:-1] = ["--workers", str(workers)]
        if preload:  # the app is imported once, in the master: faster on a busy machine
            self.args[-1:-1] = ["--preload"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        process = self.spawn(self.args, self.env)
        wait_until(lambda: answers(self.url + "/healthz"), "gunicorn", process, self.log)
        return self

    def run_until_exit(self, timeout: float = 30) -> int:
        """Start it expecting a refusal: the exit status (the test fails if it serves)."""
        process = self.spawn(self.args, self.env)
        try:
            return process.wait(timeout=timeout)
        finally:
            self.stop()


class Redis(Server):
    """redis-server without persistence."""

    name = "redis"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def pong(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> Redis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: apt-get install -y redis-server")
        process = self.spawn([binary, "--bind", "127.0.0.1", "--port", str(self.port),
                              "--save", "", "--appendonly", "no", "--daemonize", "no",
                              "--dir", str(self.workdir)])
        wait_until(self.pong, "redis-server", process, self.log, timeout=10)
        return self


class Nginx(Server):
    """Debian's nginx in the foreground, with a main configuration written for the test.

    Debian's brotli module (libnginx-mod-http-brotli-filter) is loaded when installed.
    """

    name = "nginx"
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    BROTLI = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")

    def configure(self, http_config: str) -> Path:
        """A main configuration around `http_config`, everything under the work folder."""
        if not Path(self.binary).exists():
            raise RuntimeError("nginx is not installed: apt-get install -y nginx")
        temp = self.workdir / "nginx-temp"
        temp.mkdir(exist_ok=True)
        # As root the master starts its workers as "nobody", who could not read the temp dir.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        if self.BROTLI.exists():
            user += f"load_module {self.BROTLI};\n"
        conf = self.workdir / "nginx.conf"
        conf.write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {self.workdir / 'nginx.pid'};\n"
            "error_log stderr warn;\nevents { worker_connections 64; }\n"
            "http {\n"
            f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
            f"  scgi_temp_path {temp}/scgi;\n"
            "  include /etc/nginx/mime.types;\n"
            f"{http_config}\n}}\n"
        )
        return conf

    def command(self, conf: Path) -> list[str]:
        return [self.binary, "-p", str(self.workdir), "-e", "stderr", "-c", str(conf)]

    def test_config(self, http_config: str) -> subprocess.CompletedProcess:
        """`nginx -t`: the configuration is parsed, certificates loaded, nothing served."""
        return subprocess.run([*self.command(self.configure(http_config)), "-t"],
                              capture_output=True, text=True, timeout=30, check=False)

    def start(self, http_config: str) -> Nginx:
        process = self.spawn(self.command(self.configure(http_config)))
        wait_until(lambda: answers(f"http://127.0.0.1:{self.port}/healthz"), "nginx", process,
                   self.log, timeout=15)
        return self

    def stop(self, sig: int = signal.SIGQUIT) -> int | None:
        return super().stop(sig)


class Resident:
    """A browser on its own loopback address, keeping its session cookie."""

    def __init__(self, port: int, address: str = "127.0.0.1") -> None:
        self.port, self.address = port, address
        self.cookie: str | None = None
        self.token: str | None = None

    def request(self, method: str, path: str, headers: dict | None = None, body: str | None = None,
                port: int | None = None):
        """(status, headers, body as bytes, decompressed if gzipped or brotli-compressed)."""
        connection = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=10,
                                                source_address=(self.address, 0))
        headers = {"Host": "delaktig.example.se", **(headers or {})}
        if self.cookie:
            headers["Cookie"] = self.cookie
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            data = reply.read()
        finally:
            connection.close()
        if reply.getheader("Set-Cookie"):
            self.cookie = reply.getheader("Set-Cookie").split(";")[0]
        if reply.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        elif reply.getheader("Content-Encoding") == "br":
            data = brotli.decompress(data)
        return reply.status, reply.headers, data

    def log_in(self, headers: dict | None = None) -> int:
        """A login attempt with a wrong password, as a form from our page; the status."""
        if self.token is None:
            page = self.request("GET", "/login")[2].decode()
            self.token = TOKEN_RE.search(page).group(1)
        form = urllib.parse.urlencode({"csrf_token": self.token, "email": "nobody@example.se",
                                       "password": "guess"})
        return self.request("POST", "/login", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})[0]
