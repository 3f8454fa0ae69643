"""Load benchmark: 300 participants join a dialogue event and vote at once, against gunicorn
(4 workers) and a throwaway PostgreSQL on this machine.

Run: .venv/bin/python tests/benchmarks/dialog_load.py [--participants 300] [--statements 40]

Each simulated phone is a thread with its own cookies, over real HTTP (`LightClient`, a
kept-alive connection over a bare socket, so 300 client threads cost the shared cores little):
it opens the consent page, sends the consent form with the CSRF token from it (the device
cookie comes back), then votes on every statement in its own random order as fast as the
server answers, without following the redirect; every tenth vote is sent again with another
value (a second vote replaces the first). A vote counts as accepted when the answer is the
302 back to the voting page. Afterwards the script reads the database: every accepted vote
must be there exactly once, with the value sent last.

The event is in Swedish, Arabic and Somali: its statements are written in the three in
turn, each with approved translations into the other two, and the phones join in the three
languages in turn, so each reads (and with --follow loads) statements translated for it.

Rate limits: the per-device vote limit (DIALOG_VOTE_RATE_LIMIT, default 120 per minute) is
raised to 6000 per minute for the run. Without REDIS_URL, Flask-Limiter keeps its counters in
each worker's memory (`memory://`), so with four workers a device may get up to four times
the limit; production sets REDIS_URL so the workers share one store. 429 answers are counted
apart from other errors.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import signal
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select

from dialog import queries, services
from dialog.models import (
    Participant,
    StatementSource,
    StatementTranslation,
    TranslationStatus,
    Vote,
)
from surveys import create_app
from surveys.auth.models import Organisation
from surveys.extensions import db
from tests.support.dialog import make_event
from tests.support.load import LightClient, percentile, process_cpu_seconds, start_gunicorn
from tests.support.servers import free_port
from tests.support.postgres import PostgresServer

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VOTE_LIMIT = "6000 per minute"
#: The event's languages; statements are written in them in turn, phones join in them in turn.
LANGUAGES = ("sv", "ar", "so")
PROPOSAL = {"sv": "Förslag nummer {n}.", "ar": "الاقتراح رقم {n}.", "so": "Soo jeedin lambar {n}."}


@dataclass
class Phone:
    """One simulated participant and what the server answered it."""

    number: int
    #: The phone's cookies (name -> value), as its client kept them.
    cookies: dict[str, str] = field(default_factory=dict)
    #: statement id -> the value of the last vote the server accepted.
    accepted: dict[int, int] = field(default_factory=dict)
    vote_seconds: list[float] = field(default_factory=list)
    #: With --follow: from sending the vote to having the next statement's page.
    page_seconds: list[float] = field(default_factory=list)
    join_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    limited: int = 0
    sent: int = 0
    #: Vote requests answered with the 302 of an accepted vote.
    ok: int = 0


def participate(phone: Phone, port: int, code: str, statements: list[int],
                start: threading.Event, think: float = 0.0, follow: bool = False) -> Phone:
    """Join with consent, then vote on every statement (every tenth twice).

    `think` is the mean pause before each vote (uniform between half and one and a half
    times it): a person reads the statement first. `follow` also loads the page the vote
    redirects to, as a phone does (it shows the next statement).
    """
    http = LightClient("127.0.0.1", port)
    http.cookies = phone.cookies
    rng = random.Random(phone.number)
    start.wait()
    began = time.perf_counter()
    language = LANGUAGES[phone.number % len(LANGUAGES)]
    try:
        status, page, _ = http.request(f"/d/{code}?lang={language}")
        token = CSRF.search(page).group(1) if status == 200 else None
        status, _, _ = http.request(f"/d/{code}/join",
                                    {"csrf_token": token, "lang": language, "consent": "yes"})
        if status != 302:
            phone.errors.append(f"join {status}")
            return phone
    except (OSError, AttributeError) as error:
        phone.errors.append(f"join {type(error).__name__}: {error}")
        return phone
    phone.join_seconds = time.perf_counter() - began
    plan = [(sid, rng.choice((1, -1, 0))) for sid in rng.sample(statements, len(statements))]
    plan += [(sid, -value or 1) for sid, value in plan[::10]]  # changed minds
    for statement_id, value in plan:
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        phone.sent += 1
        sent_at = time.perf_counter()
        try:
            status, _, _ = http.request(f"/d/{code}/vote",
                                        {"csrf_token": token, "statement_id": statement_id,
                                         "value": value})
        except OSError as error:
            phone.errors.append(f"vote {type(error).__name__}: {error}")
            continue
        phone.vote_seconds.append(time.perf_counter() - sent_at)
        if status == 302:
            phone.ok += 1
            phone.accepted[statement_id] = value
            if follow:
                try:
                    next_status, _, _ = http.request(f"/d/{code}/vote")
                except OSError as error:
                    phone.errors.append(f"next {type(error).__name__}: {error}")
                    continue
                phone.page_seconds.append(time.perf_counter() - sent_at)
                if next_status != 200:
                    phone.errors.append(f"next {next_status}")
        elif status == 429:
            phone.limited += 1
        else:
            phone.errors.append(f"vote {status}")
    http.close()
    return phone


def prepare(database_url: str, n_statements: int) -> tuple[int, str, list[int]]:
    """Tables, an organisation and an open event with one prompt and the statements, each
    translated into the event's other languages."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.create_all()
        org = Organisation(name="Lastby kommun")
        db.session.add(org)
        db.session.flush()
        event = make_event(org.id, languages=LANGUAGES)
        ids = []
        for i in range(n_statements):
            written = LANGUAGES[i % len(LANGUAGES)]
            statement = services.add_staff_statement(
                event, event.prompts[0], PROPOSAL[written].format(n=i + 1), written,
                StatementSource.facilitator)
            db.session.add_all(StatementTranslation(
                statement_id=statement.id, language=other, status=TranslationStatus.approved,
                text=PROPOSAL[other].format(n=i + 1)) for other in LANGUAGES if other != written)
            ids.append(statement.id)
        db.session.commit()
        found = event.id, event.join_code, ids
        db.engine.dispose()
        return found


