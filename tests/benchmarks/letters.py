"""Timing a mailing's letters as one PDF (a script, not a test).

A synthetic frame (tests/support/frames.py) is stored and a sample drawn; then the letters
job runs exactly as the letters page starts it (jobs run inline without Redis): recipients
read, HTML per chunk of letters, WeasyPrint's layout, the pages merged into one PDF. The
time, the PDF's size and the pages per second are reported. SQLite in a temporary folder.

Run:  .venv/bin/python tests/benchmarks/letters.py [--n 4000] [--people 25000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from surveys import create_app  # noqa: E402
from surveys.auth.models import Organisation  # noqa: E402
from surveys.extensions import db  # noqa: E402
from surveys.fieldwork import frame_file, services  # noqa: E402
from surveys.fieldwork import letter_jobs as _letters  # noqa: E402, F401 - registers the job kind
from surveys.fieldwork.models import MailingKind  # noqa: E402
from surveys.jobs.models import Job  # noqa: E402
from surveys.survey.definition import load_template  # noqa: E402
from surveys.survey.services import import_definition  # noqa: E402
from tests.support.frames import frame_file as synthetic_frame  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=25_000)
    parser.add_argument("--n", type=int, default=4_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.db",
                          "SERVER_NAME": "enkat.kommun.example"})
        with app.app_context():
            db.create_all()
            organisation = Organisation(name="Bänkkommun")
            db.session.add(organisation)
            db.session.flush()
            survey = import_definition(load_template("tillit-och-delaktighet"),
                                       organisation.id, slug="bank")
            db.session.commit()
            with app.test_request_context():
                frame = services.import_frame(
                    survey, frame_file.check(synthetic_frame(args.people), 2026), "f.csv", None)
                services.draw_sample(frame, services.Design(columns=["district"], n=args.n,
                                                            seed=1))
                db.session.commit()
                started = time.perf_counter()
                mailing = services.start_mailing(frame, MailingKind.letter, date(2026, 3, 2),
                                                 "https://enkat.kommun.example/s/bank", None)
                db.session.commit()
                seconds = time.perf_counter() - started
                job = db.session.scalar(db.select(Job))
                size = len(job.result or b"")
                print(f"{mailing.count:,} letters: {job.status.value}, {seconds:.1f} s "
                      f"({mailing.count / seconds:.0f} letters/s), PDF {size / 1e6:.1f} MB")
                if job.error:
                    print(job.error)


if __name__ == "__main__":
    main()
