"""Load benchmark: residents answer /s/demo page after page, against gunicorn and PostgreSQL,
beside a bare Flask endpoint doing one INSERT, measured in the same run.

Run: .venv/bin/python tests/benchmarks/answer_load.py [--respondents 20] [--seconds 30]
     [--workers 2] [--threads 4]

Two phases on the same throwaway PostgreSQL server and the same gunicorn settings:

1. bare: a Flask app with one route that INSERTs a row (SQLAlchemy, psycopg 3) and answers
   "ok"; every virtual client requests it as fast as it is answered;
2. app: Delaktig with the demo loaded. Each virtual respondent has its own cookie jar (its
   own session and CSRF token): it opens the start page, gives consent, then answers every
   page with valid values (the first option of each question, a birth year, ...) and sends
   it; the 302 to the next page counts as one page submission; it then opens that page,
   as a phone does. At the thank-you page it starts over as a new respondent.

Printed: requests per second of the bare endpoint, page submissions per second of the app,
their ratio, latencies (p50/p95) of a submission and of submission + next page, and how
idle the machine's CPUs were during each phase. Both phases are driven by threads of this
process over real HTTP (stdlib urllib, a new connection per request), so the client costs
the same in both.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import signal
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support.load import (  # noqa: E402
    CpuMeter,
    NoRedirect,
    percentile,
    request,
    start_gunicorn,
)
from tests.support.postgres import PostgresServer  # noqa: E402
from tests.support.servers import free_port  # noqa: E402

PAGE = re.compile(r"/s/demo/p/(\d+)$")


def bare_app():
    """The bare endpoint: Flask, one INSERT per request, nothing else (gunicorn factory)."""
    from flask import Flask
    from sqlalchemy import Column, DateTime, Integer, MetaData, Table, create_engine, func

    engine = create_engine(os.environ["DATABASE_URL"])
    hits = Table("bare_hits", MetaData(), Column("id", Integer, primary_key=True),
                 Column("at", DateTime, server_default=func.now()))
    app = Flask("bare")

    @app.get("/hit")
    def hit():
        with engine.begin() as connection:
            connection.execute(hits.insert())
        return "ok"

    return app


class PageForm(HTMLParser):
    """The survey page's form fields, filled with valid answers."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self._in_form = True
        if not self._in_form or "name" not in attrs:
            return
        name, kind = attrs["name"], attrs.get("type", "text")
        if tag == "textarea":
            self.data.setdefault(name, "Mer ljus i parken.")
        elif tag == "input" and kind in ("radio", "checkbox"):
            self.data.setdefault(name, attrs.get("value", ""))  # the first option
        elif tag == "input" and kind == "hidden":
            self.data[name] = attrs.get("value", "")
        elif tag == "input" and attrs.get("autocomplete") == "bday-year":
            self.data[name] = "1984"
        elif tag == "input" and attrs.get("inputmode") in ("numeric", "decimal"):
            self.data[name] = "3"
        elif tag == "input":
            self.data.setdefault(name, "Bra")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


@dataclass
class Client:
    """One virtual client and what it measured."""

    number: int
    submissions: int = 0
    completed: int = 0
    submit_seconds: list[float] = field(default_factory=list)
    submit_and_next_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def hammer_bare(client: Client, base: str, start: threading.Event, stop: threading.Event):
    opener = urllib.request.build_opener()
    start.wait()
    while not stop.is_set():
        began = time.perf_counter()
        status, _, _ = request(opener, f"{base}/hit")
        if status == 200:
            client.submissions += 1
            client.submit_seconds.append(time.perf_counter() - began)
        else:
            client.errors.append(f"bare {status}")
    return client


def answer(client: Client, base: str, start: threading.Event, stop: threading.Event):
    """Respondent after respondent, page after page, until `stop`."""
    start.wait()
    while not stop.is_set():
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        status, body, _ = request(opener, f"{base}/s/demo?lang=sv")
        token = re.search(r'name="csrf_token" value="([^"]+)"', body)
        status, _, location = request(opener, f"{base}/s/demo/start",
                                      {"csrf_token": token.group(1) if token else ""})
        if status != 302 or not location:
            client.errors.append(f"start {status}")
            continue
        status, body, _ = request(opener, base + location)
        while not stop.is_set() and PAGE.search(location or ""):
            form = PageForm()
            form.feed(body)
            form.data["action"] = "next"
            began = time.perf_counter()
            status, body, location = request(opener, base + location, form.data)
            sent = time.perf_counter()
            if status != 302 or not location:
                client.errors.append(f"page {status}")
                break
            client.submissions += 1
            client.submit_seconds.append(sent - began)
            status, body, _ = request(opener, base + location)
            client.submit_and_next_seconds.append(time.perf_counter() - began)
            if location.endswith("/thanks"):
                client.completed += 1
                break
    return client


