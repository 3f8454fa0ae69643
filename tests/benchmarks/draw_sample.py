"""Timing a sample frame import and a stratified draw (a script, not a test).

A synthetic frame of 25,000 residents (tests/support/frames.py) is checked and stored, then
a sample of 4,000 is drawn in 4 districts × 5 age groups × 2 country-of-birth groups with
the young and foreign-born strata oversampled, each with its access code. Both steps run
through the services exactly as the pages call them, in a fresh database each time; the
median wall time of several runs is reported. SQLite in a temporary folder by default,
PostgreSQL with --database postgresql+psycopg://...

Run:  .venv/bin/python tests/benchmarks/draw_sample.py [--people 25000] [--n 4000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, select

from surveys import create_app
from surveys.auth.models import Organisation
from surveys.extensions import db
from surveys.fieldwork import frame_file, queries, services
from surveys.fieldwork.models import SampleMember
from surveys.survey.definition import load_template
from surveys.survey.services import import_definition
from tests.support.frames import frame_file as synthetic_frame

COLUMNS = ["district", "age_group", "birth_country_group"]


def one_run(url: str, people: int, n: int) -> tuple[float, float, float, int]:
    """Seconds to check the file, to store it, and to draw; and the sample size drawn."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    data = synthetic_frame(people)
    with app.app_context():
        db.drop_all()
        db.create_all()
        organisation = Organisation(name="Bänkkommun")
        db.session.add(organisation)
        db.session.flush()
        survey = import_definition(load_template("tillit-och-delaktighet"), organisation.id,
                                   slug="bank")
        db.session.commit()
        with app.test_request_context():
            started = time.perf_counter()
            checked = frame_file.check(data, 2026)
            checked_at = time.perf_counter()
            frame = services.import_frame(survey, checked, "frame.csv", None)
            db.session.commit()
            stored_at = time.perf_counter()
            strata = queries.frame_strata(frame, COLUMNS)
            # young and foreign-born strata twice their share
            factors = {key: (2.0 if values["age_group"] == "16–29" else 1.0)
                       * (2.0 if values["birth_country_group"] == "utrikes" else 1.0)
                       for key, (values, _ids) in strata.items()}
            services.draw_sample(frame, services.Design(columns=COLUMNS, n=n, minimum=10,
                                                        factors=factors, seed=20260301))
            db.session.commit()
            drawn_at = time.perf_counter()
            size = db.session.scalar(select(func.count(SampleMember.id)))
        db.session.remove()
        db.engine.dispose()
    return checked_at - started, stored_at - checked_at, drawn_at - stored_at, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=25_000)
    parser.add_argument("--n", type=int, default=4_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp folder)")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/bench.db"
        for _ in range(args.repeat):
            runs.append(one_run(url, args.people, args.n))
    check, store, draw = (statistics.median(r[i] for r in runs) for i in range(3))
    print(f"frame of {args.people:,} people, sample of {runs[0][3]:,} "
          f"({url.split(':')[0]}), median of {args.repeat}:")
    print(f"  check the file  {check:6.2f} s")
    print(f"  store the rows  {store:6.2f} s")
    print(f"  import in all   {check + store:6.2f} s")
    print(f"  draw + codes    {draw:6.2f} s")


if __name__ == "__main__":
    main()
