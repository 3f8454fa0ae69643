"""Timing the demo's yearly report (a script, not a test).

The demo is loaded into SQLite in a temporary folder; then the report is built the way its
jobs build it, for staff and for residents, in Swedish and Arabic: the HTML (figures, the
summaries' drafts, actions and what residents said), the tagged PDF/UA (WeasyPrint) and the
Word document. Each is built `--repeat` times; the best time, the size and (PDF) the pages
are reported.

Run:  .venv/bin/python tests/benchmarks/yearly_report.py [--repeat 2] [--respondents 1000]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pypdf import PdfReader  # noqa: E402
from sqlalchemy import select  # noqa: E402

from surveys import create_app  # noqa: E402
from surveys.auth.models import Organisation  # noqa: E402
from surveys.demo import EXPECTED_RESPONDENTS, load_demo  # noqa: E402
from surveys.extensions import db  # noqa: E402
from surveys.followup import report  # noqa: E402
from surveys.followup.queries import framework_of  # noqa: E402
from surveys.followup.report_docx import render_report_docx  # noqa: E402


def best(repeat: int, make) -> tuple[float, bytes]:
    times, data = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        data = make()
        times.append(time.perf_counter() - start)
    return min(times), data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--respondents", type=int, default=EXPECTED_RESPONDENTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "benchmark",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.db"})
        with app.app_context():
            db.create_all()
            load_demo(respondents=args.respondents)
            db.session.commit()
            organisation = db.session.scalar(select(Organisation).where(
                Organisation.name == "Exempelby kommun"))
            framework = framework_of(organisation.id)
            print(f"{'version':<10} {'lang':<5} {'format':<6} {'seconds':>8} {'kB':>7} "
                  f"{'pages':>6}")
            for audience in report.AUDIENCES:
                for lang in ("sv", "ar"):
                    with app.test_request_context("/"):
                        html_time, html = best(args.repeat, lambda: report.render_report_html(
                            framework, None, lang, audience=audience).encode())
                        layout_time, pdf = best(args.repeat,
                                                lambda: report.html_to_pdf(html.decode()))
                        docx_time, docx = best(args.repeat, lambda: render_report_docx(
                            framework, None, lang, audience))
                    pages = len(PdfReader(io.BytesIO(pdf)).pages)
                    rows = [("HTML", html_time, html, ""),
                            ("PDF", html_time + layout_time, pdf, pages),
                            ("DOCX", docx_time, docx, "")]
                    for kind, seconds, data, count in rows:
                        print(f"{audience:<10} {lang:<5} {kind:<6} {seconds:>8.2f} "
                              f"{len(data) / 1024:>7.0f} {count!s:>6}")


if __name__ == "__main__":
    main()
