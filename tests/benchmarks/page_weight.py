"""Measure what a survey page transfers: HTML + CSS, gzip-compressed as a server would send it.

Every question has a recording in Swedish, so the Swedish pages carry a player each; the
recordings themselves are not transferred with the page (preload="none").

Run: .venv/bin/python tests/benchmarks/page_weight.py
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from surveys import create_app  # noqa: E402
from surveys.auth.models import Organisation  # noqa: E402
from surveys.extensions import db  # noqa: E402
from surveys.survey.services import import_definition, set_audio
from surveys.survey.definition import load_template
from surveys.survey.models import SurveyStatus  # noqa: E402
from tests.support.audio import mp3  # noqa: E402
from tests.support.web import FormClient  # noqa: E402


def compressed(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/w.db",
                "RATELIMIT_ENABLED": False,
                "AUDIO_DIR": f"{tmp}/audio",
            }
        )
        app.test_client_class = FormClient
        with app.app_context():
            db.create_all()
            org = Organisation(name="Mätby")
            db.session.add(org)
            db.session.flush()
            survey = import_definition(load_template("tillit-och-delaktighet"), org.id, slug="w")
            survey.status = SurveyStatus.open
            for question in survey.questions():
                set_audio(question, "sv", mp3())
            pages = len(survey.pages)
            db.session.commit()
        client = app.test_client()
        css = client.get("/static/style.css").data
        print(
            f"style.css: {len(css)} B raw, {compressed(css)} B gzip (cached after the first page)"
        )
        rows = []
        for lang in ("sv", "ar"):
            client = app.test_client()
            urls = [f"/s/w?lang={lang}"]
            client.post_form("/s/w/start")
            urls += [f"/s/w/p/{n}?lang={lang}" for n in range(1, pages + 1)]
            # Answer "yes" to discrimination so the conditional page is shown too.
            client.post_form("/s/w/p/3", {"q_discrimination": "yes"})
            for url in urls:
                html = client.get(url).data
                assert re.search(rb"<html", html), url
                assert b"<audio" not in html or b'preload="none"' in html, url
                rows.append(
                    (lang, url, len(html), compressed(html), compressed(html) + compressed(css))
                )
        print(f"{'lang':4} {'page':26} {'html':>7} {'html gz':>8} {'+css gz':>8}")
        for lang, url, raw, gz, total in rows:
            print(f"{lang:4} {url:26} {raw:7} {gz:8} {total:8}")
        largest = max(r[4] for r in rows)
        print(f"largest first-visit page (HTML + CSS, gzip): {largest} B = {largest / 1024:.1f} KB")


if __name__ == "__main__":
    main()