def run_phase(target, base: str, clients: int, seconds: float) -> tuple[list[Client], float, float]:
    """`clients` threads running `target` for `seconds`; (clients, wall seconds, CPU idle)."""
    start, stop = threading.Event(), threading.Event()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(target, Client(i), base, start, stop) for i in range(clients)]
        time.sleep(0.3)
        meter = CpuMeter().start()
        began = time.perf_counter()
        start.set()
        time.sleep(seconds)
        stop.set()
        done = [f.result() for f in futures]
        wall = time.perf_counter() - began
        idle = meter.stop()
    return done, wall, idle


def prepare(database_url: str) -> None:
    """The schema, the demo (without the follow-up) and the bare endpoint's table."""
    from sqlalchemy import text

    from surveys import create_app
    from surveys.demo import load_demo
    from surveys.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        load_demo(followup=False)
        db.session.execute(text("CREATE TABLE bare_hits (id serial PRIMARY KEY, "
                                "at timestamp DEFAULT now())"))
        db.session.commit()
        db.engine.dispose()


def summary(name: str, clients: list[Client], wall: float, idle: float, unit: str) -> float:
    rate = sum(c.submissions for c in clients) / wall
    latencies = [s for c in clients for s in c.submit_seconds]
    errors = [e for c in clients for e in c.errors]
    line = f"  {name:<5} {rate:8.1f} {unit}/s"
    if latencies:
        line += (f", p50 {percentile(latencies, 50) * 1000:.0f} ms, "
                 f"p95 {percentile(latencies, 95) * 1000:.0f} ms")
    line += f", CPU idle {idle:.0%}, {len(errors)} errors"
    print(line)
    for error in sorted(set(errors))[:5]:
        print(f"        error: {error} ×{errors.count(error)}")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4,
                        help="gunicorn threads per worker, as surveys/gunicorn_conf.py sets "
                             "(1: sync workers)")
    args = parser.parse_args()

    server = PostgresServer().start()
    processes = []
    try:
        database_url = server.create_database("delaktig_answer_load")
        prepare(database_url)
        env = {"DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
               "SESSION_COOKIE_SECURE": "0", "REDIS_URL": ""}
        extra = ("--threads", str(args.threads)) if args.threads > 1 else ()
        bare_port, app_port = free_port(), free_port()
        processes.append(start_gunicorn("tests.benchmarks.answer_load:bare_app()", bare_port,
                                        args.workers, env, "/hit", extra))
        processes.append(start_gunicorn("surveys.wsgi:app", app_port, args.workers, env,
                                        "/s/demo", extra))
        bare = run_phase(hammer_bare, f"http://127.0.0.1:{bare_port}", args.respondents,
                         args.seconds)
        app = run_phase(answer, f"http://127.0.0.1:{app_port}", args.respondents,
                        args.seconds)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        server.stop()

    print(f"answer load: {args.respondents} clients, {args.seconds:g} s a phase, gunicorn "
          f"{args.workers} workers × {args.threads} thread(s), PostgreSQL, "
          f"{os.cpu_count()} CPU cores")
    bare_rate = summary("bare", *bare, unit="requests")
    app_rate = summary("app", *app, unit="submissions")
    both = [s for c in app[0] for s in c.submit_and_next_seconds]
    if both:
        print(f"  submission + next page: p50 {percentile(both, 50) * 1000:.0f} ms, "
              f"p95 {percentile(both, 95) * 1000:.0f} ms; "
              f"{sum(c.completed for c in app[0])} responses completed")
    print(f"  ratio app/bare: {app_rate / bare_rate:.1%}")
    return 1 if any(c.errors for c in app[0]) else 0


if __name__ == "__main__":
    sys.exit(main())
