"""Submitting, queueing and running jobs; the registry of kinds of work.

A feature registers its kinds with `@job_kind(...)`: a function that takes the job and a
`Progress` and returns a `JobResult` (a file). `submit` creates the job row and, with
`REDIS_URL`, queues it in RQ once the request has committed; without Redis it runs at once,
inside the request. `run` does the work wherever it runs and records the outcome; a job
commits its own bookkeeping (started, progress, done or failed) so that other requests
see how far it has come and a failure never loses the job's row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

QUEUE_NAME = "delaktig"
#: Longest a job may run in a worker before RQ stops it (a 4,000-letter batch fits).
JOB_TIMEOUT = 60 * 60
#: session.info key: ids of jobs to queue once the session commits.
_PENDING = "jobs_to_queue"


@dataclass(frozen=True)
class JobResult:
    """The file a job made, or (with `link`) the page where its result is."""

    name: str
    mimetype: str = ""
    data: bytes | None = None
    #: {"endpoint": ..., "values": {...}}: the job's page links there instead of a download.
    link: dict | None = None


@dataclass(frozen=True)
class JobKind:
    """A registered kind of work."""

    name: str
    work: Callable[[Job, Progress], JobResult]
    #: The job's title for people, from its params (translated when called).
    title: Callable[[dict], str]


KINDS: dict[str, JobKind] = {}


def job_kind(name: str, title: Callable[[dict], str]):
    """Register the decorated function as the work of kind `name`."""

    def register(work: Callable[[Job, Progress], JobResult]):
        KINDS[name] = JobKind(name, work, title)
        return work

    return register


class Progress:
    """Reports how far a job has come: `progress(done, total)`, committed at once."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, done: int, total: int) -> None:
        self.job.progress, self.job.total = done, total
        db.session.commit()


def redis_connection():
    """The app's Redis connection, or None without `REDIS_URL` (jobs then run inline)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    connection = current_app.extensions.get("jobs_redis")
    if connection is None:
        from redis import Redis

        connection = current_app.extensions["jobs_redis"] = Redis.from_url(url)
    return connection


def queue():
    """The RQ queue, or None when jobs run inline."""
    connection = redis_connection()
    if connection is None:
        return None
    from rq import Queue

    return Queue(QUEUE_NAME, connection=connection, default_timeout=JOB_TIMEOUT)


def worker(burst: bool = False):
    """An RQ worker on the app's queue that runs each job in this process and app context."""
    from rq import SimpleWorker

    class Worker(SimpleWorker):
        def subscribe(self):
            # rq listens for commands in 60 s polls, and redis-py 8.2 waits for the poll to
            # end when the worker stops: every stop (and every --burst) took a minute.
            self.pubsub = self.connection.pubsub()
            self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
            self.pubsub_thread = self.pubsub.run_in_thread(
                sleep_time=0.5, daemon=True, exception_handler=self._pubsub_exception_handler)

    jobs = queue()
    return None if jobs is None else Worker([jobs], connection=jobs.connection)


def submit(kind: str, organisation_id: int, user_id: int | None, params: dict) -> Job:
    """A new job of `kind`: queued after the commit, or done now when there is no Redis."""
    if kind not in KINDS:
        raise KeyError(f"no job kind {kind!r}")
    job = Job(kind=kind, organisation_id=organisation_id, created_by_id=user_id,
              params=params)
    db.session.add(job)
    db.session.flush()
    _start(job)
    return job


def retry(job: Job) -> None:
    """Run a failed job again from the start."""
    job.status, job.progress, job.total, job.error = JobStatus.queued, 0, 0, None
    job.started_at = job.finished_at = None
    db.session.flush()
    _start(job)


def _start(job: Job) -> None:
    if queue() is None:
        run(job)
    else:
        db.session.info.setdefault(_PENDING, []).append(job.id)


@event.listens_for(Session, "after_commit")
def _queue_committed_jobs(session: Session) -> None:
    """Queue jobs only once their rows are committed, so a worker always finds them."""
    pending = session.info.pop(_PENDING, None)
    if pending:
        jobs = queue()
        for job_id in pending:
            jobs.enqueue(run_queued, job_id, job_timeout=JOB_TIMEOUT)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_jobs(session: Session) -> None:
    session.info.pop(_PENDING, None)


def run_queued(job_id: int) -> None:
    """The RQ entry point: run the job in the worker's app context."""
    job = db.session.get(Job, job_id)
    if job is not None and not job.finished:
        run(job)


def run(job: Job) -> None:
    """Do the work and record the result, or record the failure (the error is logged)."""
    job.status, job.started_at = JobStatus.running, utcnow()
    db.session.commit()
    try:
        result = KINDS[job.kind].work(job, Progress(job))
    except Exception as error:
        log.exception("job %s (%s) failed", job.id, job.kind)
        db.session.rollback()
        job.status, job.error = JobStatus.failed, f"{type(error).__name__}: {error}"[:2000]
    else:
        job.status = JobStatus.done
        job.result_name, job.result_type, job.result = result.name, result.mimetype, result.data
        job.result_link = result.link
        job.progress = job.total = max(job.total, 1)
    job.finished_at = utcnow()
    db.session.commit()
