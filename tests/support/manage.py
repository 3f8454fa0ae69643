"""Helpers for the staff pages under /manage: log in in English, read back what was stored."""

from __future__ import annotations

from sqlalchemy import select

from surveys.extensions import db
from surveys.survey.models import Page, Question, Survey


def staff(client, login, org, role):
    """Log `client` in as `role` of `org`, with the interface in English."""
    client.get("/login?lang=en")
    login(client, org, role)
    return client


def snapshot(app) -> dict[str, list[str]]:
    """Every row of every table, to prove that a refused request changed nothing."""
    with app.app_context():
        return {
            table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
            for table in db.metadata.sorted_tables
        }


def layout(app, survey_id: int) -> list[list[str]]:
    """Question keys page by page, read in stored position order; checks positions are 0..n-1."""
    with app.app_context():
        pages = db.session.scalars(
            select(Page).where(Page.survey_id == survey_id).order_by(Page.position)).all()
        assert [p.position for p in pages] == list(range(len(pages)))
        result = []
        for page in pages:
            questions = db.session.scalars(
                select(Question).where(Question.page_id == page.id)
                .order_by(Question.position)).all()
            assert [q.position for q in questions] == list(range(len(questions)))
            result.append([q.key for q in questions])
        return result


def ids(app, survey_id: int) -> dict:
    """Page ids in order and question ids by key."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        return {
            "pages": [p.id for p in survey.pages],
            "questions": {q.key: q.id for q in survey.questions()},
        }


def survey_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Survey.id)).all())


def upload(client, url: str, content: bytes, filename: str = "enkat.json", **fields):
    """POST a file as multipart/form-data, encoded here.

    The test client would spool a large body to a temporary file that it never
    closes; a body of bytes avoids that.
    """
    boundary = "delaktig-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in {"csrf_token": client.csrf_token(), **fields}.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: application/json\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return client.post(url, data=b"".join(parts),
                       content_type=f"multipart/form-data; boundary={boundary}")
