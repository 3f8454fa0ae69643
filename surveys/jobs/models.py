"""A job's row: what was asked, how far it has come, and its result file."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from surveys.core.time import utcnow
from surveys.extensions import db


class JobStatus(enum.Enum):
    """Where a job is in its life."""

    queued = "queued"  #: waiting for a worker
    running = "running"  #: a worker is on it
    done = "done"  #: finished; the result can be downloaded
    failed = "failed"  #: stopped with an error; can be retried


class Job(db.Model):
    """One piece of long work asked for by a member of staff."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The registered kind of work, e.g. "followup_report" (surveys.jobs.services.KINDS).
    kind: Mapped[str] = mapped_column(String(40))
    #: The arguments of the work, as JSON.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, name="job_status", native_enum=False, length=10),
        default=JobStatus.queued)
    #: Steps done out of `total` (0 of 0 until the work knows its size).
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    #: Why it failed, in the words shown to the user (English; translated on display).
    error: Mapped[str | None] = mapped_column(Text)
    result_name: Mapped[str | None] = mapped_column(String(200))
    result_type: Mapped[str | None] = mapped_column(String(100))
    #: The finished file; loaded only when downloaded.
    result: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    #: Where the result is when it is a page rather than a file (a weighting run):
    #: {"endpoint": "runs.run", "values": {"run_id": 12}}.
    result_link: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.done, JobStatus.failed)

    @property
    def percent(self) -> int:
        """Progress in whole per cent (100 when done)."""
        if self.status is JobStatus.done:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0
