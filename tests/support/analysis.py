"""Helpers for the weighting pages: the demo analyst, uploads, responses written directly."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from surveys.extensions import db
from surveys.runs.models import RunWeight, WeightingRun
from surveys.survey.models import Answer, Channel, Response, Survey

DATA = Path(__file__).resolve().parents[1] / "data"
SCB_FILE = DATA / "scb" / "folkmangd_exempelby_2025.json"
DEMO_CSV = DATA / "margins" / "exempelby.csv"
#: The demo's districts as region codes in the SCB-like sample file.
REGION_CODES = ("9999R001 = centrum\n9999R002 = norr\n9999R003 = soder\n"
                "9999R004 = oster\n9999R005 = vaster")
ALL_VARIABLES = ["age", "gender", "born", "district"]
#: Run form data that works on the demo with the demo margins.
RUN_FORM = {"variables": ALL_VARIABLES, "method": "rake", "epsilon": "1e-10",
            "max_iter": "100", "missing": "impute", "unknown": "error"}


def demo_survey(app, restore_demo) -> int:
    """The demo (without the follow-up) in the test database; the id of its survey."""
    restore_demo(followup=False)
    with app.app_context():
        return db.session.scalar(select(Survey.id).where(Survey.slug == "demo"))


def demo_analyst(client):
    """Log `client` in as the demo's analyst, interface in English."""
    client.get("/login?lang=en")
    reply = client.post_form("/login", {"email": "analyst@exempelby.se",
                                        "password": "demo-analyst-2026"})
    assert reply.status_code == 302
    return client


def upload(client, url: str, content: bytes, filename: str, file_field: str = "file", **fields):
    """POST a multipart form with one file field (named "file" unless said)."""
    boundary = "delaktig-analysis-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in {"csrf_token": client.csrf_token(), **fields}.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return client.post(url, data=b"".join(parts),
                       content_type=f"multipart/form-data; boundary={boundary}")


def import_csv(client, content: bytes, name: str = "Befolkning 2025", **fields):
    """Import a margins CSV through the page."""
    return upload(client, "/analysis/margins/csv", content, "margins.csv",
                  **{"name": name, "source": "Test", "reference_date": "2025-12-31", **fields})


def import_jsonstat(client, content: bytes, name: str = "SCB 2025", **fields):
    """Import a JSON-stat file through the page, with the form's defaults and the districts."""
    data = {"name": name, "source": "SCB", "reference_date": "2025-12-31",
            "age_groups": "16-29, 30-44, 45-64, 65-84", "sex_codes": "1 = man\n2 = kvinna",
            "born_codes": "010 = inrikes\n020 = utrikes\n030 = utrikes\n060 = utrikes",
            "region_codes": REGION_CODES, **fields}
    return upload(client, "/analysis/margins/json-stat", content, "tabell.json", **data)


def location_id(reply) -> int:
    """The id at the end of a redirect's Location."""
    assert reply.status_code == 302, reply.get_data(as_text=True)[:2000]
    return int(re.search(r"/(\d+)(?:[?#].*)?$", reply.headers["Location"]).group(1))


def problems(html: str) -> list[str]:
    """The items of the page's error summaries, as text."""
    import html as html_lib

    found = []
    for block in re.findall(r'class="error-summary".*?</div>', html, flags=re.DOTALL):
        for item in re.findall(r"<li>(.*?)</li>", block, flags=re.DOTALL):
            found.append(" ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", item)).split()))
    return found


def text_of(html: str) -> str:
    """The page's visible text, whitespace collapsed, entities decoded."""
    import html as html_lib

    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def add_responses(app, survey_id: int, rows: list[dict]) -> list[int]:
    """Write responses directly: each row {"language", "completed", "answers": {key: value}}."""
    start = datetime(2026, 3, 2, 9, 0, 0)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        questions = {q.key: q for q in survey.questions()}
        ids = []
        for i, row in enumerate(rows):
            response = Response(survey=survey, token=f"t-{survey_id}-{i}-{len(rows)}",
                                resume_code=f"R{survey_id:03d}{i:05d}"[:12],
                                language=row.get("language", "sv"), channel=Channel.web,
                                started_at=start + timedelta(minutes=i),
                                completed_at=(start + timedelta(minutes=i + 5)
                                              if row.get("completed", True) else None))
            for key, value in row.get("answers", {}).items():
                response.answers.append(Answer(question=questions[key], value=value))
            db.session.add(response)
            db.session.flush()
            ids.append(response.id)
        db.session.commit()
        return ids


def stored_weights(app, run_id: int) -> dict[int, float]:
    """Response id -> weight of a run, as stored."""
    with app.app_context():
        return dict(db.session.execute(select(RunWeight.response_id, RunWeight.weight)
                                       .where(RunWeight.run_id == run_id)).all())


def stored_run(app, run_id: int) -> dict:
    """A run's columns as plain values."""
    with app.app_context():
        run = db.session.get(WeightingRun, run_id)
        return {c.name: getattr(run, c.name) for c in WeightingRun.__table__.columns}


def demo_framework():
    """The demo organisation's default framework (the demo's neighbour has one too)."""
    from sqlalchemy import select

    from surveys.auth.models import Organisation
    from surveys.extensions import db
    from surveys.followup.models import Framework

    return db.session.scalar(select(Framework).join(Organisation).where(
        Organisation.name == "Exempelby kommun", Framework.is_default))
