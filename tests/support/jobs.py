"""A job kind for the tests: counts, reports each step, and fails on demand.

It lives here, not in a test module, so that every test imports the same module object
(a test module can be imported twice under two names, registering two kinds).
"""

from __future__ import annotations

from sqlalchemy import select

from surveys.auth.models import User
from surveys.extensions import db
from surveys.jobs import services
from surveys.jobs.models import Job

#: Progress seen from another connection while the job ran, step by step.
SEEN: list[tuple[int, int]] = []
#: How many of the next runs fail.
FAILURES = {"left": 0}


@services.job_kind("test_count", title=lambda params: f"Counting to {params['to']}")
def count(job: Job, progress: services.Progress) -> services.JobResult:
    """Counts to params["to"], reporting each step; fails while FAILURES says so."""
    if FAILURES["left"]:
        FAILURES["left"] -= 1
        raise RuntimeError("the printer is on fire")
    for step in range(1, job.params["to"] + 1):
        progress(step, job.params["to"])
        with db.engine.connect() as other:  # what another request would read now
            SEEN.append(tuple(other.execute(select(Job.progress, Job.total).where(
                Job.id == job.id)).one()))
    text = ",".join(str(n) for n in range(1, job.params["to"] + 1))
    return services.JobResult("count.txt", "text/plain", text.encode())


def submit(app, org, role: str = "analyst", to: int = 3) -> int:
    """A counting job asked for by `role` of `org`; its id."""
    from tests.conftest import user_email

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == user_email(org, role)))
        job = services.submit("test_count", org.id, user.id, {"to": to})
        db.session.commit()
        return job.id
