"""Load benchmark: residents answer /s/demo page after page, against gunicorn and PostgreSQL,
beside a bare Flask endpoint doing one INSERT, measured in the same run.

Run: .venv/bin/python tests/benchmarks/answer_load.py [--respondents 20] [--seconds 30]
     [--workers 2] [--threads 4] [--rounds 3]

Two phases on the same throwaway PostgreSQL server and the same gunicorn settings:

1. bare: a Flask app with one route that INSERTs a row (SQLAlchemy, psycopg 3) and answers
   "ok"; every virtual client requests it as fast as it is answered;
2. app: Delaktig with the demo loaded. Each virtual respondent has its own cookie jar (its
   own session and CSRF token): it opens the start page, gives consent, then answers every
   page with valid values (the first option of each question, a birth year, ...) and sends
   it; the 302 to the next page counts as one page submission; it then opens that page,
   as a phone does. At the thank-you page it starts over as a new respondent.

The phases alternate in `--rounds` slices (bare, app, bare, app, ...; `--seconds` each in
all), so that other work on a shared machine weighs on both alike; the first slice of each
is preceded by the warm-up, later ones by one second of load.

Printed: requests per second of the bare endpoint, page submissions per second of the app,
their ratio, latencies (p50/p95) of a submission and of submission + next page, how idle
the machine's CPUs were during each phase, and the CPU time spent per request by the
client (this process), by gunicorn (master and workers) and by PostgreSQL.

The client runs on the same cores as the servers, so it is kept light and the same in both
phases: threads of this process, each a `LightClient` (one kept-alive connection over a
bare socket, cookies as a dict) that finds the form's fields with precompiled regular
expressions instead of an HTML parser. Its CPU share is printed: when it is more than a
few per cent of the machine, the ratio understates the server. `--new-connections` opens
a connection per request in both phases (as a proxy without keep-alive would).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support.load import (  # noqa: E402
    CpuMeter,
    LightClient,
    percentile,
    process_cpu_seconds,
    start_gunicorn,
    tree_cpu_seconds,
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


#: The answering form, its fields and their attributes (our templates write every attribute
#: value in double quotes).
FORM = re.compile(r'<form method="post"[^>]*>(.*?)</form>', re.S)
FIELD = re.compile(r"<(input|textarea)\s([^>]*)>")
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def fill_page(html: str) -> dict[str, str]:
    """The page form's fields filled with valid answers: the first option of each choice,
    a birth year, a number, a short text."""
    form = FORM.search(html)
    data: dict[str, str] = {}
    for tag, attributes in FIELD.findall(form.group(1) if form else ""):
        attrs = dict(ATTRIBUTE.findall(attributes))
        name = attrs.get("name")
        if name is None:
            continue
        kind = attrs.get("type", "text")
        if tag == "textarea":
            data.setdefault(name, "Mer ljus i parken.")
        elif kind in ("radio", "checkbox"):
            data.setdefault(name, attrs.get("value", ""))  # the first option
        elif kind == "hidden":
            data[name] = attrs.get("value", "")
        elif attrs.get("autocomplete") == "bday-year":
            data[name] = "1984"
        elif attrs.get("inputmode") in ("numeric", "decimal"):
            data[name] = "3"
        else:
            data.setdefault(name, "Bra")
    return data


@dataclass
class Client:
    """One virtual client and what it measured."""

    number: int
    submissions: int = 0
    #: Every request sent (an answering respondent also opens pages).
    requests: int = 0
    completed: int = 0
    submit_seconds: list[float] = field(default_factory=list)
    submit_and_next_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def reset(self) -> None:
        """Forget the warm-up (a request under way may still count: one among thousands)."""
        self.__dict__.update(Client(self.number).__dict__)


def hammer_bare(client: Client, connect, start: threading.Event, stop: threading.Event):
    http = connect()
    start.wait()
    while not stop.is_set():
        began = time.perf_counter()
        status, _, _ = http.request("/hit")
        client.requests += 1
        if status == 200:
            client.submissions += 1
            client.submit_seconds.append(time.perf_counter() - began)
        else:
            client.errors.append(f"bare {status}")
    http.close()
    return client


def answer(client: Client, connect, start: threading.Event, stop: threading.Event):
    """Respondent after respondent, page after page, until `stop`."""
    start.wait()
    while not stop.is_set():
        http = connect()  # a new respondent: no cookies
        status, body, _ = http.request("/s/demo?lang=sv")
        token = CSRF.search(body)
        status, _, location = http.request("/s/demo/start",
                                           {"csrf_token": token.group(1) if token else ""})
        client.requests += 2
        if status != 302 or not location:
            client.errors.append(f"start {status}")
            continue
        status, body, _ = http.request(location)
        client.requests += 1
        while not stop.is_set() and PAGE.search(location or ""):
            data = fill_page(body)
            data["action"] = "next"
            began = time.perf_counter()
            status, body, location = http.request(location, data)
            sent = time.perf_counter()
            client.requests += 1
            if status != 302 or not location:
                client.errors.append(f"page {status}")
                break
            client.submissions += 1
            client.submit_seconds.append(sent - began)
            status, body, _ = http.request(location)
            client.requests += 1
            client.submit_and_next_seconds.append(time.perf_counter() - began)
            if location.endswith("/thanks"):
                client.completed += 1
                break
        http.close()
    return client


@dataclass
class Phase:
    """What one phase measured."""

    clients: list[Client]
    wall: float
    idle: float
    #: CPU seconds used during the phase by the client, the phase's gunicorn, PostgreSQL.
    cpu: dict[str, float]


def run_phase(target, connect, clients: int, seconds: float, servers: dict[str, int],
              warmup: float) -> Phase:
    """`clients` threads running `target` for `warmup` + `seconds`, measured after the warm-up
    (each worker compiles its templates and fills its caches first); `servers` names the
    process trees (gunicorn, PostgreSQL) whose CPU time is counted."""
    start, stop = threading.Event(), threading.Event()
    team = [Client(i) for i in range(clients)]
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(target, client, connect, start, stop) for client in team]
        time.sleep(0.3)
        start.set()
        time.sleep(warmup)
        for client in team:
            client.reset()
        meter = CpuMeter().start()
        before = {"client": process_cpu_seconds()} | {
            name: tree_cpu_seconds(pid) for name, pid in servers.items()}
        began = time.perf_counter()
        time.sleep(seconds)
        stop.set()
        done = [f.result() for f in futures]
        wall = time.perf_counter() - began
        idle = meter.stop()
        after = {"client": process_cpu_seconds()} | {
            name: tree_cpu_seconds(pid) for name, pid in servers.items()}
    return Phase(done, wall, idle, {name: after[name] - before[name] for name in before})


def combined(phases: list[Phase]) -> Phase:
    """One phase measured in several slices, as if it had run at once."""
    wall = sum(p.wall for p in phases)
    return Phase([c for p in phases for c in p.clients], wall,
                 sum(p.idle * p.wall for p in phases) / wall,
                 {name: sum(p.cpu[name] for p in phases) for name in phases[0].cpu})


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


def summary(name: str, phase: Phase, unit: str) -> float:
    clients = phase.clients
    rate = sum(c.submissions for c in clients) / phase.wall
    requests = sum(c.requests for c in clients)
    latencies = [s for c in clients for s in c.submit_seconds]
    errors = [e for c in clients for e in c.errors]
    line = f"  {name:<5} {rate:8.1f} {unit}/s"
    if latencies:
        line += (f", p50 {percentile(latencies, 50) * 1000:.0f} ms, "
                 f"p95 {percentile(latencies, 95) * 1000:.0f} ms")
    line += f", CPU idle {phase.idle:.0%}, {len(errors)} errors"
    print(line)
    per_request = ", ".join(f"{who} {seconds / max(1, requests) * 1000:.2f} ms"
                            for who, seconds in phase.cpu.items())
    share = phase.cpu["client"] / (phase.wall * (os.cpu_count() or 1))
    print(f"        {requests / phase.wall:.1f} requests/s; CPU per request: {per_request}; "
          f"client {share:.0%} of the machine's CPU")
    for error in sorted(set(errors))[:5]:
        print(f"        error: {error} ×{errors.count(error)}")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5,
                        help="seconds of load before each phase is measured")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4,
                        help="gunicorn threads per worker, as surveys/gunicorn_conf.py sets "
                             "(1: sync workers)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="slices the phases alternate in (default 3)")
    parser.add_argument("--new-connections", action="store_true",
                        help="a new connection per request in both phases (default: kept alive)")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]  # other work on the machine (shared machines vary)
    server = PostgresServer().start()
    processes = []
    try:
        database_url = server.create_database("delaktig_answer_load")
        prepare(database_url)
        postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
        env = {"DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
               "SESSION_COOKIE_SECURE": "0", "REDIS_URL": ""}
        extra = ("--threads", str(args.threads)) if args.threads > 1 else ()
        bare_port, app_port = free_port(), free_port()
        processes.append(start_gunicorn("tests.benchmarks.answer_load:bare_app()", bare_port,
                                        args.workers, env, "/hit", extra))
        processes.append(start_gunicorn("surveys.wsgi:app", app_port, args.workers, env,
                                        "/s/demo", extra))

        def connector(port: int):
            return lambda: LightClient("127.0.0.1", port, keep_alive=not args.new_connections)

        slices: dict[str, list[Phase]] = {"bare": [], "app": []}
        for round_ in range(args.rounds):
            warmup = args.warmup if round_ == 0 else 1.0
            slices["bare"].append(run_phase(
                hammer_bare, connector(bare_port), args.respondents, args.seconds / args.rounds,
                {"gunicorn": processes[0].pid, "postgres": postmaster}, warmup))
            slices["app"].append(run_phase(
                answer, connector(app_port), args.respondents, args.seconds / args.rounds,
                {"gunicorn": processes[1].pid, "postgres": postmaster}, warmup))
        bare, app = combined(slices["bare"]), combined(slices["app"])
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        server.stop()

    print(f"answer load: {args.respondents} clients, {args.seconds:g} s a phase in "
          f"{args.rounds} alternating slices after {args.warmup:g} s of warm-up, gunicorn "
          f"{args.workers} workers × {args.threads} thread(s), PostgreSQL, "
          f"{os.cpu_count()} CPU cores, connections "
          f"{'new per request' if args.new_connections else 'kept alive'}; "
          f"load average before the run {load_before:.2f}")
    bare_rate = summary("bare", bare, unit="requests")
    app_rate = summary("app", app, unit="submissions")
    both = [s for c in app.clients for s in c.submit_and_next_seconds]
    if both:
        print(f"  submission + next page: p50 {percentile(both, 50) * 1000:.0f} ms, "
              f"p95 {percentile(both, 95) * 1000:.0f} ms; "
              f"{sum(c.completed for c in app.clients)} responses completed")
    print(f"  ratio app/bare: {app_rate / bare_rate:.1%}")
    return 1 if any(c.errors for c in app.clients) else 0


if __name__ == "__main__":
    sys.exit(main())