def check_database(database_url: str, secret: str, event_id: int,
                   phones: list[Phone]) -> list[str]:
    """Every accepted vote stored exactly once, with the value accepted last."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": secret})
    signer = app.session_interface.get_signing_serializer(app)
    problems = []
    with app.app_context():
        stored = {(p, s): v for p, s, v in db.session.execute(
            select(Vote.participant_id, Vote.statement_id, Vote.value)
            .join(Participant, Participant.id == Vote.participant_id)
            .where(Participant.event_id == event_id))}
        duplicates = db.session.scalar(select(func.count()).select_from(
            select(Vote.participant_id, Vote.statement_id).group_by(
                Vote.participant_id, Vote.statement_id).having(func.count() > 1).subquery()))
        if duplicates:
            problems.append(f"{duplicates} participant/statement pairs stored more than once")
        expected = {}
        for phone in phones:
            cookie = phone.cookies.get("session")
            if cookie is None:
                if phone.accepted:
                    problems.append(f"phone {phone.number}: votes accepted but no cookie")
                continue
            token = signer.loads(cookie)["dialog_device"]
            participant = queries.participant_for(event_id, queries.device_hash(token, event_id))
            for statement_id, value in phone.accepted.items():
                expected[(participant.id, statement_id)] = value
        if len(stored) != len(expected):
            problems.append(f"{len(stored)} votes stored, {len(expected)} accepted")
        wrong = [k for k, v in expected.items() if stored.get(k) != v]
        if wrong:
            problems.append(f"{len(wrong)} accepted votes missing or with another value")
        extra = set(stored) - set(expected)
        if extra:
            problems.append(f"{len(extra)} stored votes that were never accepted")
        db.engine.dispose()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--statements", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a participant reads before voting (default 0)")
    parser.add_argument("--follow", action="store_true",
                        help="load the next statement after each vote, as a phone does")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]  # other work on the machine (shared machines vary)
    server = PostgresServer().start()
    gunicorn = None
    try:
        database_url = server.create_database("delaktig_load")
        event_id, code, statements = prepare(database_url, args.statements)
        secret, port = secrets.token_hex(32), free_port()
        gunicorn = start_gunicorn(
            "wsgi:app", port, args.workers, ready_path="/d",
            env={"DATABASE_URL": database_url, "SECRET_KEY": secret, "REDIS_URL": "",
                 "SESSION_COOKIE_SECURE": "0", "DIALOG_VOTE_RATE_LIMIT": VOTE_LIMIT})
        phones = [Phone(i) for i in range(args.participants)]
        start = threading.Event()
        with ThreadPoolExecutor(max_workers=args.participants) as pool:
            futures = [pool.submit(participate, p, port, code, statements, start, args.think,
                                   args.follow) for p in phones]
            time.sleep(0.5)  # let every thread reach the start line
            began, client_began = time.perf_counter(), process_cpu_seconds()
            start.set()
            phones = [f.result() for f in futures]
            wall = time.perf_counter() - began
            client_cpu = process_cpu_seconds() - client_began
        problems = check_database(database_url, secret, event_id, phones)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        server.stop()

    latencies = [s for p in phones for s in p.vote_seconds]
    joins = [p.join_seconds for p in phones if p.join_seconds]
    accepted_requests = sum(p.ok for p in phones)
    errors = [e for p in phones for e in p.errors]
    print(f"dialog load: {args.participants} participants, {args.statements} statements, "
          f"in {', '.join(LANGUAGES)} (every statement translated), "
          f"gunicorn {args.workers} sync workers, PostgreSQL, {os.cpu_count()} CPU cores, "
          f"think {args.think:g} s, {'following' if args.follow else 'not following'} "
          "the redirect to the next statement")
    print(f"  joined           {len(joins)} (join p50 {statistics.median(joins) * 1000:.0f} ms, "
          f"p95 {percentile(joins, 95) * 1000:.0f} ms)" if joins else "  joined 0")
    print(f"  vote requests    {sum(p.sent for p in phones)} sent, {accepted_requests} accepted "
          f"(302), {sum(p.limited for p in phones)} rate-limited (429), {len(errors)} errors")
    print(f"  wall time        {wall:.1f} s (joining and voting); the client used "
          f"{client_cpu / (wall * (os.cpu_count() or 1)):.0%} of the machine's CPU; "
          f"load average before the run {load_before:.2f}")
    print(f"  votes/second     {accepted_requests / wall:.1f}")
    if latencies:
        print(f"  vote latency     p50 {percentile(latencies, 50) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 95) * 1000:.0f} ms, "
              f"p99 {percentile(latencies, 99) * 1000:.0f} ms, "
              f"max {max(latencies) * 1000:.0f} ms")
    pages = [s for p in phones for s in p.page_seconds]
    if pages:
        print(f"  vote + next page p50 {percentile(pages, 50) * 1000:.0f} ms, "
              f"p95 {percentile(pages, 95) * 1000:.0f} ms")
    for error in sorted(set(errors))[:10]:
        print(f"  error: {error} ×{errors.count(error)}")
    if problems:
        for problem in problems:
            print(f"  STORAGE PROBLEM: {problem}")
    else:
        print("  storage          every accepted vote stored exactly once, with its last value")
    return 1 if problems or errors else 0


if __name__ == "__main__":
    sys.exit(main())
