"""Shared parts of the load benchmarks: real HTTP with urllib, gunicorn, percentiles, CPU use."""

from __future__ import annotations

import os
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
